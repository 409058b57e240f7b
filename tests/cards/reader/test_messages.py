import logging
import re
from pathlib import Path

import pytest

from cards.agent.desk import _server_text
from cards.agent.server import ServerUnavailable
from cards.reader import cli, errors, messages, transport
from cards.reader.i18n import translations
from cards.reader.operations import CardReading, Outcome, Result, Tries
from cards.reader.profiles import PIV, RS_KORT, PinRole

SWEDISH = translations("sv")
UNBLOCKED = messages.pin_unblocked(PinRole.LEGITIMERING)


def sv(text):
    return text.say(SWEDISH)


def test_tries_are_told_in_words():
    assert sv(messages.tries_left(2)) == "Två försök kvar."
    assert sv(messages.tries_left(1)) == "Ett försök kvar."
    assert sv(messages.describe_tries(Tries(9, 10))) == "nio av tio försök kvar"
    assert sv(messages.describe_tries(Tries(0, 3))) == "spärrad"


def test_wrong_puk_says_the_tries_left():
    text = messages.describe_outcome(Outcome(Result.WRONG_PUK, 4), PinRole.LEGITIMERING, UNBLOCKED)
    assert sv(text) == "Fel PUK-kod. Fyra försök kvar."


def test_blocked_puk_says_the_card_must_be_replaced():
    assert "kortet måste bytas ut" in sv(
        messages.describe_outcome(Outcome(Result.PUK_BLOCKED, 0), PinRole.LEGITIMERING, UNBLOCKED)
    )


def test_removed_card_never_claims_success():
    text = sv(messages.describe_outcome(Outcome(Result.CARD_REMOVED), PinRole.UNDERSKRIFT, UNBLOCKED))
    assert "upplåst" not in text and "läs av det igen" in text


def test_done_names_the_pin_and_the_act():
    done = Outcome(Result.DONE, 3)
    assert sv(messages.describe_outcome(done, PinRole.LEGITIMERING, UNBLOCKED)) == (
        "PIN-koden för legitimering är upplåst och har en ny kod."
    )
    changed = messages.pin_changed(PinRole.UNDERSKRIFT)
    assert sv(messages.describe_outcome(done, PinRole.UNDERSKRIFT, changed)) == "PIN-koden för underskrift är ändrad."


def test_the_last_try_warning_says_when_the_card_cannot_tell():
    assert sv(messages.last_try_warning(Tries(1, 10))).startswith("Varning: PUK-koden har bara ett försök kvar.")
    assert "det kan vara det sista" in sv(messages.last_try_warning(Tries(None, 10)))


def test_reading_names_both_pins_on_rs_and_one_on_piv():
    rs = CardReading(RS_KORT, "1", {PinRole.LEGITIMERING: Tries(3, 3), PinRole.UNDERSKRIFT: Tries(0, 3)}, Tries(0, 10))
    lines = [sv(line) for line in messages.describe_reading(rs)]
    assert "PIN-koden för underskrift: spärrad" in lines and lines[-1].endswith("kortet måste bytas ut.")
    piv = CardReading(PIV, "1", {r: Tries(2, 3) for r in PinRole}, Tries(None, 10))
    assert "PIN-kod (legitimering och underskrift): två av tre försök kvar" in [
        sv(line) for line in messages.describe_reading(piv)
    ]


def test_security_status_and_unknown_instruction_are_told_in_words():
    role = PinRole.LEGITIMERING
    refused = sv(messages.describe_outcome(Outcome(Result.SECURITY_NOT_SATISFIED, sw=0x6982), role, UNBLOCKED))
    assert refused == "Kortet vägrade: säkerhetsvillkoren för kommandot är inte uppfyllda (6982). Inget ändrades."
    unknown = sv(messages.describe_outcome(Outcome(Result.UNKNOWN_INSTRUCTION, sw=0x6D00), role, UNBLOCKED))
    assert unknown.startswith("Kortet vägrade: kortet känner inte till kommandot")


