"""The card reader over pyscard (PC/SC).

Every PC/SC failure becomes a `StationError` subclass the operator can be
told about in words: pcscd not running, no reader, no card, the card pulled
out, the reader unplugged, a card of an unknown type. pyscard's exception
classes are caught, never its error codes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from smartcard import scard
from smartcard.CardRequest import CardRequest
from smartcard.Exceptions import (
    CardConnectionException,
    CardRequestTimeoutException,
    NoCardException,
    SmartcardException,
)
from smartcard.pcsc.PCSCCardConnection import PCSCCardConnection
from smartcard.pcsc.PCSCExceptions import BaseSCardException
from smartcard.scard import SCARD_SHARE_EXCLUSIVE
from smartcard.System import readers as _pcsc_readers

from . import apdu, pinpad
from .errors import CardBusy, CardRemoved, NoCard, NoReader, PcscUnavailable, ReaderGone, StationError, UnknownCard
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
        if len(matches) != 1:
            raise NoReader(wanted)
        return matches[0]
    if len(names) == 1:
        return names[0]
    with_card = [n for n in names if card_present(n)]
    if len(with_card) != 1:
        raise NoReader(", ".join(names))
    return with_card[0]


def card_present(reader: str) -> bool:
    try:
        wait_for_card(reader, 0)
    except NoCard:
        return False
    return True


def wait_for_card(reader: str, timeout: float | None) -> None:
    """Block until a card is in `reader` (at once if one already is)."""
    try:
        CardRequest(readers=[reader], timeout=timeout).waitforcard()
    except CardRequestTimeoutException:
        raise NoCard(reader) from None
    except (BaseSCardException, SmartcardException) as e:
        raise PcscUnavailable(str(e)) from None


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
    """

    reader: str
    atr: bytes
    profile: Profile
    pinpad: pinpad.PinPad
    _card: PCSCCardConnection = field(repr=False)
    selected: bool = False
    apdu_count: int = 0

    def _send(self, raw: bytes) -> bytes:
        self.apdu_count += 1
        try:
            data, sw1, sw2 = self._card.transmit(list(raw))
        except CardConnectionException:
            raise self._lost() from None
        return bytes(data) + bytes((sw1, sw2))

    def transmit(self, command: apdu.Command) -> apdu.Response:
        response = apdu.transceive(self._send, command)
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
