"""What the card station does with a card: read it, unblock a PIN, change a PIN.

APDUs per operation, the minimum the profile needs (SELECT is left out when the
same exclusive connection already selected the application):

operation                               | RS-kort                                   | PIV
----------------------------------------|-------------------------------------------|-----------------------------------
read_card                               | SELECT, GET DATA, VERIFY-empty x3 = 5     | SELECT, GET DATA, VERIFY-empty = 3
unblock_pin                             | SELECT, VERIFY-empty PUK, RRC, VERIFY = 4 | SELECT, RRC, VERIFY = 3
unblock_pin after read_card (puk_tries) | RRC, VERIFY = 2                           | RRC, VERIFY = 2
after_unblock (done)                    | VERIFY-empty PUK = 1                      | 0
change_pin, then after_change           | SELECT, CHANGE REFERENCE DATA = 2         | the same = 2
unblock on a PIN pad (after the read)   | pad: RRC with PUK, pad: CRD new PIN = 2   | the same = 2
PUK from the station, new PIN on a pad  | RRC, pad: CRD new PIN = 2                 | the same = 2

The empty VERIFY of the PUK is what lets the station warn before the last
PUK try; PIV cannot read its PUK counter, so it is not sent there, and as any
try may be the last, the station warns and asks there every time. The VERIFY
after RESET RETRY COUNTER proves the new PIN works; on a PIN pad the card's
answer to the second pad command is that proof (pinpad.py). What an outcome
tells is not read again: after an unblock only the PUK's counter, which a right
PUK may reset.

A new PIN or a PUK of the wrong form, and a confirmation that differs, are
refused before any APDU is sent. A card pulled out once RESET RETRY COUNTER
or CHANGE REFERENCE DATA may have reached it gives CARD_REMOVED, which never
claims success: read the card again to see its state.
"""

from __future__ import annotations

import enum
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from . import apdu, pinpad
from .apdu import CodeKind, Status
from .codes import Code
from .errors import CardError, CardRemoved, ReaderGone
from .profiles import PinRole, Profile

log = logging.getLogger(__name__)


class CardLink(Protocol):
    profile: Profile
    pinpad: pinpad.PinPad
    selected: bool

    def transmit(self, command: apdu.Command) -> apdu.Response: ...

    def control(self, code: int, data: bytes) -> bytes: ...


@dataclass(frozen=True)
class Tries:
    left: int | None  # None: the card does not tell (the PIV PUK)
    limit: int

    @property
    def blocked(self) -> bool:
        return self.left == 0


@dataclass(frozen=True)
class CardReading:
    profile: Profile
    card_number: str
    pins: dict[PinRole, Tries]
    puk: Tries

    @property
    def must_be_replaced(self) -> bool:
        return self.puk.blocked


class Result(enum.Enum):
    DONE = "done"
    NEW_PIN_REFUSED = "new_pin_refused"  # not 6 digits, or confirmation differs: nothing sent
    CODE_MALFORMED = "code_malformed"  # PUK / current PIN of the wrong form: nothing sent
    NOT_CONFIRMED = "not_confirmed"  # the operator did not confirm the last PUK try
    WRONG_PUK = "wrong_puk"
    PUK_BLOCKED = "puk_blocked"  # the card must be replaced
    WRONG_PIN = "wrong_pin"
    PIN_BLOCKED = "pin_blocked"
    CARD_REFUSED_NEW_PIN = "card_refused_new_pin"
    NEW_PIN_NOT_WORKING = "new_pin_not_working"  # RRC accepted, but the new PIN does not verify
    NEW_PIN_NOT_SET = "new_pin_not_set"  # PIN pad: the PUK reset the counter, the new PIN was not set
    PINPAD_CANCELLED = "pinpad_cancelled"
    PINPAD_TIMEOUT = "pinpad_timeout"
    PINPAD_MISMATCH = "pinpad_mismatch"
    SECURITY_NOT_SATISFIED = "security_not_satisfied"  # 6982: the card does not allow it now
    UNKNOWN_INSTRUCTION = "unknown_instruction"  # 6D00: the card has no such command (profile wrong?)
    CARD_REMOVED = "card_removed"  # outcome unknown: read the card again
    CARD_ERROR = "card_error"


@dataclass(frozen=True)
class Outcome:
    result: Result
    tries_left: int | None = None
    sw: int | None = None

    @property
    def succeeded(self) -> bool:
        return self.result is Result.DONE


# --- reading ------------------------------------------------------------------


def ensure_selected(conn: CardLink) -> None:
    if conn.selected:
        return
    response = conn.transmit(conn.profile.select())
    if not apdu.interpret(response.sw).ok:
        raise CardError.status(response.sw)
    conn.selected = True


