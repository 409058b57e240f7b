"""SAML login in Chromium through the real demo IdP process: in, matched or refused, stepping up,
and single logout."""

import re

import pytest
from playwright.sync_api import expect

from ..factories import EmployeeFactory
from .saml_idp import PASSWORD, saml, saml_idp, saml_sp_keys  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def method(page, label):
    return page.get_by_role("radio", name=re.compile(r"^\s*" + re.escape(label) + r" \(tillitsnivå"))


def log_in_at_idp(page, username, method_label):
    expect(page.get_by_role("heading", name="Demo-IdP: logga in")).to_be_visible()
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    method(page, method_label).check()
    page.get_by_role("button", name="Logga in").click()


def test_logging_in_with_the_idp_button_shows_the_method_and_level(saml, page):  # noqa: F811
    employee = EmployeeFactory(user__username="saml-cecilia", user__first_name="Cecilia", user__last_name="Ceder")
    saml.add_employee(employee, "cecilia-idp")

    page.goto("/logga-in/")
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()
    log_in_at_idp(page, "cecilia-idp", "Freja eID+")

    expect(page.locator(".login-assurance")).to_have_text("Inloggad med Freja eID+, tillitsnivå 3")
    expect(page.locator("form.logout")).to_contain_text("Cecilia Ceder")


def test_a_person_rs_portal_does_not_know_lands_on_the_unknown_person_page(saml, page):  # noqa: F811
    saml.add_person(username="okand-browser", hsa_id="SE2321000289-X88888", personnummer="191010101010")

    page.goto("/logga-in/")
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()
    log_in_at_idp(page, "okand-browser", "BankID")

    expect(page.get_by_role("heading", name="Du finns inte i RS-portal")).to_be_visible()
    expect(page).to_have_url(re.compile("/inloggning/okand/$"))


def test_single_logout_ends_the_session_here_and_at_the_idp(saml, page):  # noqa: F811
    employee = EmployeeFactory(user__username="saml-david", user__first_name="David")
    saml.add_employee(employee, "david-idp")
    page.goto("/logga-in/")
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()
    log_in_at_idp(page, "david-idp", "Mobilt SITHS")
    expect(page.locator(".login-assurance")).to_have_text("Inloggad med Mobilt SITHS, tillitsnivå 3")

    idp_cookie = [c for c in page.context.cookies(saml.url) if c["name"] == "demoidp_saml_session"]
    assert idp_cookie

    page.get_by_role("button", name="Logga ut").click()

    expect(page).to_have_url(re.compile("/logga-in/"))
    page.goto("/")
    expect(page).to_have_url(re.compile("/logga-in/"))
    # The IdP asks for the password again, even given its old cookie back: its session ended too.
    page.context.add_cookies(idp_cookie)
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()
    expect(page.get_by_role("heading", name="Demo-IdP: logga in")).to_be_visible()


def test_the_idp_session_logs_in_again_without_the_password(saml, page):  # noqa: F811
    employee = EmployeeFactory(user__username="saml-erik", user__first_name="Erik")
    saml.add_employee(employee, "erik-idp")
    page.goto("/logga-in/")
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()
    log_in_at_idp(page, "erik-idp", "BankID")
    expect(page.locator(".login-assurance")).to_be_visible()

    page.context.clear_cookies(name="sessionid")  # RS-portal's session gone, the IdP's kept
    page.goto("/logga-in/")
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()

    expect(page.locator(".login-assurance")).to_have_text("Inloggad med BankID, tillitsnivå 3")


def test_a_login_below_the_level_for_ordering_steps_up_through_the_idp(saml, page, card, settings):  # noqa: F811
    settings.RSPORTAL_MIN_LEVEL_ORDER = 3
    saml.add_employee(card.holder, "anna-idp")
    page.goto("/logga-in/")
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()
    log_in_at_idp(page, "anna-idp", "Lösenord")
    expect(page.locator(".login-assurance")).to_have_text("Inloggad med lösenord, tillitsnivå 2")

    page.goto(f"/bestall/{card.pk}/")
    expect(page.get_by_role("heading", name="Din inloggning räcker inte för det här")).to_be_visible()
    page.get_by_role("link", name="Logga in med en starkare metod").click()

    # The IdP asks again (its session is only level 2) and offers no method below 3.
    expect(page.get_by_text("Tjänsten kräver tillitsnivå 3 eller högre.")).to_be_visible()
    expect(method(page, "Lösenord")).to_have_count(0)
    log_in_at_idp(page, "anna-idp", "Freja eID+")

    expect(page).to_have_url(re.compile(f"/bestall/{card.pk}/$"))
    expect(page.locator(".login-assurance")).to_have_text("Inloggad med Freja eID+, tillitsnivå 3")
    expect(page.get_by_role("heading", name="Din inloggning räcker inte för det här")).to_have_count(0)
