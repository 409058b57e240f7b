"""What RS-portal answers when the SAML IdP's answer is wrong: the real IdP process is told to
spoil its next response, and each refusal is a page of ours (never a 500), with nobody logged in."""

import pytest
import requests

from audit.actions import AuditAction
from audit.models import AuditEvent

from ..factories import EmployeeFactory
from .saml_idp import idp_answer, saml, saml_idp, saml_sp_keys  # noqa: F401 (fixtures)


@pytest.fixture
def person(saml):  # noqa: F811
    employee = EmployeeFactory(user__username="saml-berit")
    saml.add_employee(employee, "berit-idp")
    return employee


def assert_nobody_logged_in(browser, live_url):
    home = browser.get(live_url + "/", allow_redirects=False, timeout=10)
    assert home.status_code == 302 and "/logga-in/" in home.headers["Location"]
    assert not AuditEvent.objects.filter(action=AuditAction.LOGGED_IN).exists()


def refused(saml, live_server, fault):  # noqa: F811
    browser = requests.Session()
    saml.spoil_next_response(fault)
    acs, form = idp_answer(browser, live_server.url, username="berit-idp")
    answer = browser.post(acs, data=form, allow_redirects=False, timeout=10)
    return browser, answer


def test_a_response_with_a_bad_signature_is_refused(saml, live_server, person):  # noqa: F811
    browser, answer = refused(saml, live_server, "bad_signature")

    assert answer.status_code == 403
    assert "saknade en giltig underskrift och godtogs inte" in answer.text
    assert_nobody_logged_in(browser, live_server.url)


def test_an_unsigned_response_is_refused(saml, live_server, person):  # noqa: F811
    browser, answer = refused(saml, live_server, "unsigned")

    assert answer.status_code == 403
    assert "saknade en giltig underskrift och godtogs inte" in answer.text
    assert_nobody_logged_in(browser, live_server.url)


def test_a_response_for_another_audience_is_refused(saml, live_server, person):  # noqa: F811
    browser, answer = refused(saml, live_server, "wrong_audience")

    assert answer.status_code == 403
    assert "var ställt till en annan tjänst och godtogs inte" in answer.text
    assert_nobody_logged_in(browser, live_server.url)


def test_an_expired_response_is_refused(saml, live_server, person):  # noqa: F811
    browser, answer = refused(saml, live_server, "expired")

    assert answer.status_code == 403
    assert "var inte giltigt längre" in answer.text
    assert_nobody_logged_in(browser, live_server.url)


def test_an_unsolicited_response_is_refused(saml, live_server, person):  # noqa: F811
    browser, answer = refused(saml, live_server, "unsolicited")

    assert answer.status_code == 403
    assert "hörde inte till någon inloggning som pågår här" in answer.text
    assert_nobody_logged_in(browser, live_server.url)


def test_a_replayed_response_is_refused_in_the_same_browser_and_in_another(saml, live_server, person):  # noqa: F811
    browser = requests.Session()
    acs, form = idp_answer(browser, live_server.url, username="berit-idp")
    assert browser.post(acs, data=form, allow_redirects=False, timeout=10).status_code == 302

    again = browser.post(acs, data=form, allow_redirects=False, timeout=10)
    elsewhere = requests.post(acs, data=form, allow_redirects=False, timeout=10)

    for answer in (again, elsewhere):
        assert answer.status_code == 403
        assert "hörde inte till någon inloggning som pågår här, eller har redan använts" in answer.text
    assert AuditEvent.objects.filter(action=AuditAction.LOGGED_IN).count() == 1


def test_a_next_pointing_off_site_ends_on_the_site(saml, live_server, person):  # noqa: F811
    browser = requests.Session()
    acs, form = idp_answer(browser, live_server.url, username="berit-idp",
                           start="/saml2/login/?next=https://evil.example/")  # fmt: skip
    answer = browser.post(acs, data=form, allow_redirects=False, timeout=10)

    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"


def test_a_relay_state_changed_to_off_site_on_the_way_ends_on_the_site(saml, live_server, person):  # noqa: F811
    browser = requests.Session()
    acs, form = idp_answer(browser, live_server.url, username="berit-idp")
    form["RelayState"] = "//evil.example/steal"
    answer = browser.post(acs, data=form, allow_redirects=False, timeout=10)

    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"


def test_a_login_below_the_level_for_ordering_is_held_at_the_step_up_page(saml, live_server, card, settings):  # noqa: F811
    settings.RSPORTAL_MIN_LEVEL_ORDER = 3
    saml.add_employee(card.holder, "anna-idp")
    browser = requests.Session()
    acs, form = idp_answer(browser, live_server.url, username="anna-idp", method="password")
    assert browser.post(acs, data=form, allow_redirects=False, timeout=10).status_code == 302

    answer = browser.get(f"{live_server.url}/bestall/{card.pk}/", timeout=10)

    assert answer.status_code == 403
    assert "Det här kräver tillitsnivå 3. Du är inloggad med tillitsnivå 2." in answer.text
    assert f"/inloggning/hojd-niva/?niva=3&amp;next=%2Fbestall%2F{card.pk}%2F" in answer.text
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_STEP_UP_REQUIRED).exists()


def test_a_person_rs_portal_does_not_know_gets_the_unknown_person_page(saml, live_server):  # noqa: F811
    saml.add_person(username="okand-idp", hsa_id="SE2321000289-X99999", personnummer="191212121212")
    browser = requests.Session()
    acs, form = idp_answer(browser, live_server.url, username="okand-idp")
    answer = browser.post(acs, data=form, allow_redirects=False, timeout=10)

    assert answer.status_code == 302
    assert answer.headers["Location"] == "/inloggning/okand/"
    assert AuditEvent.objects.filter(action=AuditAction.SSO_UNKNOWN_PERSON).exists()
    assert_nobody_logged_in(browser, live_server.url)


def test_a_post_to_the_acs_without_a_response_is_a_page_not_an_error(saml, live_server):  # noqa: F811
    answer = requests.post(f"{live_server.url}/saml2/acs/", data={"RelayState": "/"}, timeout=10)

    assert answer.status_code == 400
    assert "Inget svar från inloggningstjänsten kom med." in answer.text


def test_garbage_in_place_of_a_response_is_refused(saml, live_server):  # noqa: F811
    answer = requests.post(f"{live_server.url}/saml2/acs/", data={"SAMLResponse": "bm90IFhNTA=="}, timeout=10)

    assert answer.status_code == 403
    assert "godtogs inte" in answer.text


@pytest.mark.parametrize("path", ["http://127.0.0.1:9/metadata", "/saml2/metadata/", "/logga-in/"])
def test_an_idp_that_can_not_be_reached_or_read_is_a_page_not_an_error(saml, live_server, settings, path):  # noqa: F811
    # Nobody there; an SP's metadata (no IdP in it); a web page, not metadata.
    settings.RSPORTAL_SAML_IDP_METADATA_URL = path if path.startswith("http") else live_server.url + path

    answer = requests.get(f"{live_server.url}/saml2/login/?next=/", allow_redirects=False, timeout=20)

    assert answer.status_code == 503
    assert "Inloggningstjänsten går inte att nå just nu" in answer.text


def test_the_saml_endpoints_are_not_there_when_saml_is_not_the_sites_login(settings, client, db):
    settings.RSPORTAL_SSO = ""

    assert client.get("/saml2/login/").status_code == 404
    assert client.post("/saml2/acs/", {"SAMLResponse": "x"}).status_code == 404
