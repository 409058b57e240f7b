"""RSPORTAL_ENV=production chooses the settings for a deployment behind https, and
`manage.py check --deploy` has nothing to say about them; the embedded default (plain http
on 127.0.0.1, ./scripts/run) keeps working without any of it.

The settings module reads the environment once, at import: each case runs in a Python of
its own with the environment given, as a deployment would start.
"""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

HOST = "rsportal.example"


def production_environment(**extra: str) -> dict[str, str]:
    """The process's environment without any DJANGO_/RSPORTAL_ setting of the caller, plus
    a production one: a strong secret key of the moment, the host, nothing else."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RSPORTAL_ENV"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="rsportal.settings",
        RSPORTAL_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
    )
    environment.update(extra)
    return environment


def run_django(code: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    program = "import django\ndjango.setup()\n" + code
    return subprocess.run(
        [sys.executable, "-c", program],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_finds_nothing_to_warn_about_under_production_settings():
    result = run_django(
        "from django.core.management import call_command\ncall_command('check', deploy=True, fail_level='WARNING')\n",
        production_environment(),
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_answers_over_https_only_with_hsts_and_secure_cookies():
    result = run_django(
        "import json\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "client = Client(SERVER_NAME='rsportal.example')\n"
        "plain = client.get('/logga-in/')\n"
        "secure = client.get('/logga-in/', secure=True)\n"
        "print(json.dumps({\n"
        "    'plain': [plain.status_code, plain.headers.get('Location')],\n"
        "    'hsts': secure.headers.get('Strict-Transport-Security'),\n"
        "    'csp': bool(secure.headers.get('Content-Security-Policy')),\n"
        "    'secure_cookies': [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],\n"
        "}))\n",
        production_environment(),
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["plain"] == [301, f"https://{HOST}/logga-in/"]
    assert answer["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert answer["csp"]
    assert answer["secure_cookies"] == [True, True]


def test_behind_a_proxy_that_ends_tls_its_header_says_the_request_came_over_https():
    result = run_django(
        "from django.test import Client\n"
        "client = Client(SERVER_NAME='rsportal.example')\n"
        "print(client.get('/logga-in/', headers={'X-Forwarded-Proto': 'http'}).status_code,\n"
        "      client.get('/logga-in/', headers={'X-Forwarded-Proto': 'https'}).status_code)\n",
        production_environment(RSPORTAL_PROXY_SSL_HEADER="X-Forwarded-Proto"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "301 200"  # redirected once, not forever


def test_production_refuses_to_start_on_the_embedded_default_secret_key():
    environment = production_environment()
    del environment["DJANGO_SECRET_KEY"]
    result = run_django("", environment)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_an_unknown_environment_name_is_refused():
    result = run_django("", production_environment(RSPORTAL_ENV="prod"))
    assert result.returncode != 0
    assert "RSPORTAL_ENV" in result.stderr


@pytest.mark.django_db
def test_the_embedded_default_serves_plain_http_without_hsts(client):
    assert settings.RSPORTAL_ENV == "embedded"
    response = client.get("/logga-in/")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    assert not settings.SESSION_COOKIE_SECURE
