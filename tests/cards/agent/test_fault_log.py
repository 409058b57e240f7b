"""Where the desk shows a fault, the operator gets words and a reference; the technical
cause goes to the agent's log with that reference, never to the page."""

import logging

from cards.agent import page
from cards.agent.desk import Visit
from cards.agent.server import ServerUnavailable, StationApi
from cards.reader.codes import Code
from cards.reader.errors import CardBusy, ReaderGone
from cards.reader.profiles import PinRole
from tests.cards.fakes import rs_state

from .test_agent import make_desk, said

CAUSE = "Unable to connect with protocol: T0 or T1. Sharing violation. (0x8010000B)"


def warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name == "cards.agent.desk"]


def test_a_lost_reader_is_logged_once_with_its_reference_and_cause(caplog):
    desk = make_desk(rs_state())
    with caplog.at_level(logging.WARNING):
        desk.reader_lost(ReaderGone("Virtual PCD 35990 00 00"))
        desk.reader_lost(ReaderGone("Virtual PCD 35990 00 00"))  # the watcher's next try
    assert warnings(caplog) == ["fault KS-106 shown to the operator (ReaderGone): Virtual PCD 35990 00 00"]
    assert "Virtual PCD" not in page.render(desk, "token") and "KS-106" in page.render(desk, "token")


def test_a_card_fault_during_an_act_is_logged_and_the_page_shows_only_the_words(caplog):
    desk = make_desk(rs_state(pin_tries_left={"legitimering": 0}))

    def busy():
        raise CardBusy(CAUSE)

    desk._connect = busy
    desk.visit = Visit(1, desk.card.reading.card_number, "Pass")
    with caplog.at_level(logging.WARNING):
        desk.change_pin(PinRole.UNDERSKRIFT, Code("222222"), Code("135790"), Code("135790"))
    # The act met it, and so did the reading of the card after it: each logged where it is shown.
    assert set(warnings(caplog)) == {f"fault KS-203 shown to the operator (CardBusy): {CAUSE}"}
    note = said(desk.take_notes()[-1].text)
    assert note.startswith("Kortet används just nu av ett annat program") and note.endswith("felkod KS-203.")
    assert CAUSE not in page.render(desk, "token")


def test_rs_portal_out_of_reach_is_logged_with_the_address_and_why(caplog):
    desk = make_desk(rs_state())
    desk.api = StationApi("http://127.0.0.1:9", "credential")  # nothing listens on port 9
    with caplog.at_level(logging.WARNING):
        desk.log_in("olle", "password")
    [logged] = warnings(caplog)
    assert logged.startswith("fault KS-301 shown to the operator (ServerUnavailable): http://127.0.0.1:9: URLError:")
    assert "credential" not in logged and "password" not in logged
    note = said(desk.take_notes()[-1].text)
    assert note.startswith("RS-portal svarar inte.") and note.endswith("uppge felkod KS-301.")
    assert ServerUnavailable.reference == "KS-301"
