"""Under RSPORTAL_ENV=production: passwords for break-glass only, and levels 2, 3 and 3."""

import json

from tests.rsportal.test_production_settings import production_environment, run_django

SHOW = (
    "import json\nfrom django.conf import settings as s\n"
    "print(json.dumps([s.RSPORTAL_PASSWORD_LOGIN, s.RSPORTAL_MIN_LEVEL_ORDER, s.RSPORTAL_MIN_LEVEL_DECIDE,"
    " s.RSPORTAL_MIN_LEVEL_DESK, s.RSPORTAL_SESSION_IDLE_MINUTES]))\n"
)


def test_production_allows_passwords_for_break_glass_only_and_asks_levels_2_3_3():
    result = run_django(SHOW, production_environment())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["break-glass", 2, 3, 3, 30]


def test_the_embedded_default_lets_every_password_in_and_asks_no_level():
    environment = production_environment(RSPORTAL_ENV="embedded")
    result = run_django(SHOW, environment)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["all", 0, 0, 0, 30]


def test_a_password_login_setting_that_is_none_of_the_three_is_refused():
    result = run_django("", production_environment(RSPORTAL_PASSWORD_LOGIN="sometimes"))
    assert result.returncode != 0
    assert "RSPORTAL_PASSWORD_LOGIN" in result.stderr