def _counter(conn: CardLink, reference: int, limit: int, kind: CodeKind) -> Tries:
    outcome = apdu.interpret(conn.transmit(apdu.verify_status(reference)).sw, kind)
    if outcome.ok:  # already verified in this session: the counter is full
        return Tries(limit, limit)
    if outcome.tries_left is not None:
        return Tries(outcome.tries_left, limit)
    raise CardError.status(outcome.sw)


def read_card_number(conn: CardLink) -> str:
    p = conn.profile
    ensure_selected(conn)
    response = conn.transmit(p.read_card_number())
    if not apdu.interpret(response.sw).ok:
        raise CardError.status(response.sw)
    try:
        return p.parse_card_number(response.data)
    except (ValueError, KeyError):
        raise CardError("kortnummer") from None


def read_puk_tries(conn: CardLink) -> Tries:
    """The PUK's tries left: an empty VERIFY where the card tells (not PIV), else unknown."""
    p = conn.profile
    if not p.puk_counter_readable:
        return Tries(None, p.puk_tries)
    ensure_selected(conn)
    return _counter(conn, p.puk_reference, p.puk_tries, CodeKind.PUK)


def read_card(conn: CardLink) -> CardReading:
    """Profile, card number and the tries left of both PINs and the PUK; spends no try."""
    p = conn.profile
    number = read_card_number(conn)
    counters = {role: _counter(conn, p.pin_reference(role), p.pin_tries, CodeKind.PIN) for role in p.pin_roles_on_card}
    pins = {role: counters.get(role, counters[PinRole.LEGITIMERING]) for role in PinRole}
    puk = read_puk_tries(conn)
    if log.isEnabledFor(logging.INFO):
        log.info("read %s card: tries %s, PUK %s", p.name, {r.value: t.left for r, t in pins.items()}, puk.left)
    return CardReading(p, number, pins, puk)


def _with_pin(reading: CardReading, which_pin: PinRole, tries: Tries) -> dict[PinRole, Tries]:
    """The reading's PIN counters with `which_pin`'s set (PIV: both roles are one counter)."""
    p = reading.profile
    return {
        role: tries if p.pin_reference(role) == p.pin_reference(which_pin) else old
        for role, old in reading.pins.items()
    }


def after_unblock(conn: CardLink, before: CardReading, which_pin: PinRole, outcome: Outcome) -> CardReading | None:
    """The reading after `unblock_pin` on the same connection, with only the APDUs it takes:
    what the outcome tells needs none; a right PUK may have reset the PUK's counter, so that
    one is read again (one empty VERIFY where the card tells). None: the card's state is not
    known from here (card removed, an unexpected answer); read the card afresh."""
    p = before.profile
    nothing_sent = (Result.NEW_PIN_REFUSED, Result.CODE_MALFORMED, Result.NOT_CONFIRMED)
    if outcome.result in nothing_sent:
        return before
    if outcome.result is Result.DONE:
        pins = _with_pin(before, which_pin, Tries(p.pin_tries, p.pin_tries))
        return CardReading(p, before.card_number, pins, read_puk_tries(conn))
    if outcome.result in (Result.WRONG_PUK, Result.PUK_BLOCKED):
        return CardReading(p, before.card_number, before.pins, Tries(outcome.tries_left, p.puk_tries))
    return None


def after_change(before: CardReading, which_pin: PinRole, outcome: Outcome) -> CardReading | None:
    """The reading after `change_pin`, from its outcome alone (no APDU); None when unknown."""
    p = before.profile
    if outcome.result in (Result.NEW_PIN_REFUSED, Result.CODE_MALFORMED):
        return before
    if outcome.result in (Result.DONE, Result.WRONG_PIN, Result.PIN_BLOCKED):
        left = p.pin_tries if outcome.succeeded else outcome.tries_left
        return CardReading(p, before.card_number, _with_pin(before, which_pin, Tries(left, p.pin_tries)), before.puk)
    return None


# --- changing -------------------------------------------------------------------


@dataclass(frozen=True)
class PadEntry:
    """Which of an operation's codes the holder types on the reader's pad; the PC never
    holds those."""

    current: bool = False  # the PUK of an unblock, the current PIN of a change
    new_pin: bool = False

    @classmethod
    def for_unblock(cls, pad: pinpad.PinPad, puk_from_station: bool = False) -> PadEntry:
        """The new PIN on any pad that changes PINs; the PUK on one that unblocks, unless
        the station holds it (an assisted unblock: the server's PUK)."""
        return _PAD_ENTRIES[pad.unblocks and not puk_from_station, pad.changes]

    @classmethod
    def for_change(cls, pad: pinpad.PinPad) -> PadEntry:
        return cls(current=pad.changes, new_pin=pad.changes)


