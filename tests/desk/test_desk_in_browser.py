"""End to end: Chromium -> the desk agent's page -> the agent -> live RS-portal and a
private pcscd -> vpcd -> the virtual card. The test proves the result with its own APDUs."""

import logging

import pytest

from audit.models import AuditEvent
from cards.agent.agent import Agent
from cards.reader import apdu, transport
from cards.reader.codes import Code
from cards.reader.profiles import RS_KORT
from tests.cards.fakes import rs_state
from tests.factories import CardFactory, give_puk

from .conftest import make_operator, make_station

pytestmark = [pytest.mark.pcsc, pytest.mark.browser]

PUK, NEW_PIN, OTHER_NEW_PIN = "73194628", "246813", "580146"
LEGITIMERING, PUK_REFERENCE = 0x81, 0x83


@pytest.fixture
def desk_card(transactional_db, employee, rs_slot):
    """A card in the registry and in the reader: legitimering PIN blocked."""
    card = CardFactory(holder=employee, card_number="9752270000010012")
    give_puk(card, PUK)
    rs_slot.put(rs_state(card_number=card.card_number, puk=PUK, pin_tries_left={"legitimering": 0}))
    return card


@pytest.fixture
def agent(live_server, rs_slot, desk_card, transactional_db):
    """The agent, started once the card is in the reader: a card put in while it watches
    would be seen going out and in again under the test's feet."""
    station = make_station("Kortstation Lund, Universitetssjukhuset")
    make_operator("olle", station)
    make_operator("ove", station)
    agent = Agent(
        server_url=live_server.url,
        credential=station.credential,
        port=0,
        reader=rs_slot.reader,
        announce=lambda link: None,
    )
    agent.pairing_link = agent.start()
    yield agent
    agent.stop()


@pytest.fixture
def desk_page(browser, agent):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(agent.pairing_link)
    page.get_by_label("Användarnamn").fill("olle")
    page.get_by_label("Lösenord").fill("test-password-123")
    page.get_by_role("button", name="Logga in").click()
    yield page
    context.close()


def own_apdus(slot, *commands):
    """The test's own SELECT and commands on a fresh connection (not the agent's code path):
    their status words."""
    conn = transport.connect(slot.reader)
    try:
        assert conn.transmit(conn.profile.select()).sw == 0x9000
        return [conn.transmit(command).sw for command in commands]
    finally:
        conn.close()


def the_pin_is_new_and_the_counters_full(slot, new_pin):
    """Before any VERIFY resets it: the PIN's counter at three and the PUK's at ten (empty
    VERIFYs spend nothing); then the new PIN verifies."""
    verify_new = apdu.verify(LEGITIMERING, RS_KORT.code_block(Code(new_pin)))
    return own_apdus(slot, apdu.verify_status(LEGITIMERING), apdu.verify_status(PUK_REFERENCE), verify_new) == [
        0x63C3,
        0x63CA,
        0x9000,
    ]


def check_id(page, document="Pass"):
    page.get_by_label("Id-handling").select_option(label=document)
    page.get_by_role("button", name="Registrera ID-kontrollen").click()
    page.get_by_text(f"Gjord: {document}.").wait_for()


def test_assisted_unblock_sets_the_new_pin_and_never_shows_the_puk(desk_page, desk_card, rs_slot):
    page = desk_page
    page.get_by_role("heading", name="Kort i läsaren").wait_for()
    page.get_by_text(f"Kortnummer: {desk_card.card_number}").wait_for()
    page.get_by_text(f"Innehavare: {desk_card.holder.full_name}").wait_for()
    page.get_by_text("PIN-koden för legitimering: spärrad").wait_for()
    check_id(page)
    form = page.get_by_role("form", name="Assisterad upplåsning")
    form.get_by_label("Ny PIN-kod (6 siffror)").fill(NEW_PIN)
    form.get_by_label("Ny PIN-kod igen").fill(NEW_PIN)
    form.get_by_role("button", name="Assisterad upplåsning").click()
    page.get_by_text("PIN-koden för legitimering är upplåst och har en ny kod. Tre försök kvar.").wait_for()
    assert PUK not in page.content()

    assert the_pin_is_new_and_the_counters_full(rs_slot, NEW_PIN)
    done = AuditEvent.objects.get(action="desk_unblock_outcome")
    assert (done.data["result"], done.data["tries_left"], done.data["assisted"]) == ("done", 3, True)
    assert {"desk_card_read", "desk_id_checked", "desk_ticket_issued", "desk_ticket_used"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )
    assert not any(PUK in str(e.data) for e in AuditEvent.objects.all())


def test_unblock_with_the_holders_puk(desk_page, desk_card, rs_slot):
    page = desk_page
    check_id(page, "Körkort")
    form = page.get_by_role("form", name="Med kortinnehavarens PUK-kod")
    form.get_by_label("PUK-kod (kortinnehavaren skriver)").fill(PUK)
    form.get_by_label("Ny PIN-kod (6 siffror)").fill(NEW_PIN)
    form.get_by_label("Ny PIN-kod igen").fill(NEW_PIN)
    form.get_by_role("button", name="Lås upp med kortinnehavarens PUK-kod").click()
    page.get_by_text("PIN-koden för legitimering är upplåst och har en ny kod. Tre försök kvar.").wait_for()
    assert the_pin_is_new_and_the_counters_full(rs_slot, NEW_PIN)
    assert not AuditEvent.objects.filter(action="desk_ticket_issued").exists()


