"""The APDU layer: ISO/IEC 7816-4 commands and status words, without I/O.

Builders return `Command`s; `interpret` turns a status word into a domain
`Outcome`; `transceive` runs one command through a send function and
handles GET RESPONSE chaining (61xx) and the wrong-length retry (6Cxx).
Commands that carry a PIN or PUK are marked secret and never show their
data in a repr.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

INS_SELECT = 0xA4
INS_VERIFY = 0x20
INS_CHANGE_REFERENCE_DATA = 0x24
INS_RESET_RETRY_COUNTER = 0x2C
INS_GET_DATA = 0xCA
INS_GET_DATA_ODD = 0xCB  # PIV: the object is named by a tag list in the data field
INS_GET_RESPONSE = 0xC0


@dataclass(frozen=True)
class Command:
    """A short command APDU (ISO 7816-4 cases 1 to 4)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None  # None: no Le field; 0 means "up to 256 bytes"
    secret: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.data) > 255:
            raise ValueError("short APDU data field holds at most 255 bytes")
        if self.le is not None and not 0 <= self.le <= 255:
            raise ValueError("short APDU Le is 0..255 (0 = 256)")

    def to_bytes(self) -> bytes:
        cached: bytes | None = self.__dict__.get("_bytes")
        if cached is not None:
            return cached
        out = bytes((self.cla, self.ins, self.p1, self.p2))
        if self.data:
            out += bytes((len(self.data),)) + self.data
        if self.le is not None:
            out += bytes((self.le,))
        if not self.secret:  # a command without a code is built once (the builders below cache them)
            object.__setattr__(self, "_bytes", out)
        return out

    def with_le(self, le: int) -> Command:
        return Command(self.cla, self.ins, self.p1, self.p2, self.data, le, self.secret)

    def __repr__(self) -> str:
        data = f"<{len(self.data)} byte dolda>" if self.secret else self.data.hex(" ").upper()
        return f"Command({self.cla:02X} {self.ins:02X} {self.p1:02X} {self.p2:02X} data={data} le={self.le})"


@dataclass(frozen=True)
class Response:
    data: bytes
    sw1: int
    sw2: int

    @property
    def sw(self) -> int:
        return (self.sw1 << 8) | self.sw2

    @classmethod
    def from_bytes(cls, raw: bytes) -> Response:
        if len(raw) < 2:
            raise ValueError("a response APDU ends with two status bytes")
        return cls(bytes(raw[:-2]), raw[-2], raw[-1])


# --- builders ---------------------------------------------------------------


@lru_cache(maxsize=64)  # no code in it: the same command each time
def select_aid(aid: bytes, *, return_fci: bool) -> Command:
    """SELECT by DF name. P2=0C asks for no response data (one byte less each way)."""
    if return_fci:
        return Command(0x00, INS_SELECT, 0x04, 0x00, aid, le=0x00)
    return Command(0x00, INS_SELECT, 0x04, 0x0C, aid)


def verify(reference: int, code_block: bytes) -> Command:
    return Command(0x00, INS_VERIFY, 0x00, reference, code_block, secret=True)


@lru_cache(maxsize=64)  # no code in it: the same command each time
def verify_status(reference: int) -> Command:
    """The empty VERIFY (case 1): reads the retry counter, spends no try."""
    return Command(0x00, INS_VERIFY, 0x00, reference)


def change_reference_data(reference: int, old_block: bytes, new_block: bytes) -> Command:
    return Command(0x00, INS_CHANGE_REFERENCE_DATA, 0x00, reference, old_block + new_block, secret=True)


def reset_retry_counter(pin_reference: int, puk_block: bytes, new_pin_block: bytes) -> Command:
    """RESET RETRY COUNTER, P1=00: the data is the PUK followed by the new PIN."""
    return Command(0x00, INS_RESET_RETRY_COUNTER, 0x00, pin_reference, puk_block + new_pin_block, secret=True)


@lru_cache(maxsize=64)  # no code in it: the same command each time
def get_data(tag: int) -> Command:
    """GET DATA (even INS) for a simple data object, P1-P2 = its tag."""
    return Command(0x00, INS_GET_DATA, tag >> 8, tag & 0xFF, le=0x00)


@lru_cache(maxsize=64)  # no code in it: the same command each time
def get_data_object(tag: bytes) -> Command:
    """GET DATA (odd INS, 3FFF = current DF) with a tag list 5C, as PIV reads its objects."""
    return Command(0x00, INS_GET_DATA_ODD, 0x3F, 0xFF, bytes((0x5C, len(tag))) + tag, le=0x00)


@lru_cache(maxsize=64)  # no code in it: the same command each time
def get_response(length: int) -> Command:
    return Command(0x00, INS_GET_RESPONSE, 0x00, 0x00, le=length & 0xFF)


# --- status words -----------------------------------------------------------


