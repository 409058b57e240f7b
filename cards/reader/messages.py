"""What the station tells the operator, in Swedish (the UI's language)."""

from __future__ import annotations

from . import errors
from .operations import CardReading, Outcome, Result, Tries
from .profiles import PinRole

_NUMBERS = (
    "inga",
    "ett",
    "två",
    "tre",
    "fyra",
    "fem",
    "sex",
    "sju",
    "åtta",
    "nio",
    "tio",
    "elva",
    "tolv",
    "tretton",
    "fjorton",
    "femton",
)

# Status words the operator is told in words wherever the card answers them.
STATUS_WORDS = {
    0x6982: "säkerhetsvillkoren för kommandot är inte uppfyllda",
    0x6D00: "kortet känner inte till kommandot (stämmer kortprofilen?)",
}

PIN_NAMES = {PinRole.LEGITIMERING: "PIN-koden för legitimering", PinRole.UNDERSKRIFT: "PIN-koden för underskrift"}


def number_in_words(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def tries_in_words(n: int) -> str:
    return f"{number_in_words(n)} försök kvar"


def describe_tries(tries: Tries) -> str:
    if tries.left is None:
        return "antal försök kan inte läsas från kortet"
    if tries.blocked:
        return "spärrad"
    return f"{number_in_words(tries.left)} av {number_in_words(tries.limit)} försök kvar"


def describe_reading(reading: CardReading) -> list[str]:
    p = reading.profile
    lines = [f"Korttyp: {p.title}", f"Kortnummer: {reading.card_number}"]
    if p.legitimering_reference == p.underskrift_reference:
        lines.append(f"PIN-kod (legitimering och underskrift): {describe_tries(reading.pins[PinRole.LEGITIMERING])}")
    else:
        for role in PinRole:
            lines.append(f"{PIN_NAMES[role]}: {describe_tries(reading.pins[role])}")
    lines.append(f"PUK-kod: {describe_tries(reading.puk)}")
    if reading.must_be_replaced:
        lines.append("PUK-koden är spärrad: kortet måste bytas ut.")
    return lines


_OUTCOME_TEXTS = {
    Result.NEW_PIN_REFUSED: (
        "Den nya PIN-koden ska vara sex siffror och skrivas likadant två gånger. Inget skickades till kortet."
    ),
    Result.CODE_MALFORMED: (
        "Koden har fel form (PUK-koden är åtta siffror, PIN-koden sex). Inget skickades till kortet."
    ),
    Result.PUK_BLOCKED: "PUK-koden är spärrad: kortet måste bytas ut.",
    Result.CARD_REFUSED_NEW_PIN: "Kortet godtog inte den nya PIN-koden.",
    Result.NEW_PIN_NOT_WORKING: (
        "Kortet tog emot PUK-koden men den nya PIN-koden gick inte att kontrollera. Läs av kortet igen."
    ),
    Result.PINPAD_CANCELLED: "Avbrutet på kortläsarens knappsats.",
    Result.PINPAD_TIMEOUT: "Ingen kod slogs in på kortläsarens knappsats i tid.",
    Result.PINPAD_MISMATCH: "De två nya PIN-koderna på knappsatsen var olika.",
    Result.SECURITY_NOT_SATISFIED: f"Kortet vägrade: {STATUS_WORDS[0x6982]} (6982). Inget ändrades.",
    Result.UNKNOWN_INSTRUCTION: f"Kortet vägrade: {STATUS_WORDS[0x6D00]} (6D00). Inget ändrades.",
    Result.CARD_REMOVED: (
        "Kortet togs ut innan åtgärden var klar. Det är okänt om den hann genomföras: "
        "sätt i kortet och läs av det igen."
    ),
}


def describe_outcome(outcome: Outcome, role: PinRole, action: str) -> str:
    result = outcome.result
    if result in _OUTCOME_TEXTS:
        return _OUTCOME_TEXTS[result]
    pin = PIN_NAMES[role]
    if result is Result.DONE:
        return f"{pin} är {action}."
    if result in (Result.WRONG_PUK, Result.WRONG_PIN):
        code = "PUK-kod" if result is Result.WRONG_PUK else "PIN-kod"
        if outcome.tries_left is None:
            return f"Fel {code}."
        return f"Fel {code}. {tries_in_words(outcome.tries_left).capitalize()}."
    if result is Result.PIN_BLOCKED:
        return f"{pin} är spärrad. Lås upp den med PUK-koden."
    if result is Result.NOT_CONFIRMED:
        if outcome.tries_left == 1:
            return "Avbrutet: PUK-koden har ett försök kvar och sista försöket bekräftades inte. Inget skickades."
        return "Avbrutet: det kan vara PUK-kodens sista försök och det bekräftades inte. Inget skickades."
    if result is Result.NEW_PIN_NOT_SET:
        return (
            "Kortet tog emot PUK-koden, men den nya PIN-koden sattes inte på knappsatsen"
            f"{_pad_reason(outcome.sw)}. Lås upp PIN-koden igen."
        )
    return f"Kortet svarade med ett fel ({outcome.sw or 0:04X})."


def _pad_reason(sw: int | None) -> str:
    reasons = {
        0x6400: " (ingen kod i tid)",
        0x6401: " (avbrutet)",
        0x6402: " (de två nya PIN-koderna var olika)",
        0x6403: " (fel antal siffror)",
    }
    return reasons.get(sw, "") if sw is not None else ""


def last_try_warning(puk: Tries) -> str:
    """Before a PUK try that is, or may be, the last one."""
    if puk.left is None:
        return (
            "Varning: kortet visar inte hur många försök PUK-koden har kvar, så det kan vara det sista."
            " Blir det fel kan kortet spärras för gott."
        )
    return "Varning: PUK-koden har bara ett försök kvar. Blir det fel spärras kortet för gott."


def describe_error(error: errors.StationError) -> str:
    if isinstance(error, errors.UnknownCard):
        return f"Okänd korttyp (ATR {error.atr.hex(' ').upper()})."
    if isinstance(error, errors.PcscUnavailable):
        return "Kortläsartjänsten (pcscd) svarar inte. Starta den och försök igen."
    if isinstance(error, errors.NoReader):
        if str(error):
            return (
                f"Välj kortläsare med --reader. Anslutna läsare: {error}"
                if "," in str(error)
                else f"Hittar ingen kortläsare som heter {error}."
            )
        return "Ingen kortläsare är ansluten."
    if isinstance(error, errors.NoCard):
        return "Inget kort i kortläsaren."
    if isinstance(error, errors.CardRemoved):
        return "Kortet togs ut. Sätt i det igen och läs av det."
    if isinstance(error, errors.ReaderGone):
        return "Kortläsaren kopplades bort. Anslut den igen."
    if isinstance(error, errors.CardBusy):
        return "Kortet används av ett annat program. Stäng det och försök igen."
    if isinstance(error, errors.CardError):
        if error.sw in STATUS_WORDS:
            return f"Kortet svarade att {STATUS_WORDS[error.sw]} ({error})."
        return f"Kortet svarade oväntat ({error})."
    return "Något gick fel med kortläsaren."