def test_every_outcome_has_words_whatever_the_card_told():
    changed = messages.pin_changed(PinRole.UNDERSKRIFT)
    for language in ("sv", "en"):
        for result in Result:
            for tries_left in (None, 0, 1, 9):
                outcome = Outcome(result, tries_left, 0x6A80)
                text = messages.describe_outcome(outcome, PinRole.UNDERSKRIFT, changed).say(translations(language))
                assert text.endswith(".") and "None" not in text


# --- Faults: what the operator is told, and the list in docs/reader.md ------------------

DOCS = Path(__file__).resolve().parents[3] / "docs" / "reader.md"
NAME = "‹namn›"  # how the docs' table writes a reader's name

# One fault of each kind, each with a technical cause of its own that must never be said.
FAULTS = [
    errors.StationError("SCardSomething failed: 0x80100001 (internal)"),
    errors.PcscUnavailable("Service not available. (0x8010001D) pcscd"),
    errors.NoReader(""),
    errors.ReaderNotFound(NAME),
    errors.ReaderChoice([NAME, NAME]),
    errors.SeveralCards([NAME, NAME]),
    errors.ReaderGone("Virtual PCD 35990 00 00"),
    errors.NoCard("Virtual PCD 35990 00 00"),
    errors.CardRemoved("Virtual PCD 35990 00 00"),
    errors.CardBusy("Unable to connect with protocol: T0 or T1. Sharing violation. (0x8010000B)"),
    errors.UnknownCard(bytes.fromhex("3B888001585A5A2D4B4F52547D")),
    errors.CardError.status(0x6A88),
    ServerUnavailable("http://127.0.0.1:9: URLError: [Errno 111] Connection refused"),
]

EXPECTED = {
    "KS-100": "Något gick fel med kortläsaren. Försök igen.",
    "KS-101": "Datorn får ingen kontakt med kortläsarna. Vänta en liten stund och försök igen, eller koppla ur "
    "kortläsaren och koppla i den igen.",
    "KS-102": "Ingen kortläsare är ansluten. Kontrollera att kortläsarens sladd sitter i datorn, eller koppla ur den "
    "och koppla i den igen.",
    "KS-103": "Hittar ingen kortläsare som heter ‹namn›. Kontrollera att den är ansluten, eller koppla ur den och "
    "koppla i den igen.",
    "KS-104": "Flera kortläsare är anslutna (‹namn›, ‹namn›) och det går inte att avgöra vilken som ska användas. "
    "Sätt kortet i den som ska användas och försök igen.",
    "KS-105": "Det sitter kort i flera kortläsare (‹namn›, ‹namn›). Ta ut de kort som inte ska användas och försök "
    "igen.",
    "KS-106": "Kortläsaren kopplades bort. Koppla i den igen (sitter den i: koppla ur den och i igen) och vänta några "
    "sekunder.",
    "KS-201": "Inget kort i kortläsaren. Sätt i kortet och försök igen; sitter det redan i, ta ut det och sätt i det "
    "igen.",
    "KS-202": "Kortet togs ut eller tappade kontakten. Sätt i det igen, låt det sitta kvar och försök igen.",
    "KS-203": "Kortet används just nu av ett annat program på datorn. Ta ut kortet, sätt i det igen och försök igen.",
    "KS-204": "Kortstationen känner inte igen kortet. Kontrollera att det är ett RS-kort och att det sitter rätt: ta "
    "ut det och sätt i det igen.",
    "KS-205": "Kortet svarade inte som väntat. Ta ut kortet, sätt i det igen och försök en gång till.",
    "KS-301": "RS-portal svarar inte. Kontrollera att datorn är ansluten till nätverket, vänta en liten stund och "
    "försök igen.",
}


def told(fault, language="sv"):
    """The fault as the page and rs-card say it (the agent's own for RS-portal)."""
    text = _server_text(fault) if isinstance(fault, ServerUnavailable) else messages.describe_error(fault)
    return text.say(translations(language))


