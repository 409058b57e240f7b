"""The FASC-N of a PIV card's CHUID (SP 800-73-4, TIG SCEPACS): 40 characters
of 5 bits (4 data bits least significant first, then an odd parity bit) in 25 bytes:

    SS agency(4) FS system(4) FS credential(6) FS series(1) FS issue(1) FS
    person(10) org_category(1) org(4) association(1) ES LRC

The station shows agency, system and credential number as the card number.
"""

from __future__ import annotations

from functools import reduce
from operator import xor

_SS, _FS, _ES = 0xB, 0xD, 0xF
FIELDS = (
    ("agency", 4),
    ("system", 4),
    ("credential", 6),
    ("series", 1),
    ("issue", 1),
    ("person", 10),
    ("org_category", 1),
    ("org", 4),
    ("association", 1),
)
_SEPARATED = 5  # the first five fields end with FS


def _bits(value: int) -> str:
    data = [(value >> k) & 1 for k in range(4)]
    return "".join(map(str, [*data, 1 - sum(data) % 2]))


def encode(**fields: str) -> bytes:
    chars = [_SS]
    for n, (name, width) in enumerate(FIELDS):
        value = fields.get(name, "0" * width)
        if len(value) != width or not value.isdigit():
            raise ValueError(f"FASC-N field {name} is {width} digits")
        chars += [int(d) for d in value]
        if n < _SEPARATED:
            chars.append(_FS)
    chars.append(_ES)
    chars.append(reduce(xor, chars))
    return int("".join(_bits(c) for c in chars), 2).to_bytes(25, "big")


def _character(group: str) -> int | None:
    """The value of five bits as sent (data least significant first, then parity); None: parity wrong."""
    return sum(int(b) << n for n, b in enumerate(group[:4])) if group.count("1") % 2 == 1 else None


_CHARACTERS = [
    _character(f"{g:05b}") for g in range(32)
]  # every 5-bit group, looked up: decoding is on every card read


_AS_TEXT = bytes(range(48, 58)) + b"?" * 246  # character values 0-9 as ASCII digits, anything else "?"
_PARITY_WRONG = 0xFF
_FROM_GROUP = bytes(_PARITY_WRONG if c is None else c for c in _CHARACTERS) + bytes(224)


def _spreading() -> tuple[tuple[int, int], ...]:
    """The FASC-N's 5-bit groups moved one to a byte, in big-integer operations only (a
    Python loop over the 40 groups was most of a PIV card read's own time): the value,
    padded to 64 groups, is cut in halves, quarters, ... and each upper part moved up by
    3 bits a group. Per step: the mask of the lower parts and the shift."""
    steps, block = [], 64
    while block > 1:
        half = block // 2
        mask = 0
        for n in range(64 // block):
            mask |= ((1 << (half * 5)) - 1) << (n * block * 8)
        steps.append((mask, half * 3))
        block = half
    return tuple(steps)


_SPREADING = _spreading()


def decode(raw: bytes) -> dict[str, str]:
    if len(raw) != 25:
        raise ValueError("a FASC-N is 25 bytes")
    value = int.from_bytes(raw, "big")
    for mask, shift in _SPREADING:
        low = value & mask
        value = low | ((value ^ low) << shift)
    chars = value.to_bytes(64, "big")[24:].translate(_FROM_GROUP)  # the 40 characters, first first
    if _PARITY_WRONG in chars:
        raise ValueError("FASC-N parity error")
    if chars[0] != _SS or chars[38] != _ES or reduce(xor, chars[:39]) != chars[39]:
        raise ValueError("FASC-N sentinels or LRC wrong")
    digits = chars[1:38].translate(_AS_TEXT, bytes((_FS,)))
    if len(digits) != 32 or b"?" in digits:
        raise ValueError("FASC-N holds non-digits")
    text, out, i = digits.decode("ascii"), {}, 0
    for name, width in FIELDS:
        out[name] = text[i : i + width]
        i += width
    return out
