"""End to end in Chromium: the operator logs in to the station software (the desk agent)
through RS-portal's login in the desk PC's browser. Agent page -> RS-portal (its password
form, or the real OpenID provider process, demoidp.oidc) -> back at the agent with a
one-time code, which the agent exchanges through the station API. RS-portal runs on
"localhost" and the agent on 127.0.0.1: two sites, as a desk PC and the server are, so
the agent's SameSite=Strict cookie does not come along on the way back."""

import pytest

from audit.models import AuditEvent
from cards.agent.agent import Agent
from demoidp.people import DEFAULT_PASSWORD
from desk.models import DeskSession
from tests.factories import PASSWORD
from tests.sso.oidc_provider import oidc, oidc_provider  # noqa: F401

from .conftest import make_operator, make_station

pytestmark = [pytest.mark.pcsc, pytest.mark.browser]


@pytest.fixture
def station(transactional_db):
    station = make_station("Kortstation Lund, Universitetssjukhuset")
    make_operator("olle", station)
    return station


@pytest.fixture
def agent(live_server, rs_slot, station):
    assert "localhost" in live_server.url  # another site than the agent's 127.0.0.1
    agent = Agent(
        server_url=live_server.url,
        credential=station.credential,
        port=0,
        reader=rs_slot.reader,
        announce=lambda link: None,
        heartbeat=0,
    )
    agent.pairing_link = agent.start()
    yield agent
    agent.stop()


@pytest.fixture
def agent_page(browser, agent):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(agent.pairing_link)
    yield page
    context.close()


def log_in_to_rs_portal(page, username, password=PASSWORD):
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


def test_the_operator_logs_in_at_the_station_through_rs_portals_login(agent_page, agent, live_server):
    page = agent_page
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()
    page.wait_for_url(f"{live_server.url}/logga-in/**")
    log_in_to_rs_portal(page, "olle")
    page.get_by_text("Operatör: Olle Operatör · Kortstation Lund, Universitetssjukhuset").wait_for()
    assert page.url == f"{agent.origin}/"
    assert "code=" not in page.url

    login = AuditEvent.objects.get(action="desk_login")
    assert login.data["by_code"] is True
    assert login.data["inloggning"]["protokoll"] == "password"  # RS-portal's own password login here
    session = DeskSession.objects.get()
    assert session.login_code and session.ended_at is None

    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("heading", name="Logga in vid kortstationen").wait_for()
    assert DeskSession.objects.get().ended_at is not None


def test_someone_not_an_operator_at_the_station_is_told_so_at_rs_portal(agent_page, agent, live_server, station):
    from tests.factories import UserFactory

    UserFactory(username="nils")
    page = agent_page
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()
    log_in_to_rs_portal(page, "nils")
    page.get_by_text("Du har inte behörighet att arbeta vid den här kortstationen.").wait_for()
    assert page.url.startswith(live_server.url)
    assert not DeskSession.objects.exists()
    assert AuditEvent.objects.get(action="desk_login_refused").data["refusal"] == "not_operator"


def test_a_callback_without_the_agents_state_logs_nobody_in(agent_page, agent):
    page = agent_page
    page.goto(f"{agent.origin}/inloggad?code=forged&state=not-the-agents-state")
    page.get_by_text("Inloggningen hör inte till den här kortstationen").wait_for()
    page.get_by_role("heading", name="Logga in vid kortstationen").wait_for()
    assert not DeskSession.objects.exists()


def test_the_password_form_stays_and_the_server_says_when_it_is_off(agent_page, settings):
    settings.RSPORTAL_PASSWORD_LOGIN = "break-glass"
    page = agent_page
    page.get_by_label("Användarnamn").fill("olle")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.get_by_text("Inloggning med lösenord är avstängd vid kortstationen.").wait_for()
    assert not DeskSession.objects.exists()


# --- through the real OpenID provider (python -m demoidp.oidc) --------------------------------


@pytest.fixture
def oidc_operator(oidc, station):  # noqa: F811
    """An employee the provider knows, who is an operator at the station."""
    from django.contrib.auth.models import Permission

    from tests.factories import EmployeeFactory

    employee = EmployeeFactory(user__username="oline", user__first_name="Oline", user__last_name="Operatör")
    user = employee.user
    user.user_permissions.add(Permission.objects.get(codename="operate_station", content_type__app_label="cards"))
    station.operators.add(user)
    oidc.add_employee(employee, username="oline")
    return user


def log_in_at_the_provider(page, username, method):
    page.get_by_role("heading", name="Region Skånes inloggning").wait_for()
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_label(method).check()
    page.get_by_role("button", name="Logga in").click()


def test_the_operator_logs_in_at_the_station_through_the_regions_idp(agent_page, agent, live_server, oidc_operator):
    page = agent_page
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()
    page.wait_for_url(f"{live_server.url}/logga-in/**")
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()  # RS-portal's, to the IdP
    log_in_at_the_provider(page, "oline", "Freja eID+ (tillitsnivå 3)")
    page.get_by_text("Operatör: Oline Operatör · Kortstation Lund, Universitetssjukhuset").wait_for()
    assert page.url == f"{agent.origin}/"

    login = AuditEvent.objects.get(action="desk_login")
    assert login.actor == oidc_operator
    assert (login.data["inloggning"]["protokoll"], login.data["inloggning"]["metod"]) == ("oidc", "freja")
    assert login.data["inloggning"]["tillitsniva"] == 3
    assert DeskSession.objects.get().assurance["tillitsniva"] == 3


def test_below_the_desks_level_the_operator_steps_up_on_the_way_to_the_station(
    agent_page, agent, live_server, oidc_operator, settings
):
    settings.RSPORTAL_MIN_LEVEL_DESK = 3
    page = agent_page
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()
    page.get_by_role("link", name="Logga in med Region Skånes inloggning").click()
    log_in_at_the_provider(page, "oline", "Lösenord (tillitsnivå 2)")
    page.get_by_role("heading", name="Din inloggning räcker inte för det här").wait_for()
    assert not DeskSession.objects.exists()
    page.get_by_role("link", name="Logga in med en starkare metod").click()
    log_in_at_the_provider(page, "oline", "SITHS eID (tillitsnivå 4)")
    page.get_by_text("Operatör: Oline Operatör").wait_for()
    assert AuditEvent.objects.get(action="desk_login").data["inloggning"]["tillitsniva"] == 4
