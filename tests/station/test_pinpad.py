import struct

import pytest

from cards.station import pinpad
from cards.station.profiles import PIV, RS_KORT

PIV_VERIFY = bytes.fromhex("0020008008FFFFFFFFFFFFFFFF")


def test_features_are_parsed_from_the_tlv_answer():
    answer = bytes.fromhex("0604 42330006 0704 42330007 0A04 4233000A".replace(" ", ""))
    pad = pinpad.parse_features(answer)
    assert (pad.verify_control, pad.modify_control, pad.present) == (0x42330006, 0x42330007, True)


def test_a_reader_without_modify_is_no_pin_pad():
    assert not pinpad.parse_features(bytes.fromhex("060442330006")).present
    assert not pinpad.parse_features(b"").present


def test_verify_structure_layout():
    s = pinpad.verify_structure(PIV, 0x80)
    fields = struct.unpack("<BBBBBHBBHB3sI", s[:19])
    assert fields == (0, 0, 0x82, 0x08, 0, 0x0606, 0x02, 1, 0x041D, 0, b"\0\0\0", len(PIV_VERIFY))
    assert s[19:] == PIV_VERIFY
    assert s[5:7] == b"\x06\x06"  # wPINMaxExtraDigit: max then min in the little-endian bytes


def test_unblock_structure_takes_puk_then_new_pin_twice():
    s = pinpad.unblock_structure(PIV, 0x80)
    (timeout, timeout2, fmt, block, length_fmt, off_old, off_new, extra, confirm, validation, messages,
     lang, m1, m2, m3, teo, data_length) = struct.unpack("<BBBBBBBHBBBHBBB3sI", s[:24])
    assert (fmt, block, off_old, off_new) == (0x82, 8, 0, 8)
    assert extra == (6 << 8) | 8  # PIN 6 .. PUK 8 digits
    assert (confirm, messages, lang) == (0x03, 3, 0x041D)
    assert s[24:] == bytes.fromhex("002C008010") + b"\xff" * 16 and data_length == 21


def test_change_structure_uses_the_profiles_padding():
    s = pinpad.change_structure(RS_KORT, 0x82)
    assert s[24:] == bytes.fromhex("0024008210") + b"\x00" * 16
    assert struct.unpack("<H", s[7:9])[0] == (6 << 8) | 6


def test_a_profile_without_padding_cannot_use_a_pin_pad():
    from dataclasses import replace
    with pytest.raises(ValueError):
        pinpad.verify_structure(replace(RS_KORT, block_length=None), 0x81)
