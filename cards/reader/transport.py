"""The card reader over pyscard (PC/SC).

Every PC/SC failure becomes a `StationError` subclass the operator can be
told about in words: pcscd not running, no reader, no card, the card pulled
out, the reader unplugged, a card of an unknown type. pyscard's exception
classes are caught, never its error codes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from smartcard import scard
from smartcard.Exceptions import (
    CardConnectionException,
    NoCardException,
    SmartcardException,
)
from smartcard.pcsc.PCSCCardConnection import PCSCCardConnection, translateprotocolheader
from smartcard.pcsc.PCSCExceptions import BaseSCardException
from smartcard.scard import SCARD_SHARE_EXCLUSIVE
from smartcard.System import readers as _pcsc_readers

from . import apdu, pinpad
from .errors import (
    CardBusy,
    CardRemoved,
    NoCard,
    NoReader,
    PcscUnavailable,
    ReaderChoice,
    ReaderGone,
    ReaderNotFound,
    SeveralCards,
    StationError,
    UnknownCard,
)
from .profiles import BUILT_IN, Profile, identify

log = logging.getLogger(__name__)


def list_readers() -> list[str]:
    try:
        return [str(r) for r in _pcsc_readers()]
    except (BaseSCardException, SmartcardException) as e:
        raise PcscUnavailable(str(e)) from None


def choose_reader(wanted: str | None = None) -> str:
    """The reader named (or containing) `wanted`; without a name, the only reader, or the only one with a card."""
    names = list_readers()
    if not names:
        raise NoReader("")
    if wanted:
        matches = [n for n in names if n == wanted] or [n for n in names if wanted in n]
        if not matches:
            raise ReaderNotFound(wanted)
        if len(matches) > 1:
            raise ReaderChoice(matches)
        return matches[0]
    if len(names) == 1:
        return names[0]
    with_card = readers_with_card(names)
    if len(with_card) > 1:
        raise SeveralCards(with_card)
    if not with_card:
        raise ReaderChoice(names)
    return with_card[0]


def reader_with_card(
    wanted: str | None = None, wait: float | None = None, waiting: Callable[[list[str]], None] = lambda readers: None
) -> str:
    """The reader that holds the card to use: the one named (or containing) `wanted`, else
    the one reader of all that holds a card. Where no card is in yet and `wait` is given,
    `waiting(readers)` is called and a card is waited for up to `wait` seconds, in any of
    them: the reader it goes into is the one. NoCard when none came; SeveralCards when
    cards are in more than one reader."""
    readers = [choose_reader(wanted)] if wanted else list_readers()
    if not readers:
        raise NoReader("")
    holding = readers_with_card(readers)
    if not holding and wait is not None:
        waiting(readers)
        holding = readers_with_card(readers, wait)
    if len(holding) > 1:
        raise SeveralCards(holding)
    if not holding:
        raise NoCard(", ".join(readers))
    return holding[0]


def card_present(reader: str) -> bool:
    """Whether a card is in `reader`; a reader gone meanwhile holds none (PcscUnavailable:
    pcscd does not answer)."""
    try:
        return bool(readers_with_card([reader]))
    except ReaderGone:
        return False


def wait_for_card(reader: str, timeout: float | None) -> None:
    """Block until a card is in `reader` (at once if one already is); `timeout` None: for as long as it takes."""
    if not readers_with_card([reader], float("inf") if timeout is None else timeout):
        raise NoCard(reader)


# SCardGetStatusChange's longest single wait: a wait without end is made of these.
_LONGEST_WAIT_MS = 60_000


def readers_with_card(readers: list[str], wait: float = 0.0) -> list[str]:
    """Those of `readers` that hold a card (one that answers: not mute). When none does
    and `wait` > 0, wait up to `wait` seconds for a card to go into any of them and answer
    with the reader(s) that then hold one, or [] when none came. One SCardGetStatusChange
    over all the readers, as watch_presence does for one: pcscd wakes it, nothing polls."""
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        raise PcscUnavailable(scard.SCardGetErrorMessage(hresult))
    try:
        deadline = time.monotonic() + wait
        known = [(reader, scard.SCARD_STATE_UNAWARE) for reader in readers]
        timeout_ms = 0  # the first call answers at once with each reader's state
        while True:
            hresult, states = scard.SCardGetStatusChange(context, timeout_ms, known)
            if hresult == scard.SCARD_S_SUCCESS:
                known = [(reader, state & ~scard.SCARD_STATE_CHANGED) for reader, state, _atr in states]
                for reader, state in known:
                    if state & scard.SCARD_STATE_UNKNOWN:  # pcscd does not know the reader (any more)
                        raise ReaderGone(reader)
                holding = [reader for reader, state in known if _holds_card(state)]
                if holding:
                    return holding
            elif hresult != scard.SCARD_E_TIMEOUT:
                message = scard.SCardGetErrorMessage(hresult)
                raise ReaderGone(", ".join(readers)) if hresult in _READER_GONE else PcscUnavailable(message)
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            timeout_ms = _LONGEST_WAIT_MS if left * 1000 > _LONGEST_WAIT_MS else max(int(left * 1000), 1)
    finally:
        scard.SCardReleaseContext(context)


def _holds_card(state: int) -> bool:
    return bool(state & scard.SCARD_STATE_PRESENT) and not state & scard.SCARD_STATE_MUTE


# The SWIG function itself: pyscard's scard.SCardTransmit is a Python wrapper that only calls it.
_scard_transmit = getattr(getattr(scard, "_scard", None), "SCardTransmit", scard.SCardTransmit)
_SCARD_S_SUCCESS = scard.SCARD_S_SUCCESS

_READER_GONE = (scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE, scard.SCARD_E_NO_READERS_AVAILABLE)


def watch_presence(reader: str, stop: Callable[[], bool], changed: Callable[[bool], None], poll_ms: int = 500) -> None:
    """Call `changed(present)` at once and then whenever a card goes in or out, until `stop()`.

    Waits on SCardGetStatusChange (pcscd wakes it), with a bounded wait so `stop` is seen.
    Raises ReaderGone when the reader goes away and PcscUnavailable when pcscd does: the
    caller watches again once they are back (a new context each time)."""
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        raise PcscUnavailable(scard.SCardGetErrorMessage(hresult))
    try:
        known, present = scard.SCARD_STATE_UNAWARE, None
        while not stop():
            hresult, states = scard.SCardGetStatusChange(context, poll_ms, [(reader, known)])
            if hresult == scard.SCARD_E_TIMEOUT:
                continue
            if hresult != scard.SCARD_S_SUCCESS:
                raise (
                    ReaderGone(reader)
                    if hresult in _READER_GONE
                    else PcscUnavailable(scard.SCardGetErrorMessage(hresult))
                )
            known = states[0][1] & ~scard.SCARD_STATE_CHANGED
            if known & scard.SCARD_STATE_UNKNOWN:  # pcscd no longer knows the reader
                raise ReaderGone(reader)
            now = bool(known & scard.SCARD_STATE_PRESENT) and not known & scard.SCARD_STATE_MUTE
            if now != present:
                present = now
                changed(now)
    finally:
        scard.SCardReleaseContext(context)


@dataclass
class Connection:
    """A card held exclusively for one station session.

    Exclusive access lets it remember which application is selected, so an
    operation after a read sends no second SELECT.

    Each APDU goes straight to `SCardTransmit` on the card handle, with the
    protocol's PCI picked once at connect: pyscard's `CardConnection.transmit`
    (observers, error-checking chain, a list per byte on the way back) cost more
    than a third of a round trip. Any other card object (a test's stand-in)
    is driven through its `transmit`. Either way a failed transmit is
    CardRemoved or ReaderGone.

    A command shorter than the 4-byte header is never sent: vpcd, and so the
    virtual card's reader, takes a 1-byte message as a control command (`02`
    resets the card and wedges the reader until it is removed), and pcscd
    refuses an empty one. It is answered 6700 (wrong length), as a card
    answers a malformed command, and counts as no APDU sent.
    """

    reader: str
    atr: bytes
    profile: Profile
    pinpad: pinpad.PinPad
    _card: PCSCCardConnection = field(repr=False)
    selected: bool = False
    apdu_count: int = 0

    def __post_init__(self) -> None:
        self._hcard: int | None = None
        self._pci: object = None
        if isinstance(self._card, PCSCCardConnection) and self._card.hcard is not None:
            self._hcard, self._pci = self._card.hcard, translateprotocolheader(self._card.getProtocol())

    def _send(self, raw: bytes) -> bytes:
        if len(raw) < apdu.HEADER_LENGTH:
            log.warning("a %d-byte command APDU was not sent to the card (answered 6700)", len(raw))
            return apdu.SW_WRONG_LENGTH
        self.apdu_count += 1
        if self._hcard is not None:
            hresult, response = _scard_transmit(self._hcard, self._pci, list(raw))  # pyscard takes a list only
            if hresult != _SCARD_S_SUCCESS or len(response) < 2:
                raise self._lost()
            return bytes(response)
        try:
            data, sw1, sw2 = self._card.transmit(list(raw))
        except CardConnectionException:
            raise self._lost() from None
        return bytes(data) + bytes((sw1, sw2))

    def transmit(self, command: apdu.Command) -> apdu.Response:
        raw = command.to_bytes()
        if self._hcard is not None and len(raw) >= apdu.HEADER_LENGTH:
            # The usual case in one frame (it sits between every two round trips): what
            # _send and apdu.transceive do, the chaining (61xx, 6Cxx) left to the latter.
            self.apdu_count += 1
            hresult, answer = _scard_transmit(self._hcard, self._pci, list(raw))
            if hresult != _SCARD_S_SUCCESS or len(answer) < 2:
                raise self._lost()
            sw1 = answer[-2]
            response = apdu.Response(bytes(answer[:-2]), sw1, answer[-1])
            if sw1 == 0x61 or sw1 == 0x6C:
                response = apdu.complete(self._send, command, response)
        else:
            response = apdu.transceive(self._send, command)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%r -> %04X (%d data bytes)", command, response.sw, len(response.data))
        return response

    def control(self, code: int, data: bytes) -> bytes:
        self.apdu_count += 1
        try:
            return bytes(self._card.control(code, list(data)))
        except SmartcardException:  # pyscard's SCardControl failure is the base class, not CardConnectionException
            raise self._lost() from None

    def _lost(self) -> StationError:
        self.selected = False
        try:
            present = self.reader in list_readers()
        except PcscUnavailable:
            present = False
        return CardRemoved(self.reader) if present else ReaderGone(self.reader)

    def close(self) -> None:
        _release(self._card)  # disconnecting unpowers the card: no PIN stays verified


def _release(card: PCSCCardConnection) -> None:
    try:
        card.release()
    except SmartcardException:
        # pcscd or the card is gone. pyscard 2.3.1 keeps the dead context and its
        # __del__ would try again and print a traceback at exit: forget it.
        card.hcontext = None


def connect(reader: str, profiles: tuple[Profile, ...] = BUILT_IN) -> Connection:
    """Connect to the card in `reader` exclusively and identify it by its ATR."""
    try:
        card = PCSCCardConnection(reader)
    except SmartcardException as e:
        raise PcscUnavailable(str(e)) from None
    try:
        card.connect(mode=SCARD_SHARE_EXCLUSIVE)
        atr = bytes(card.getATR())
    except NoCardException:
        _release(card)
        raise NoCard(reader) from None
    except CardConnectionException as e:
        _release(card)
        if reader not in list_readers():
            raise ReaderGone(reader) from None
        raise CardBusy(str(e)) from None
    profile = identify(atr, profiles)
    if profile is None:
        _release(card)
        raise UnknownCard(atr)
    return Connection(reader, atr, profile, _detect_pinpad(card), card)


def _detect_pinpad(card: PCSCCardConnection) -> pinpad.PinPad:
    try:
        return pinpad.parse_features(bytes(card.control(pinpad.CM_IOCTL_GET_FEATURE_REQUEST, [])))
    except SmartcardException:
        return pinpad.PinPad()  # the reader answers no part 10 request (vpcd does not)
