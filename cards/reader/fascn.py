"""The FASC-N of a PIV card's CHUID (SP 800-73-4, TIG SCEPACS): 40 characters
of 5 bits (4 data bits least significant first, then an odd parity bit) in 25 bytes:

    SS agency(4) FS system(4) FS credential(6) FS series(1) FS issue(1) FS
    person(10) org_category(1) org(4) association(1) ES LRC

The station shows agency, system and credential number as the card number.
"""

from __future__ import annotations

from functools import reduce
from operator import xor
from typing import cast

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


def decode(raw: bytes) -> dict[str, str]:
    if len(raw) != 25:
        raise ValueError("a FASC-N is 25 bytes")
    value = int.from_bytes(raw, "big")
    chars = [_CHARACTERS[(value >> (195 - 5 * k)) & 0x1F] for k in range(40)]
    if None in chars:
        raise ValueError("FASC-N parity error")
    if chars[0] != _SS or chars[38] != _ES or reduce(xor, chars[:39]) != chars[39]:
        raise ValueError("FASC-N sentinels or LRC wrong")
    # No None is left in chars: the parity check above.
    digits = bytes(cast("list[int]", chars[1:38])).translate(_AS_TEXT, bytes((_FS,)))
    if len(digits) != 32 or b"?" in digits:
        raise ValueError("FASC-N holds non-digits")
    text, out, i = digits.decode("ascii"), {}, 0
    for name, width in FIELDS:
        out[name] = text[i : i + width]
        i += width
    return out