def docs_table():
    """reference -> what the operator is told, from the table in docs/reader.md."""
    section = DOCS.read_text().split("## Faults the operator is told", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| KS-")]
    return {cells[0].removeprefix("| "): cells[2] for cells in rows}


def test_every_kind_of_fault_is_in_the_list():
    kinds = {kind for kind in vars(errors).values() if isinstance(kind, type) and issubclass(kind, errors.StationError)}
    assert kinds | {ServerUnavailable} == {type(fault) for fault in FAULTS}


def test_every_kind_of_fault_has_its_own_stable_reference():
    references = [fault.reference for fault in FAULTS]
    assert len(set(references)) == len(references) and set(references) == set(EXPECTED)
    assert all(re.fullmatch(r"KS-[123]\d\d", reference) for reference in references)
    assert errors.CardError("oläsligt svar").reference == "KS-205"  # the class's, whatever the instance


@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: f"{fault.reference}-{type(fault).__name__}")
def test_each_fault_says_what_the_operator_can_do_and_the_reference_for_it_support(fault):
    assert told(fault) == (
        f"{EXPECTED[fault.reference]} Hjälper inte det: ring IT-supporten och uppge felkod {fault.reference}."
    )
    english = told(fault, "en")
    assert english.endswith(f"If that does not help: call IT support and give error code {fault.reference}.")
    assert not set("åäöÅÄÖ") & set(english)  # translated, every sentence


@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: f"{fault.reference}-{type(fault).__name__}")
@pytest.mark.parametrize("language", ["sv", "en"])
def test_no_fault_text_shows_the_technical_cause_or_names_a_service_or_a_command(fault, language):
    text = told(fault, language)
    if not isinstance(fault, errors.NoReader):  # those name the readers, which the operator chooses among
        assert str(fault) not in text
    assert not re.search(r"pcscd|pc/sc|systemctl|sudo|service|tjänst|--|\bATR\b|0x|6A88|Errno", text, re.IGNORECASE)


def test_the_docs_list_exactly_the_texts_the_code_says():
    assert docs_table() == {fault.reference: told(fault) for fault in FAULTS}


def test_rs_card_adds_its_options_where_they_help(monkeypatch):
    def no_card(wanted, wait, waiting):
        raise errors.NoCard("Virtual PCD 00 00, Virtual PCD 00 01")

    said = []
    monkeypatch.setattr(transport, "reader_with_card", no_card)
    assert cli.main(["read"], cli.Operator(say=said.append)) == cli.EXIT_ERROR
    assert said == [told(errors.NoCard("")), "Med --wait väntar rs-card på att kortet sätts i."]

    def two_cards(wanted, wait, waiting):
        raise errors.SeveralCards(["Virtual PCD 00 00", "Virtual PCD 00 01"])

    said.clear()
    monkeypatch.setattr(transport, "reader_with_card", two_cards)
    assert cli.main(["--lang", "en", "read", "--wait"], cli.Operator(say=said.append)) == cli.EXIT_ERROR
    assert said[0].startswith("There are cards in several card readers (Virtual PCD 00 00, Virtual PCD 00 01).")
    assert said[1:] == ["With --reader you choose which card reader to use."]


def test_rs_card_logs_the_cause_and_shows_it_only_with_verbose(monkeypatch, caplog, capsys):
    def unavailable(wanted, wait, waiting):
        raise errors.PcscUnavailable("Service not available. (0x8010001D)")

    monkeypatch.setattr(transport, "reader_with_card", unavailable)
    said = []
    with caplog.at_level(logging.INFO, logger="cards.reader.cli"):
        assert cli.main(["read"], cli.Operator(say=said.append)) == cli.EXIT_ERROR
    assert "KS-101 PcscUnavailable: Service not available. (0x8010001D)" in caplog.text
    assert said == [told(errors.PcscUnavailable(""))]
