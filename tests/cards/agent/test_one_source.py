"""One source of the operator's words: rs-card and the Kortstation page say the same
sentence for the same outcome, in Swedish and in English (cards/reader/messages.py)."""

import pytest
from markupsafe import escape

from cards.agent import page
from cards.reader import cli, transport
from cards.reader.codes import Code
from cards.reader.profiles import PinRole
from tests.cards.fakes import FakeConnection, rs_state

from .test_agent import make_desk


class Operator(cli.Operator):
    def __init__(self, codes):
        self.codes, self.said = list(codes), []
        super().__init__(ask_code=lambda prompt: self.codes.pop(0), ask=lambda question: "n", say=self.said.append)


def rs_card(monkeypatch, state, argv, codes):
    """What rs-card says last, with the fake card in a fake reader."""
    conn = FakeConnection(state)
    conn.close = lambda: None
    monkeypatch.setattr(transport, "reader_with_card", lambda wanted, wait, waiting: "Fake reader 00 00")
    monkeypatch.setattr(transport, "connect", lambda reader, profiles: conn)
    operator = Operator(codes)
    cli.main(argv, operator)
    return operator.said[-1]


CASES = {  # the codes typed: current PIN, new PIN, the new PIN again
    "wrong current PIN": ("999999", "135790", "135790"),
    "the new PIN typed differently": ("222222", "135790", "135791"),
    "done": ("222222", "135790", "135790"),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("language", ["sv", "en"])
def test_rs_card_and_the_page_say_the_same_sentence(monkeypatch, case, language):
    old, new, again = CASES[case]
    monkeypatch.setenv("RS_CARD_LANG", language)
    said = rs_card(monkeypatch, rs_state(), ["change-pin", "--pin", "underskrift"], [old, new, again])

    desk = make_desk(rs_state())
    desk.change_pin(PinRole.UNDERSKRIFT, Code(old), Code(new), Code(again))
    html = page.render(desk, "token", language)

    assert str(escape(said)) in html  # after a change that went through, the page adds the tries left
    if language == "en":
        assert not any(letter in said for letter in "åäö")


def test_rs_card_is_swedish_unless_english_is_asked_for(monkeypatch):
    argv, codes = ["change-pin", "--pin", "underskrift"], ["999999", "135790", "135790"]
    monkeypatch.delenv("RS_CARD_LANG", raising=False)
    assert rs_card(monkeypatch, rs_state(), argv, codes) == "Fel PIN-kod. Två försök kvar."
    assert rs_card(monkeypatch, rs_state(), ["--lang", "en", *argv], codes) == "Wrong PIN. Two tries left."
    monkeypatch.setenv("RS_CARD_LANG", "en")
    assert rs_card(monkeypatch, rs_state(), argv, codes) == "Wrong PIN. Two tries left."
    assert rs_card(monkeypatch, rs_state(), ["--lang", "sv", *argv], codes) == "Fel PIN-kod. Två försök kvar."
