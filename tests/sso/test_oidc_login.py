"""Logging in over OpenID Connect in Chromium, through the real provider process: matched to the
employee with the method and level shown, an unknown person told so, logout out of the provider
too, and stepping up from a password login (LoA2) to Freja eID+ (LoA3)."""

import re

import pytest
from playwright.sync_api import expect

from demoidp.people import DEFAULT_PASSWORD
from tests.factories import CardFactory, EmployeeFactory

from .oidc_provider import oidc, oidc_provider  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def employee(oidc, transactional_db):  # noqa: F811
    employee = EmployeeFactory(user__first_name="Olle", user__last_name="Oidcsson")
    oidc.add_employee(employee, username=employee.user.username)
    return employee


def log_in_at_the_provider(page, username: str, method: str) -> None:
    expect(page.get_by_role("heading", name="Region Skånes inloggning")).to_be_visible()
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_label(method).check()
    page.get_by_role("button", name="Logga in").click()


def test_logging_in_with_the_regions_login_as_the_known_employee(page, live_server, employee):
    page.goto("/logga-in/")
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()
    log_in_at_the_provider(page, employee.user.username, "Freja eID+ (tillitsnivå 3)")

    expect(page).to_have_url(f"{live_server.url}/mina-kort/")  # home, for an employee
    expect(page.locator("form.logout")).to_contain_text("Olle Oidcsson")
    expect(page.locator(".login-assurance")).to_have_text("Inloggad med Freja eID+, tillitsnivå 3")


def test_a_person_the_provider_knows_and_rs_portal_does_not_gets_the_unknown_person_page(page, oidc, transactional_db):  # noqa: F811
    oidc.add_person(username="okand-person", hsa_id="SE2321000289-X99999", personnummer="195001019995")

    page.goto("/logga-in/")
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()
    log_in_at_the_provider(page, "okand-person", "BankID (tillitsnivå 3)")

    expect(page.get_by_role("heading", name="Du finns inte i RS-portal")).to_be_visible()
    expect(page.locator("form.logout")).to_have_count(0)


def test_logging_out_ends_the_providers_session_too(page, live_server, employee):
    page.goto("/logga-in/")
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()
    log_in_at_the_provider(page, employee.user.username, "Mobilt SITHS (tillitsnivå 3)")
    expect(page.locator(".login-assurance")).to_have_text("Inloggad med Mobilt SITHS, tillitsnivå 3")

    page.get_by_role("button", name="Logga ut").click()

    expect(page).to_have_url(re.compile(r"/logga-in/"))
    expect(page.get_by_text("Du är utloggad.")).to_be_visible()
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()
    # The provider asks for the password again: its session ended with ours.
    expect(page.get_by_label("Användarnamn")).to_be_visible()
    expect(page.get_by_label("Lösenord", exact=True)).to_be_visible()


def test_stepping_up_from_a_password_login_to_freja(page, live_server, employee, settings):
    settings.RSPORTAL_MIN_LEVEL_ORDER = 3
    card = CardFactory(holder=employee)
    page.goto("/logga-in/")
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()
    log_in_at_the_provider(page, employee.user.username, "Lösenord (tillitsnivå 2)")
    expect(page.locator(".login-assurance")).to_have_text("Inloggad med lösenord, tillitsnivå 2")

    page.goto(f"/bestall/{card.pk}/")
    expect(page.get_by_role("heading", name="Din inloggning räcker inte för det här")).to_be_visible()
    page.get_by_role("link", name="Logga in med en starkare metod").click()

    # The provider's session is at level 2: it asks again, and offers only level 3 and up.
    expect(page.get_by_label("Lösenord (tillitsnivå 2)")).to_have_count(0)
    log_in_at_the_provider(page, employee.user.username, "Freja eID+ (tillitsnivå 3)")

    expect(page).to_have_url(f"{live_server.url}/bestall/{card.pk}/")
    expect(page.locator(".login-assurance")).to_have_text("Inloggad med Freja eID+, tillitsnivå 3")
    expect(page.get_by_role("heading", name="Din inloggning räcker inte för det här")).to_have_count(0)