class Status(enum.Enum):
    OK = "ok"
    WRONG_CODE = "wrong_code"  # 63Cx, x tries left
    VERIFY_FAILED = "verify_failed"  # 6300, the card tells no counter
    CODE_BLOCKED = "code_blocked"  # 6983, or 63C0
    PUK_BLOCKED = "puk_blocked"  # the PUK blocked: the card must be replaced
    SECURITY_NOT_SATISFIED = "security_not_satisfied"  # 6982
    CONDITIONS_NOT_SATISFIED = "conditions_not_satisfied"  # 6985
    WRONG_DATA = "wrong_data"  # 6A80, e.g. a new PIN the card does not accept
    WRONG_LENGTH = "wrong_length"  # 6700
    WRONG_LE = "wrong_le"  # 6Cxx
    MORE_DATA = "more_data"  # 61xx
    FILE_NOT_FOUND = "file_not_found"  # 6A82, also an application not on the card
    REFERENCE_NOT_FOUND = "reference_not_found"  # 6A88
    WRONG_P1P2 = "wrong_p1p2"  # 6A86, 6B00
    INS_NOT_SUPPORTED = "ins_not_supported"  # 6D00
    CLA_NOT_SUPPORTED = "cla_not_supported"  # 6E00
    MEMORY_FAILURE = "memory_failure"  # 6581
    PINPAD_TIMEOUT = "pinpad_timeout"  # 6400, from a PC/SC part 10 reader
    PINPAD_CANCELLED = "pinpad_cancelled"  # 6401
    PINPAD_MISMATCH = "pinpad_mismatch"  # 6402, new code and confirmation differ
    PINPAD_LENGTH = "pinpad_length"  # 6403, code length out of range
    UNKNOWN = "unknown"


class CodeKind(enum.Enum):
    PIN = "pin"
    PUK = "puk"


@dataclass(frozen=True)
class Outcome:
    status: Status
    sw: int
    tries_left: int | None = None

    @property
    def ok(self) -> bool:
        return self.status is Status.OK


_FIXED = {
    0x9000: Status.OK,
    0x6300: Status.VERIFY_FAILED,
    0x6983: Status.CODE_BLOCKED,
    0x6982: Status.SECURITY_NOT_SATISFIED,
    0x6985: Status.CONDITIONS_NOT_SATISFIED,
    0x6A80: Status.WRONG_DATA,
    0x6700: Status.WRONG_LENGTH,
    0x6A82: Status.FILE_NOT_FOUND,
    0x6A88: Status.REFERENCE_NOT_FOUND,
    0x6A86: Status.WRONG_P1P2,
    0x6B00: Status.WRONG_P1P2,
    0x6D00: Status.INS_NOT_SUPPORTED,
    0x6E00: Status.CLA_NOT_SUPPORTED,
    0x6581: Status.MEMORY_FAILURE,
    0x6400: Status.PINPAD_TIMEOUT,
    0x6401: Status.PINPAD_CANCELLED,
    0x6402: Status.PINPAD_MISMATCH,
    0x6403: Status.PINPAD_LENGTH,
}


@lru_cache(maxsize=256)  # a pure function of two small values, on every APDU
def interpret(sw: int, code: CodeKind | None = None) -> Outcome:
    """Map a status word to an outcome; `code` says which kind of code the command used.

    63Cx carries the tries left; 63C0 and 6983 mean blocked, and a blocked PUK
    means the card must be replaced.
    """
    sw1, sw2 = sw >> 8, sw & 0xFF
    tries = None
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        tries = sw2 & 0x0F
        status = Status.WRONG_CODE if tries else Status.CODE_BLOCKED
    elif sw1 == 0x61:
        status = Status.MORE_DATA
    elif sw1 == 0x6C:
        status = Status.WRONG_LE
    else:
        status = _FIXED.get(sw, Status.UNKNOWN)
    if status is Status.CODE_BLOCKED:
        tries = 0
        if code is CodeKind.PUK:
            status = Status.PUK_BLOCKED
    return Outcome(status, sw, tries)


# --- exchange ---------------------------------------------------------------

Send = Callable[[bytes], bytes]

HEADER_LENGTH = 4  # CLA INS P1 P2: no command APDU is shorter
SW_WRONG_LENGTH = b"\x67\x00"  # what a card answers a command too short to be one

MAX_CHAINED_RESPONSES = 64  # a card that never ends its 61xx chain is broken


def transceive(send: Send, command: Command) -> Response:
    """Send a command; retry once with the Le the card asks for (6Cxx);
    collect chained data with GET RESPONSE while the card answers 61xx."""
    return complete(send, command, Response.from_bytes(send(command.to_bytes())))


def complete(send: Send, command: Command, response: Response) -> Response:
    """`transceive` after the card's first answer to `command`, `response`."""
    if response.sw1 == 0x6C:
        response = Response.from_bytes(send(command.with_le(response.sw2).to_bytes()))
    if response.sw1 != 0x61:  # the usual case: one answer, returned as it came
        return response
    data = response.data
    for _ in range(MAX_CHAINED_RESPONSES):
        response = Response.from_bytes(send(get_response(response.sw2).to_bytes()))
        data += response.data
        if response.sw1 != 0x61:
            return Response(data, response.sw1, response.sw2)
    raise ValueError("the card did not end its GET RESPONSE chain")
