from cards.reader import errors, messages
from cards.reader.operations import CardReading, Outcome, Result, Tries
from cards.reader.profiles import PIV, RS_KORT, PinRole


def test_tries_are_told_in_words():
    assert messages.tries_in_words(2) == "två försök kvar"
    assert messages.tries_in_words(1) == "ett försök kvar"
    assert messages.describe_tries(Tries(9, 10)) == "nio av tio försök kvar"
    assert messages.describe_tries(Tries(0, 3)) == "spärrad"


def test_wrong_puk_says_the_tries_left():
    text = messages.describe_outcome(Outcome(Result.WRONG_PUK, 4), PinRole.LEGITIMERING, "upplåst")
    assert text == "Fel PUK-kod. Fyra försök kvar."


def test_blocked_puk_says_the_card_must_be_replaced():
    assert "kortet måste bytas ut" in messages.describe_outcome(
        Outcome(Result.PUK_BLOCKED, 0), PinRole.LEGITIMERING, ""
    )


def test_removed_card_never_claims_success():
    text = messages.describe_outcome(Outcome(Result.CARD_REMOVED), PinRole.UNDERSKRIFT, "upplåst")
    assert "upplåst" not in text and "läs av det igen" in text


def test_the_last_try_warning_says_when_the_card_cannot_tell():
    assert messages.last_try_warning(Tries(1, 10)).startswith("Varning: PUK-koden har bara ett försök kvar.")
    assert "det kan vara det sista" in messages.last_try_warning(Tries(None, 10))


def test_unknown_card_shows_its_atr():
    assert messages.describe_error(errors.UnknownCard(bytes.fromhex("3B0102"))) == "Okänd korttyp (ATR 3B 01 02)."


def test_reading_names_both_pins_on_rs_and_one_on_piv():
    rs = CardReading(RS_KORT, "1", {PinRole.LEGITIMERING: Tries(3, 3), PinRole.UNDERSKRIFT: Tries(0, 3)}, Tries(0, 10))
    lines = messages.describe_reading(rs)
    assert "PIN-koden för underskrift: spärrad" in lines and lines[-1].endswith("kortet måste bytas ut.")
    piv = CardReading(PIV, "1", {r: Tries(2, 3) for r in PinRole}, Tries(None, 10))
    assert "PIN-kod (legitimering och underskrift): två av tre försök kvar" in messages.describe_reading(piv)


def test_security_status_and_unknown_instruction_are_told_in_words():
    role = PinRole.LEGITIMERING
    refused = messages.describe_outcome(Outcome(Result.SECURITY_NOT_SATISFIED, sw=0x6982), role, "upplåst")
    assert refused == "Kortet vägrade: säkerhetsvillkoren för kommandot är inte uppfyllda (6982). Inget ändrades."
    unknown = messages.describe_outcome(Outcome(Result.UNKNOWN_INSTRUCTION, sw=0x6D00), role, "upplåst")
    assert unknown.startswith("Kortet vägrade: kortet känner inte till kommandot")
    assert "kortet känner inte till kommandot" in messages.describe_error(errors.CardError.status(0x6D00))
    assert messages.describe_error(errors.CardError.status(0x6A88)) == "Kortet svarade oväntat (6A88)."


def test_every_outcome_has_words_whatever_the_card_told():
    for result in Result:
        for tries_left in (None, 0, 1, 9):
            text = messages.describe_outcome(Outcome(result, tries_left, 0x6A80), PinRole.UNDERSKRIFT, "ändrad")
            assert text.endswith(".") and "None" not in text