_PAD_ENTRIES = {(current, new): PadEntry(current, new) for current in (False, True) for new in (False, True)}


def refuse_codes(
    profile: Profile,
    entry: PadEntry,
    new_pin: Code | None,
    new_pin_confirm: Code | None,
    current: Code | None = None,
    current_length: int | None = None,
) -> Outcome | None:
    """The refusal, before any APDU, of a new PIN that is not the profile's length or whose
    confirmation differs, or of a current code (the PUK, or the PIN being changed) of the
    wrong form; `current_length` None: no current code to check (an assisted unblock's
    PUK comes from the server later). Codes the pad takes are not checked, and must not
    be given: that is a programming error."""
    if (entry.current and current) or (entry.new_pin and (new_pin or new_pin_confirm)):
        raise ValueError("on a PIN-pad reader the codes it takes are entered on the pad")
    if not entry.new_pin and not (
        new_pin and new_pin_confirm and new_pin.is_digits(profile.pin_length) and new_pin.same_as(new_pin_confirm)
    ):
        return Outcome(Result.NEW_PIN_REFUSED)
    if not entry.current and current_length is not None and not (current and current.is_digits(current_length)):
        return Outcome(Result.CODE_MALFORMED)
    return None


_FAILURES = {
    Status.PINPAD_CANCELLED: Result.PINPAD_CANCELLED,
    Status.PINPAD_TIMEOUT: Result.PINPAD_TIMEOUT,
    Status.PINPAD_MISMATCH: Result.PINPAD_MISMATCH,
    Status.PINPAD_LENGTH: Result.CARD_REFUSED_NEW_PIN,
    Status.WRONG_DATA: Result.CARD_REFUSED_NEW_PIN,
    Status.WRONG_LENGTH: Result.CARD_REFUSED_NEW_PIN,
    Status.SECURITY_NOT_SATISFIED: Result.SECURITY_NOT_SATISFIED,
    Status.INS_NOT_SUPPORTED: Result.UNKNOWN_INSTRUCTION,
}


def _failure(outcome: apdu.Outcome, wrong: Result, blocked: Result) -> Outcome:
    if outcome.status is Status.WRONG_CODE:
        return Outcome(wrong, outcome.tries_left, outcome.sw)
    if outcome.status in (Status.CODE_BLOCKED, Status.PUK_BLOCKED):
        return Outcome(blocked, 0, outcome.sw)
    return Outcome(_FAILURES.get(outcome.status, Result.CARD_ERROR), None, outcome.sw)


def _pad(conn: CardLink, control: int | None, structure: bytes) -> int:
    """A command through the PIN pad (the reader fills the typed code in): its status word.
    `control` None (a pad without that feature) is not reached: the callers ask the pad first."""
    if control is None:
        raise ValueError("the reader's PIN pad has no such feature")
    return int.from_bytes(conn.control(control, structure)[-2:], "big")


def _given(code: Code | None) -> Code:
    """A code the pad does not take: refuse_codes has refused the operation when it is missing."""
    if code is None:
        raise ValueError("a code the PIN pad does not take is missing")
    return code


def _temporary_pin(profile: Profile) -> Code:
    return Code("".join(secrets.choice("0123456789") for _ in range(profile.pin_length)))


