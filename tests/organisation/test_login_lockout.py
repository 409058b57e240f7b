"""Guessing passwords at the site's login: after a few failures the username and the
address are locked out for a cool-off, the same way whether the user exists or not; the
lockout is an audit event; an administrator sees it and can lift it."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED = "För många misslyckade inloggningar. Försök igen om 15 minuter."


@pytest.fixture(autouse=True)
def low_limit(settings):
    """A limit of three keeps the tests short; the cool-off is the default's 15 minutes."""
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


@pytest.fixture
def anna(db):
    return UserFactory(username="anna", first_name="Anna")


def log_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def alert(response) -> str:
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', response.content.decode(), re.S)
    return " ".join(found.group(1).split()) if found else ""


def move_time_forward(minutes: int) -> None:
    """The failures happened `minutes` earlier than they did."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_thirty_wrong_passwords_then_the_right_one_is_refused(client, anna):
    for _ in range(30):
        assert log_in(client, "anna", "wrong-password").status_code in (200, 429)
    response = log_in(client, "anna", PASSWORD)
    assert not logged_in(client)
    assert response.status_code == 429
    assert alert(response) == LOCKED
    assert int(response["Retry-After"]) == 15 * 60


def test_the_lockout_starts_at_the_limit(client, anna):
    assert [log_in(client, "anna", "wrong").status_code for _ in range(3)] == [200, 200, 429]
    assert alert(log_in(client, "anna", PASSWORD)) == LOCKED


def test_a_known_and_an_unknown_username_get_the_same_answers(anna):
    def answers(username: str, address: str) -> list[tuple[int, str]]:
        client = Client()
        return [(r.status_code, alert(r)) for r in (log_in(client, username, "wrong", address) for _ in range(5))]

    known, unknown = answers("anna", "10.0.0.2"), answers("nobody-here", "10.0.0.3")
    assert known == unknown
    assert known[0] == (200, "Fel användarnamn eller lösenord. Försök igen.")
    assert known[-1] == (429, LOCKED)


def test_after_the_cool_off_the_right_password_logs_in(client, anna):
    for _ in range(3):
        log_in(client, "anna", "wrong")
    move_time_forward(14)
    assert alert(log_in(client, "anna", PASSWORD)) == LOCKED  # not yet; and this try starts the cool-off again
    move_time_forward(16)
    response = log_in(client, "anna", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_the_username_is_locked_from_every_address(anna):
    for number in range(3):
        log_in(Client(), "anna", "wrong", f"10.0.1.{number}")
    client = Client()
    assert alert(log_in(client, "anna", PASSWORD, "10.0.2.1")) == LOCKED and not logged_in(client)


def test_an_address_that_tries_many_usernames_is_locked_for_all_of_them(anna):
    client = Client()
    for name in ("bertil", "cecilia", "david"):
        log_in(client, name, "wrong", "10.0.3.1")
    assert alert(log_in(client, "anna", PASSWORD, "10.0.3.1")) == LOCKED and not logged_in(client)
    other = Client()
    assert log_in(other, "anna", PASSWORD, "10.0.3.2").status_code == 302  # anna herself, elsewhere


def test_a_lockout_is_one_audit_event_on_the_user_without_the_password(client, anna):
    for _ in range(6):
        log_in(client, "anna", "wrong-password-xyz")
    event = AuditEvent.objects.get(action="login_locked_out")
    assert (event.object_type, event.object_id) == ("organisation.user", str(anna.pk))
    assert event.actor is None
    assert event.data["username"] == "anna" and event.data["ip_address"] == "10.0.0.1"
    assert event.data["failures"] == 3 and event.data["cool_off_minutes"] == 15
    assert "wrong-password-xyz" not in f"{event.data} {event.reason}"


def test_a_lockout_of_an_unknown_username_is_recorded_on_the_attempt(client):
    for _ in range(3):
        log_in(client, "nobody-here", "wrong")
    event = AuditEvent.objects.get(action="login_locked_out")
    attempt = AccessAttempt.objects.get(username="nobody-here")
    assert (event.object_type, event.object_id) == ("axes.accessattempt", str(attempt.pk))
    assert event.data["username"] == "nobody-here"


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(UserFactory(username="ada", is_staff=True, is_superuser=True))
    return client


def test_an_administrator_sees_the_lockout_and_lifts_it(client, anna, admin_client):
    for _ in range(3):
        log_in(client, "anna", "wrong")
    changelist = reverse("admin:axes_accessattempt_changelist")
    page = admin_client.get(changelist).content.decode()
    assert "anna" in page and "10.0.0.1" in page
    attempt = AccessAttempt.objects.get(username="anna")
    lifted = admin_client.post(changelist, {"action": "lift_lockout", "_selected_action": [attempt.pk]})
    assert lifted.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert log_in(client, "anna", PASSWORD).status_code == 302 and logged_in(client)
    event = AuditEvent.objects.get(action="login_lockout_lifted")
    assert event.actor.username == "ada" and event.object_id == str(anna.pk)
    assert event.data["username"] == "anna"


def test_an_administrator_cannot_delete_attempts_without_the_audited_lift(admin_client):
    AccessAttempt.objects.create(
        username="anna", ip_address="10.0.0.1", user_agent="x", failures_since_start=3, get_data="", post_data=""
    )
    page = admin_client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert 'value="lift_lockout"' in page and 'value="delete_selected"' not in page


def test_the_login_still_works_with_the_right_password(client, anna):
    assert log_in(client, "anna", "wrong").status_code == 200
    assert log_in(client, "anna", PASSWORD).status_code == 302 and logged_in(client)


def test_a_control_character_in_a_header_the_throttle_stores_is_no_database_error(client, anna):
    """The failure's row keeps the User-Agent and Accept headers: a NUL is a DataError on PostgreSQL."""
    response = client.post(
        reverse("login"),
        {"username": "anna", "password": "wrong"},
        HTTP_USER_AGENT="robot\x00/1.0",
        HTTP_ACCEPT="text/html\x00",
    )
    assert response.status_code == 200
    assert AccessAttempt.objects.get(username="anna").user_agent == "robot\ufffd/1.0"


def test_a_username_longer_than_any_is_counted_cut_short_not_a_database_error(client):
    """axes keeps the username in a varchar(255): 256 characters were a DataError on PostgreSQL."""
    for _ in range(3):
        assert log_in(client, "A" * 256, "wrong").status_code in (200, 429)
    assert AccessAttempt.objects.get().username == "A" * 150
    assert alert(log_in(client, "A" * 300, "wrong")) == LOCKED


def test_behind_a_trusted_proxy_the_client_address_is_counted(client, anna, settings):
    settings.RSPORTAL_TRUSTED_PROXIES = 1
    client.post(
        reverse("login"),
        {"username": "anna", "password": "wrong"},
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.5",
    )
    client.post(
        reverse("login"),
        {"username": "anna", "password": "wrong"},
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="not-an-address",
    )
    assert sorted(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.0.0.5", "10.9.9.9"]