def test_no_unblock_without_the_id_check(desk_page, desk_card, rs_slot):
    page = desk_page
    before = rs_slot.state()
    form = page.get_by_role("form", name="Assisterad upplåsning")
    form.get_by_label("Ny PIN-kod (6 siffror)").fill(NEW_PIN)
    form.get_by_label("Ny PIN-kod igen").fill(NEW_PIN)
    form.get_by_role("button", name="Assisterad upplåsning").click()
    page.get_by_text("Gör ID-kontrollen av kortinnehavaren först. Inget skickades till kortet.").wait_for()
    assert rs_slot.state() == before
    assert not AuditEvent.objects.filter(action__in=["desk_unblock_started", "desk_ticket_issued"]).exists()


def test_card_removed_in_the_middle(desk_page, desk_card, rs_slot):
    page = desk_page
    check_id(page)
    rs_slot.tear("before", apdu.INS_RESET_RETRY_COUNTER)
    form = page.get_by_role("form", name="Assisterad upplåsning")
    form.get_by_label("Ny PIN-kod (6 siffror)").fill(NEW_PIN)
    form.get_by_label("Ny PIN-kod igen").fill(NEW_PIN)
    form.get_by_role("button", name="Assisterad upplåsning").click()
    page.get_by_text("Kortet togs ut innan åtgärden var klar").wait_for()
    page.get_by_role("heading", name="Inget kort i läsaren").wait_for()
    assert AuditEvent.objects.get(action="desk_unblock_outcome").data["result"] == "card_removed"
    assert rs_slot.state().pin_tries_left["legitimering"] == 0  # nothing reached the card
    rs_slot.insert()
    page.get_by_text("PIN-koden för legitimering: spärrad").wait_for()  # the next read says so
    page.get_by_label("Id-handling").wait_for()  # a new visit: the ID check again
    assert own_apdus(rs_slot, apdu.verify_status(LEGITIMERING)) == [0x6983]  # still blocked


def test_the_page_follows_the_card_live_and_closes_an_open_order(desk_page, desk_card, rs_slot, contact_person):
    from tests.factories import approved_order

    page = desk_page
    order = approved_order(desk_card, contact_person)
    rs_slot.remove()
    page.get_by_role("heading", name="Inget kort i läsaren").wait_for()
    rs_slot.insert()
    page.get_by_text(f"{order.reference}").wait_for()
    check_id(page)
    page.get_by_role("button", name="Stäng beställningen: hanterad på kortstationen").click()
    page.get_by_text("Beställningen är stängd").wait_for()
    order.refresh_from_db()
    assert order.state == "handled_at_desk"


def unblock_in_the_page(page, form_name, new_pin, puk=None):
    form = page.get_by_role("form", name=form_name)
    if puk:
        form.get_by_label("PUK-kod (kortinnehavaren skriver)").fill(puk)
    form.get_by_label("Ny PIN-kod (6 siffror)").fill(new_pin)
    form.get_by_label("Ny PIN-kod igen").fill(new_pin)
    form.get_by_role("button").click()
    page.get_by_text("PIN-koden för legitimering är upplåst och har en ny kod. Tre försök kvar.").wait_for()


def test_no_code_reaches_the_agents_or_the_servers_log(desk_page, desk_card, rs_slot, caplog):
    caplog.set_level(logging.DEBUG)  # every logger of the agent and of the live server, in this process
    page = desk_page
    check_id(page)
    unblock_in_the_page(page, "Assisterad upplåsning", NEW_PIN)
    page.reload()
    unblock_in_the_page(page, "Med kortinnehavarens PUK-kod", OTHER_NEW_PIN, puk=PUK)
    assert the_pin_is_new_and_the_counters_full(rs_slot, OTHER_NEW_PIN)
    logged = caplog.text + " ".join(repr(record.args) for record in caplog.records)
    assert caplog.records  # the agent and the server do log
    for code in (PUK, NEW_PIN, OTHER_NEW_PIN):
        assert code not in logged and code.encode().hex() not in logged.replace(" ", "").lower()
        assert code not in page.content()


def test_a_browser_that_is_not_paired_is_refused(browser, agent):
    context = browser.new_context()
    page = context.new_page()
    response = page.goto(agent.origin + "/")
    assert response.status == 403
    used = page.goto(agent.pairing_link)  # spent by nobody yet: this pairs, a second use does not
    assert used.status == 200
    assert context.new_page().goto(agent.pairing_link).status == 403
    context.close()


def test_logging_out_in_the_page_ends_the_login_on_the_server(desk_page, desk_card):
    from desk.models import DeskSession

    page = desk_page
    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("heading", name="Logga in vid kortstationen").wait_for()
    session = DeskSession.objects.get()
    assert session.ended_at is not None
    assert AuditEvent.objects.filter(action="desk_logout").count() == 1
