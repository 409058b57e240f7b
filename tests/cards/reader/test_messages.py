from cards.reader import errors, messages
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


def test_unknown_card_shows_its_atr():
    assert sv(messages.describe_error(errors.UnknownCard(bytes.fromhex("3B0102")))) == "Okänd korttyp (ATR 3B 01 02)."


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
    assert "kortet känner inte till kommandot" in sv(messages.describe_error(errors.CardError.status(0x6D00)))
    assert sv(messages.describe_error(errors.CardError.status(0x6A88))) == "Kortet svarade oväntat (6A88)."


def test_every_outcome_has_words_whatever_the_card_told():
    changed = messages.pin_changed(PinRole.UNDERSKRIFT)
    for language in ("sv", "en"):
        for result in Result:
            for tries_left in (None, 0, 1, 9):
                outcome = Outcome(result, tries_left, 0x6A80)
                text = messages.describe_outcome(outcome, PinRole.UNDERSKRIFT, changed).say(translations(language))
                assert text.endswith(".") and "None" not in text
