"""PC/SC part 10 PIN pads: the reader takes the code on its own keys.

Pure: parses the GET_FEATURE_REQUEST answer and builds PIN_VERIFY_STRUCTURE
and PIN_MODIFY_STRUCTURE (PC/SC part 10, v2.02, section 2.5) around an APDU
whose code blocks hold only padding where the holder types; the reader writes
the digits in. The holder's codes never pass through the PC.

A structure has one length range (wPINMaxExtraDigit) for all its entries, so an
unblock on the pad is two commands, each with the exact length of what is typed:

1. `unblock_puk_structure`: FEATURE_VERIFY_PIN_DIRECT carrying RESET RETRY COUNTER.
   The holder types the PUK (exactly the PUK's length); the new PIN in the APDU is
   a random temporary one from the station.
2. `new_pin_structure`: FEATURE_MODIFY_PIN_DIRECT carrying CHANGE REFERENCE DATA.
   The current PIN is that temporary one (from the station, bConfirmPIN bit 1
   clear); the holder types the new PIN twice (exactly the PIN's length).
The card's 9000 to step 2 is its proof that step 1 set the PIN and that it now
holds the new one. Where the station holds the PUK (an assisted unblock, whose PUK
comes from the server, or a pad that cannot take the PUK), step 1 is a plain RESET
RETRY COUNTER APDU to the same temporary PIN, and step 2 is the same: the holder's
new PIN is typed on the pad whenever the pad can take it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from . import apdu
from .codes import Code
from .profiles import Profile

# pcsc-lite: SCARD_CTL_CODE(code) = 0x42000000 + code
CM_IOCTL_GET_FEATURE_REQUEST = 0x42000000 + 3400
FEATURE_VERIFY_PIN_DIRECT = 0x06
FEATURE_MODIFY_PIN_DIRECT = 0x07

LANG_SWEDISH = 0x041D
_FORMAT_ASCII_BYTES = 0x82  # bytes as unit, code at offset 0 (bits 6-3), left justified, ASCII digits
_VALIDATE_WITH_OK_KEY = 0x02
_CONFIRM_NEW = 0x01  # bConfirmPIN bit 0: the new PIN twice
_ENTER_CURRENT = 0x02  # bConfirmPIN bit 1: the current code typed too (else it is in the APDU)


@dataclass(frozen=True)
class PinPad:
    verify_control: int | None = None
    modify_control: int | None = None

    @property
    def verifies(self) -> bool:
        return self.verify_control is not None

    @property
    def changes(self) -> bool:
        """Change a PIN on the pad: current PIN, new PIN twice (MODIFY alone)."""
        return self.modify_control is not None

    @property
    def unblocks(self) -> bool:
        """Unblock on the pad: the PUK (VERIFY), then the new PIN twice (MODIFY)."""
        return self.verifies and self.changes


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


def _exactly(digits: int) -> int:
    """wPINMaxExtraDigit: minimum in the high byte, maximum in the low one."""
    return (digits << 8) | digits


def _verify(profile: Profile, command: apdu.Command, digits: int) -> bytes:
    raw = command.to_bytes()
    return (
        struct.pack(
            "<BBBBBHBBHB3sI",
            0,
            0,  # timeouts: the reader's default
            _FORMAT_ASCII_BYTES,  # the typed code starts the data field
            profile.block_length,  # bmPINBlockString: no length field, block of N bytes
            0,  # bmPINLengthFormat
            _exactly(digits),
            _VALIDATE_WITH_OK_KEY,
            1,  # bNumberMessage
            LANG_SWEDISH,
            0,  # bMsgIndex
            b"\0\0\0",  # bTeoPrologue (T=1 only; the reader fills it in)
            len(raw),
        )
        + raw
    )


def _modify(profile: Profile, command: apdu.Command, confirm: int) -> bytes:
    raw = command.to_bytes()
    entries = 3 if confirm & _ENTER_CURRENT else 2
    return (
        struct.pack(
            "<BBBBBBBHBBBHBBB3sI",
            0,
            0,
            _FORMAT_ASCII_BYTES,
            profile.block_length,
            0,
            0,  # bInsertionOffsetOld: the current code starts the data field
            profile.block_length,  # bInsertionOffsetNew: the new PIN follows it
            _exactly(profile.pin_length),  # current and new are both PINs
            confirm,
            _VALIDATE_WITH_OK_KEY,
            entries,
            LANG_SWEDISH,
            *((0, 1, 2) if entries == 3 else (1, 2, 0)),  # prompts: current PIN, new PIN, new PIN again
            b"\0\0\0",
            len(raw),
        )
        + raw
    )


def change_structure(profile: Profile, reference: int) -> bytes:
    """PIN_MODIFY_STRUCTURE for CHANGE REFERENCE DATA: old PIN, new PIN, new PIN again."""
    block = _pad_block(profile)
    return _modify(profile, apdu.change_reference_data(reference, block, block), _ENTER_CURRENT | _CONFIRM_NEW)


def unblock_puk_structure(profile: Profile, pin_reference: int, temporary_pin: Code) -> bytes:
    """Step 1 of an unblock on the pad: RESET RETRY COUNTER with the PUK typed (exactly
    the PUK's length) and the station's temporary PIN as the new one."""
    command = apdu.reset_retry_counter(pin_reference, _pad_block(profile), profile.code_block(temporary_pin))
    return _verify(profile, command, profile.puk_length)


def new_pin_structure(profile: Profile, pin_reference: int, temporary_pin: Code) -> bytes:
    """Step 2: CHANGE REFERENCE DATA from the temporary PIN to the new PIN typed twice."""
    command = apdu.change_reference_data(pin_reference, profile.code_block(temporary_pin), _pad_block(profile))
    return _modify(profile, command, _CONFIRM_NEW)
