"""`Code`: a PIN or PUK value that never shows itself.

Its repr and str are redacted, it refuses to be pickled, and two codes are
compared in constant time. The digits leave the object only as the code
block that goes into an APDU (`block`) — nowhere else.
"""

from __future__ import annotations

import hmac
from typing import NoReturn

REDACTED = "<dold>"


class Code:
    __slots__ = ("_digits",)

    def __init__(self, digits: str):
        self._digits = digits

    def is_digits(self, length: int) -> bool:
        return len(self._digits) == length and self._digits.isascii() and self._digits.isdigit()

    def same_as(self, other: Code) -> bool:
        return hmac.compare_digest(self._digits.encode(), other._digits.encode())

    def block(self, length: int | None, padding: int) -> bytes:
        """The code as ASCII digits, padded to `length` bytes (None: no padding)."""
        raw = self._digits.encode("ascii")
        if length is None:
            return raw
        if len(raw) > length:
            raise ValueError("the code is longer than the card's code block")
        return raw + bytes((padding,)) * (length - len(raw))

    def __repr__(self) -> str:
        return f"Code({REDACTED})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("a PIN or PUK is not pickled")