def unblock_pin(
    conn: CardLink,
    which_pin: PinRole,
    puk: Code | None = None,
    new_pin: Code | None = None,
    new_pin_confirm: Code | None = None,
    confirm_last_try: Callable[[], bool] | None = None,
    puk_tries: Tries | None = None,
) -> Outcome:
    """RESET RETRY COUNTER with the PUK and a new PIN, then prove the PIN works.

    The holder types on the reader's pad what the pad can take, and those codes must be
    None here: the new PIN (twice) on any pad that changes PINs, the PUK too on one that
    unblocks, unless `puk` is given (an assisted unblock, where the server's PUK goes from
    the station to the card). With one PUK try left, or where the card cannot tell
    (PIV), `confirm_last_try()` must return True before the PUK is sent. `puk_tries`:
    the PUK's tries as just read on this same (exclusive) connection, e.g. by
    `read_card`; without it they are read here first.
    """
    p = conn.profile
    entry = PadEntry.for_unblock(conn.pinpad, puk_from_station=puk is not None)
    refusal = refuse_codes(p, entry, new_pin, new_pin_confirm, puk, p.puk_length)
    if refusal is not None:
        return refusal
    reference = p.pin_reference(which_pin)
    sent = False
    try:
        ensure_selected(conn)
        tries = puk_tries if puk_tries is not None else read_puk_tries(conn)
        if tries.blocked:
            return Outcome(Result.PUK_BLOCKED, 0)
        if tries.left in (1, None) and not (confirm_last_try and confirm_last_try()):
            return Outcome(Result.NOT_CONFIRMED, tries.left)
        sent = True
        if entry.new_pin:  # and the PUK too where the pad takes it (then `puk` is None)
            return _unblock_with_new_pin_on_pad(conn, reference, puk)
        new_block = p.code_block(_given(new_pin))
        sw = conn.transmit(apdu.reset_retry_counter(reference, p.code_block(_given(puk)), new_block)).sw
        log.info("RESET RETRY COUNTER for %s: %04X", which_pin.value, sw)
        outcome = apdu.interpret(sw, CodeKind.PUK)
        if not outcome.ok:
            return _failure(outcome, Result.WRONG_PUK, Result.PUK_BLOCKED)
        check = apdu.interpret(conn.transmit(apdu.verify(reference, new_block)).sw, CodeKind.PIN)
        if check.ok:
            return Outcome(Result.DONE, p.pin_tries)
        return Outcome(Result.NEW_PIN_NOT_WORKING, check.tries_left, check.sw)
    except (CardRemoved, ReaderGone) as e:
        log.warning("card gone during unblock (%s), command %s", type(e).__name__, "maybe sent" if sent else "not sent")
        return Outcome(Result.CARD_REMOVED)


def _unblock_with_new_pin_on_pad(conn: CardLink, reference: int, puk: Code | None) -> Outcome:
    """The PUK resets the counter to a temporary PIN: typed on the pad (`puk` None) or
    held by the station, so that the holder's new PIN, typed on the pad next, never
    passes through the PC."""
    p = conn.profile
    temporary = _temporary_pin(p)
    if puk is None:
        sw = _pad(conn, conn.pinpad.verify_control, pinpad.unblock_puk_structure(p, reference, temporary))
    else:
        sw = conn.transmit(apdu.reset_retry_counter(reference, p.code_block(puk), p.code_block(temporary))).sw
    log.info("RESET RETRY COUNTER to a temporary PIN%s: %04X", " on the PIN pad" if puk is None else "", sw)
    outcome = apdu.interpret(sw, CodeKind.PUK)
    if outcome.status is Status.PINPAD_LENGTH:
        return Outcome(Result.CODE_MALFORMED, None, sw)
    if not outcome.ok:
        return _failure(outcome, Result.WRONG_PUK, Result.PUK_BLOCKED)
    return _new_pin_on_pad(conn, reference, temporary)


def _new_pin_on_pad(conn: CardLink, reference: int, temporary: Code) -> Outcome:
    """The holder types the new PIN twice; the card checking the temporary PIN first is
    its proof that the reset set it."""
    sw = _pad(conn, conn.pinpad.modify_control, pinpad.new_pin_structure(conn.profile, reference, temporary))
    log.info("CHANGE REFERENCE DATA on the PIN pad after the reset: %04X", sw)
    if apdu.interpret(sw, CodeKind.PIN).ok:
        return Outcome(Result.DONE, conn.profile.pin_tries)
    return Outcome(Result.NEW_PIN_NOT_SET, None, sw)


def change_pin(
    conn: CardLink,
    which_pin: PinRole,
    old_pin: Code | None = None,
    new_pin: Code | None = None,
    new_pin_confirm: Code | None = None,
) -> Outcome:
    """CHANGE REFERENCE DATA: the holder's current PIN and a new one."""
    p = conn.profile
    use_pad = conn.pinpad.changes
    refusal = refuse_codes(p, PadEntry.for_change(conn.pinpad), new_pin, new_pin_confirm, old_pin, p.pin_length)
    if refusal is not None:
        return refusal
    reference = p.pin_reference(which_pin)
    try:
        ensure_selected(conn)
        if use_pad:
            sw = _pad(conn, conn.pinpad.modify_control, pinpad.change_structure(p, reference))
        else:
            command = apdu.change_reference_data(
                reference, p.code_block(_given(old_pin)), p.code_block(_given(new_pin))
            )
            sw = conn.transmit(command).sw
        log.info("CHANGE REFERENCE DATA for %s: %04X", which_pin.value, sw)
        outcome = apdu.interpret(sw, CodeKind.PIN)
        if outcome.ok:
            return Outcome(Result.DONE, p.pin_tries)
        return _failure(outcome, Result.WRONG_PIN, Result.PIN_BLOCKED)
    except (CardRemoved, ReaderGone):
        return Outcome(Result.CARD_REMOVED)
