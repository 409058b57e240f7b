import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from audit.models import AuditEvent
from sso.session import SEEN_AT_KEY
from tests.sso.sessions import FREJA_3, log_in_with

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def timeouts(settings):
    settings.RSPORTAL_SESSION_IDLE_MINUTES = 30
    settings.RSPORTAL_SESSION_SECONDS = 8 * 3600


def test_a_session_idle_longer_than_the_setting_is_logged_out_and_told_why(client, employee):
    log_in_with(client, employee.user, FREJA_3, logged_in_ago=3600, seen_ago=31 * 60)
    response = client.get(reverse("orders:mine"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('orders:mine')}"
    assert "_auth_user_id" not in client.session
    words = [str(m) for m in get_messages(response.wsgi_request)]
    assert words == ["Du loggades ut eftersom du inte gjort något på 30 minuter. Logga in igen."]
    ended = AuditEvent.objects.get(action="session_idle_ended")
    assert ended.data["orsak"] == "idle" and ended.data["inloggning"] == FREJA_3.as_audit()


def test_a_session_older_than_its_lifetime_is_logged_out_however_busy(client, employee):
    log_in_with(client, employee.user, FREJA_3, logged_in_ago=8 * 3600 + 1, seen_ago=5)
    response = client.get(reverse("orders:mine"))
    assert response.url.startswith(reverse("login"))
    assert "inloggningen gäller högst 8 timmar" in str(next(iter(get_messages(response.wsgi_request))))


def test_an_htmx_request_of_an_ended_session_takes_the_whole_page_to_the_login(client, employee):
    log_in_with(client, employee.user, FREJA_3, seen_ago=31 * 60)
    response = client.get(reverse("orders:mine"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_a_session_in_use_stays_and_last_seen_is_written_at_most_once_a_minute(client, employee):
    log_in_with(client, employee.user, FREJA_3, logged_in_ago=3600, seen_ago=29 * 60)
    assert client.get(reverse("orders:mine")).status_code == 200
    seen = client.session[SEEN_AT_KEY]
    log_in_with(client, employee.user, FREJA_3, seen_ago=30)
    before = client.session[SEEN_AT_KEY]
    response = client.get(reverse("orders:mine"))
    assert response.status_code == 200
    assert not response.wsgi_request.session.modified  # no session write for this request
    assert client.session[SEEN_AT_KEY] == before and before < seen + 60


def test_a_login_that_did_not_record_its_time_is_left_to_djangos_own_expiry(client, employee):
    client.force_login(employee.user)
    assert client.get(reverse("orders:mine")).status_code == 200
    assert SEEN_AT_KEY not in client.session
