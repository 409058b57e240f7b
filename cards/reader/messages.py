"""What the station tells the operator about the card and the reader, as `Text`s (see
i18n.py): the one source of these words for rs-card and for the desk agent's page, said
in Swedish or English when they are said."""

from __future__ import annotations

from functools import cache

from . import errors
from .i18n import Text, _, ngettext, sentences, verbatim
from .operations import CardReading, Outcome, Result, Tries
from .profiles import PinRole

_NUMBERS = (
    _("inga"),
    _("ett"),
    _("två"),
    _("tre"),
    _("fyra"),
    _("fem"),
    _("sex"),
    _("sju"),
    _("åtta"),
    _("nio"),
    _("tio"),
    _("elva"),
    _("tolv"),
    _("tretton"),
    _("fjorton"),
    _("femton"),
)

# Status words the operator is told in words wherever the card answers them.
STATUS_WORDS = {
    0x6982: _("säkerhetsvillkoren för kommandot är inte uppfyllda"),
    0x6D00: _("kortet känner inte till kommandot (stämmer kortprofilen?)"),
}

PIN_NAMES = {PinRole.LEGITIMERING: _("PIN-koden för legitimering"), PinRole.UNDERSKRIFT: _("PIN-koden för underskrift")}


def number_in_words(n: int) -> Text:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else verbatim(str(n))


@cache  # a Text is immutable and put into words only when said: one per value
def tries_left(n: int) -> Text:
    """A sentence of its own: "Tre försök kvar." """
    return ngettext("%(number)s försök kvar.", "%(number)s försök kvar.", n, number=number_in_words(n)).capitalized()


def describe_tries(tries: Tries) -> Text:
    if tries.left is None:
        return _("antal försök kan inte läsas från kortet")
    if tries.blocked:
        return _("spärrad")
    return _("%(left)s av %(limit)s försök kvar", left=number_in_words(tries.left), limit=number_in_words(tries.limit))


def describe_reading(reading: CardReading) -> list[Text]:
    p = reading.profile
    lines = [_("Korttyp: %(type)s", type=p.title), _("Kortnummer: %(number)s", number=reading.card_number)]
    if p.legitimering_reference == p.underskrift_reference:
        lines.append(
            _(
                "PIN-kod (legitimering och underskrift): %(tries)s",
                tries=describe_tries(reading.pins[PinRole.LEGITIMERING]),
            )
        )
    else:
        for role in PinRole:
            lines.append(_("%(pin)s: %(tries)s", pin=PIN_NAMES[role], tries=describe_tries(reading.pins[role])))
    lines.append(_("PUK-kod: %(tries)s", tries=describe_tries(reading.puk)))
    if reading.must_be_replaced:
        lines.append(_("PUK-koden är spärrad: kortet måste bytas ut."))
    return lines


_OUTCOME_TEXTS = {
    Result.NEW_PIN_REFUSED: _(
        "Den nya PIN-koden ska vara sex siffror och skrivas likadant två gånger. Inget skickades till kortet."
    ),
    Result.CODE_MALFORMED: _(
        "Koden har fel form (PUK-koden är åtta siffror, PIN-koden sex). Inget skickades till kortet."
    ),
    Result.PUK_BLOCKED: _("PUK-koden är spärrad: kortet måste bytas ut."),
    Result.CARD_REFUSED_NEW_PIN: _("Kortet godtog inte den nya PIN-koden."),
    Result.NEW_PIN_NOT_WORKING: _(
        "Kortet tog emot PUK-koden men den nya PIN-koden gick inte att kontrollera. Läs av kortet igen."
    ),
    Result.PINPAD_CANCELLED: _("Avbrutet på kortläsarens knappsats."),
    Result.PINPAD_TIMEOUT: _("Ingen kod slogs in på kortläsarens knappsats i tid."),
    Result.PINPAD_MISMATCH: _("De två nya PIN-koderna på knappsatsen var olika."),
    Result.SECURITY_NOT_SATISFIED: _(
        "Kortet vägrade: %(status)s (%(sw)s). Inget ändrades.", status=STATUS_WORDS[0x6982], sw="6982"
    ),
    Result.UNKNOWN_INSTRUCTION: _(
        "Kortet vägrade: %(status)s (%(sw)s). Inget ändrades.", status=STATUS_WORDS[0x6D00], sw="6D00"
    ),
    Result.CARD_REMOVED: _(
        "Kortet togs ut innan åtgärden var klar. Det är okänt om den hann genomföras: "
        "sätt i kortet och läs av det igen."
    ),
}

_PAD_REASONS = {
    0x6400: _("ingen kod i tid"),
    0x6401: _("avbrutet"),
    0x6402: _("de två nya PIN-koderna var olika"),
    0x6403: _("fel antal siffror"),
}


@cache  # a Text is immutable and put into words only when said: one per value
def pin_unblocked(role: PinRole) -> Text:
    return _("%(pin)s är upplåst och har en ny kod.", pin=PIN_NAMES[role])


@cache  # a Text is immutable and put into words only when said: one per value
def pin_changed(role: PinRole) -> Text:
    return _("%(pin)s är ändrad.", pin=PIN_NAMES[role])


