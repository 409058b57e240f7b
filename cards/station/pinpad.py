"""PC/SC part 10 PIN pads: the reader takes the code on its own keys.

Pure: parses the GET_FEATURE_REQUEST answer and builds PIN_VERIFY_STRUCTURE
and PIN_MODIFY_STRUCTURE (PC/SC part 10, v2.02, section 2.5) around an APDU
whose code blocks hold only padding; the reader writes the digits in. The
codes never pass through the PC.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from . import apdu
from .profiles import Profile

# pcsc-lite: SCARD_CTL_CODE(code) = 0x42000000 + code
CM_IOCTL_GET_FEATURE_REQUEST = 0x42000000 + 3400
FEATURE_VERIFY_PIN_DIRECT = 0x06
FEATURE_MODIFY_PIN_DIRECT = 0x07

LANG_SWEDISH = 0x041D
_FORMAT_ASCII_BYTES = 0x82  # bytes as unit, code at offset 0, left justified, ASCII digits
_VALIDATE_WITH_OK_KEY = 0x02
_CONFIRM_NEW_AND_ENTER_CURRENT = 0x03


@dataclass(frozen=True)
class PinPad:
    verify_control: int | None = None
    modify_control: int | None = None

    @property
    def present(self) -> bool:
        return self.verify_control is not None and self.modify_control is not None


def parse_features(response: bytes) -> PinPad:
    """GET_FEATURE_REQUEST answers TLVs: tag, length 4, a big-endian control code."""
    codes: dict[int, int] = {}
    i = 0
    while i + 2 <= len(response):
        tag, length = response[i], response[i + 1]
        if length == 4 and i + 6 <= len(response):
            codes[tag] = int.from_bytes(response[i + 2 : i + 6], "big")
        i += 2 + length
    return PinPad(codes.get(FEATURE_VERIFY_PIN_DIRECT), codes.get(FEATURE_MODIFY_PIN_DIRECT))


def _pad_block(profile: Profile) -> bytes:
    if profile.block_length is None:
        raise ValueError("a PIN pad needs a profile with fixed-length, padded code blocks")
    return bytes((profile.padding,)) * profile.block_length


def _extra_digits(minimum: int, maximum: int) -> int:
    return (minimum << 8) | maximum


def verify_structure(profile: Profile, reference: int) -> bytes:
    """PIN_VERIFY_STRUCTURE for VERIFY of a PIN of the profile's length."""
    command = apdu.verify(reference, _pad_block(profile)).to_bytes()
    return struct.pack(
        "<BBBBBHBBHB3sI",
        0, 0,  # timeouts: the reader's default
        _FORMAT_ASCII_BYTES,
        profile.block_length,  # bmPINBlockString: no length field, block of N bytes
        0,  # bmPINLengthFormat
        _extra_digits(profile.pin_length, profile.pin_length),
        _VALIDATE_WITH_OK_KEY,
        1,  # bNumberMessage
        LANG_SWEDISH,
        0,  # bMsgIndex
        b"\0\0\0",  # bTeoPrologue (T=1 only; the reader fills it in)
        len(command),
    ) + command


def _modify(profile: Profile, command: apdu.Command, old_length: int) -> bytes:
    raw = command.to_bytes()
    shortest = min(old_length, profile.pin_length)
    longest = max(old_length, profile.pin_length)
    return struct.pack(
        "<BBBBBBBHBBBHBBB3sI",
        0, 0,
        _FORMAT_ASCII_BYTES,
        profile.block_length,
        0,
        0,  # bInsertionOffsetOld: the current code (or PUK) starts the data field
        profile.block_length,  # bInsertionOffsetNew: the new PIN follows it
        _extra_digits(shortest, longest),
        _CONFIRM_NEW_AND_ENTER_CURRENT,
        _VALIDATE_WITH_OK_KEY,
        3,  # current code, new PIN, new PIN again
        LANG_SWEDISH,
        0, 1, 2,
        b"\0\0\0",
        len(raw),
    ) + raw


def change_structure(profile: Profile, reference: int) -> bytes:
    """PIN_MODIFY_STRUCTURE for CHANGE REFERENCE DATA: old PIN, new PIN, new PIN again."""
    block = _pad_block(profile)
    return _modify(profile, apdu.change_reference_data(reference, block, block), profile.pin_length)


def unblock_structure(profile: Profile, pin_reference: int) -> bytes:
    """PIN_MODIFY_STRUCTURE for RESET RETRY COUNTER: PUK, new PIN, new PIN again.

    One length range covers both entries (part 10 has no range per entry), so
    the pad accepts PIN length to PUK length; the card refuses a wrong length.
    """
    block = _pad_block(profile)
    return _modify(profile, apdu.reset_retry_counter(pin_reference, block, block), profile.puk_length)
