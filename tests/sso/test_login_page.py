import pytest
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory
from tests.sso import protocol_stub
from tests.sso.sessions import FREJA_3, log_in_with

pytestmark = pytest.mark.django_db
BUTTON = "Logga in med Region Skånes inloggning"


@pytest.fixture
def sso(settings):
    settings.RSPORTAL_SSO = "saml"
    settings.RSPORTAL_SSO_MODULES = protocol_stub.MODULES


def log_in(client, username, password=PASSWORD, next_url=""):
    return client.post(reverse("login"), {"username": username, "password": password, "next": next_url})


def test_the_idp_button_comes_first_and_leads_to_the_idp_with_where_to_come_back(client, sso):
    page = client.get(reverse("login"), {"next": "/mina-kort/"})
    html = page.content.decode()
    assert html.index(BUTTON) < html.index('name="password"')
    assert 'href="https://idp.test/login?next=%2Fmina-kort%2F&amp;level="' in html


def test_without_single_sign_on_there_is_no_button_and_the_password_form_logs_in(client, employee):
    html = client.get(reverse("login")).content.decode()
    assert BUTTON not in html and 'name="password"' in html
    assert log_in(client, "anna").status_code == 302
    logged_in = AuditEvent.objects.get(action="logged_in")
    assert logged_in.actor == employee.user
    assert (logged_in.data["protokoll"], logged_in.data["tillitsniva"]) == ("password", 1)


def test_the_password_form_is_gone_where_password_logins_are_off(client, sso, settings, employee):
    settings.RSPORTAL_PASSWORD_LOGIN = "none"
    html = client.get(reverse("login")).content.decode()
    assert BUTTON in html and 'name="password"' not in html
    assert log_in(client, "anna").status_code == 403
    assert "_auth_user_id" not in client.session


def test_break_glass_lets_in_only_the_listed_superusers(client, sso, settings):
    settings.RSPORTAL_PASSWORD_LOGIN = "break-glass"
    settings.RSPORTAL_BREAK_GLASS_USERS = ["nodkonto", "listed-but-not-super"]
    UserFactory(username="nodkonto", is_superuser=True, is_staff=True)
    UserFactory(username="unlisted-super", is_superuser=True, is_staff=True)
    UserFactory(username="listed-but-not-super")
    html = client.get(reverse("login")).content.decode()
    assert html.index(BUTTON) < html.index("Reservinloggning för administratörer")
    for refused in ("unlisted-super", "listed-but-not-super"):
        response = log_in(client, refused)
        assert response.status_code == 200 and "_auth_user_id" not in client.session
        # The same words as a wrong password: the answer does not tell the password was right.
        assert response.content.decode().count("får kontot inte logga in med lösenord") == 1
    wrong = log_in(client, "unlisted-super", "wrong-password").content.decode()
    assert "får kontot inte logga in med lösenord" in wrong
    assert log_in(client, "nodkonto").status_code == 302


def test_the_admin_login_follows_the_same_rules(client, settings):
    settings.RSPORTAL_PASSWORD_LOGIN = "break-glass"
    UserFactory(username="staff", is_superuser=True, is_staff=True)
    response = client.post("/admin/login/", {"username": "staff", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_the_login_throttle_still_locks_out_with_its_message(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="olof")
    for _ in range(2):
        log_in(client, "olof", "wrong")
    locked = log_in(client, "olof")
    assert locked.status_code == 429
    assert "För många misslyckade inloggningar" in locked.content.decode()


def test_logout_after_a_single_sign_on_login_ends_the_idp_session_too(client, sso, employee):
    log_in_with(client, employee.user, FREJA_3)
    response = client.post(reverse("logout"))
    assert response.url == protocol_stub.IDP_LOGOUT
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.get(action="logged_out").data["inloggning"] == FREJA_3.as_audit()


def test_logout_after_a_password_login_is_local(client, sso, employee):
    log_in(client, "anna")
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session