def describe_outcome(outcome: Outcome, role: PinRole, done: Text) -> Text:
    """What came of an act on the card; `done` (pin_unblocked or pin_changed) says it
    when it went through."""
    result = outcome.result
    if result in _OUTCOME_TEXTS:
        return _OUTCOME_TEXTS[result]
    if result is Result.DONE:
        return done
    if result in (Result.WRONG_PUK, Result.WRONG_PIN):
        wrong = _("Fel PUK-kod.") if result is Result.WRONG_PUK else _("Fel PIN-kod.")
        return wrong if outcome.tries_left is None else sentences(wrong, tries_left(outcome.tries_left))
    if result is Result.PIN_BLOCKED:
        return _("%(pin)s är spärrad. Lås upp den med PUK-koden.", pin=PIN_NAMES[role])
    if result is Result.NOT_CONFIRMED:
        if outcome.tries_left == 1:
            return _("Avbrutet: PUK-koden har ett försök kvar och sista försöket bekräftades inte. Inget skickades.")
        return _("Avbrutet: det kan vara PUK-kodens sista försök och det bekräftades inte. Inget skickades.")
    if result is Result.NEW_PIN_NOT_SET:
        return _new_pin_not_set(outcome.sw)
    return _("Kortet svarade med ett fel (%(sw)s).", sw=f"{outcome.sw or 0:04X}")


def _new_pin_not_set(sw: int | None) -> Text:
    reason = _PAD_REASONS.get(sw) if sw is not None else None
    if reason is None:
        return _("Kortet tog emot PUK-koden, men den nya PIN-koden sattes inte på knappsatsen. Lås upp PIN-koden igen.")
    return _(
        "Kortet tog emot PUK-koden, men den nya PIN-koden sattes inte på knappsatsen (%(reason)s). "
        "Lås upp PIN-koden igen.",
        reason=reason,
    )


def last_try_warning(puk: Tries) -> Text:
    """Before a PUK try that is, or may be, the last one."""
    if puk.left is None:
        return _(
            "Varning: kortet visar inte hur många försök PUK-koden har kvar, så det kan vara det sista."
            " Blir det fel kan kortet spärras för gott."
        )
    return _("Varning: PUK-koden har bara ett försök kvar. Blir det fel spärras kortet för gott.")


# Each fault the operator can meet at the reader, in words that say what they can do;
# describe_error adds the IT-support sentence with the fault's reference. docs/reader.md
# ("Faults the operator is told") lists them all: tests/cards/reader/test_messages.py
# keeps that list and these texts alike.
_FAULT_TEXTS: dict[type[errors.StationError], Text] = {
    errors.PcscUnavailable: _(
        "Datorn får ingen kontakt med kortläsarna. Vänta en liten stund och försök igen, "
        "eller koppla ur kortläsaren och koppla i den igen."
    ),
    errors.NoReader: _(
        "Ingen kortläsare är ansluten. Kontrollera att kortläsarens sladd sitter i datorn, "
        "eller koppla ur den och koppla i den igen."
    ),
    errors.ReaderGone: _(
        "Kortläsaren kopplades bort. Koppla i den igen (sitter den i: koppla ur den och i igen) "
        "och vänta några sekunder."
    ),
    errors.NoCard: _(
        "Inget kort i kortläsaren. Sätt i kortet och försök igen; sitter det redan i, ta ut det och sätt i det igen."
    ),
    errors.CardRemoved: _(
        "Kortet togs ut eller tappade kontakten. Sätt i det igen, låt det sitta kvar och försök igen."
    ),
    errors.CardBusy: _(
        "Kortet används just nu av ett annat program på datorn. Ta ut kortet, sätt i det igen och försök igen."
    ),
    errors.UnknownCard: _(
        "Kortstationen känner inte igen kortet. Kontrollera att det är ett RS-kort och att det sitter rätt: "
        "ta ut det och sätt i det igen."
    ),
    errors.CardError: _("Kortet svarade inte som väntat. Ta ut kortet, sätt i det igen och försök en gång till."),
    errors.StationError: _("Något gick fel med kortläsaren. Försök igen."),
}


def it_support(reference: str) -> Text:
    """The last words of every fault: where the operator cannot fix it, whom to call and what to say."""
    return _("Hjälper inte det: ring IT-supporten och uppge felkod %(reference)s.", reference=reference)


def describe_error(error: errors.StationError) -> Text:
    """A fault as the operator is told it: what happened, what they can do, and the
    reference to give IT-support. Never the technical cause (str(error): pcscd's message,
    an ATR, a status word), which is for the log and the station's health."""
    return sentences(_fault_text(error), it_support(error.reference))


def _fault_text(error: errors.StationError) -> Text:
    if isinstance(error, errors.ReaderNotFound):
        return _(
            "Hittar ingen kortläsare som heter %(reader)s. Kontrollera att den är ansluten, "
            "eller koppla ur den och koppla i den igen.",
            reader=error.wanted,
        )
    if isinstance(error, errors.ReaderChoice):
        return _(
            "Flera kortläsare är anslutna (%(readers)s) och det går inte att avgöra vilken som ska användas. "
            "Sätt kortet i den som ska användas och försök igen.",
            readers=", ".join(error.readers),
        )
    if isinstance(error, errors.SeveralCards):
        return _(
            "Det sitter kort i flera kortläsare (%(readers)s). Ta ut de kort som inte ska användas och försök igen.",
            readers=", ".join(error.readers),
        )
    return next(_FAULT_TEXTS[kind] for kind in type(error).__mro__ if kind in _FAULT_TEXTS)
