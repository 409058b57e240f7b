import struct

import pytest

from cards.reader import pinpad
from cards.reader.codes import Code
from cards.reader.profiles import PIV, RS_KORT

# RESET RETRY COUNTER of PIN 80 with the PUK typed on the pad (its 8 bytes of padding)
# and the temporary PIN 135790 in the APDU.
PIV_UNBLOCK = bytes.fromhex("002C008010" + "FF" * 8 + "313335373930FFFF")


def test_features_are_parsed_from_the_tlv_answer():
    answer = bytes.fromhex("0604 42330006 0704 42330007 0A04 4233000A".replace(" ", ""))
    pad = pinpad.parse_features(answer)
    assert (pad.verify_control, pad.modify_control, pad.unblocks) == (0x42330006, 0x42330007, True)


def test_a_reader_with_modify_alone_changes_pins_but_does_not_unblock_on_its_pad():
    pad = pinpad.parse_features(bytes.fromhex("070442330007"))
    assert pad.changes and not pad.unblocks and not pad.verifies
    assert not pinpad.parse_features(bytes.fromhex("060442330006")).unblocks
    assert not pinpad.parse_features(b"").changes


def test_pin_verify_structure_layout():
    s = pinpad.unblock_puk_structure(PIV, 0x80, Code("135790"))
    fields = struct.unpack("<BBBBBHBBHB3sI", s[:19])
    assert fields == (0, 0, 0x82, 0x08, 0, 0x0808, 0x02, 1, 0x041D, 0, b"\0\0\0", len(PIV_UNBLOCK))
    assert s[19:] == PIV_UNBLOCK
    assert s[5:7] == b"\x08\x08"  # wPINMaxExtraDigit: max then min in the little-endian bytes: the PUK's length


def test_unblock_step_one_takes_exactly_the_puk_into_a_reset_with_the_temporary_pin():
    s = pinpad.unblock_puk_structure(PIV, 0x80, Code("913579"))
    fields = struct.unpack("<BBBBBHBBHB3sI", s[:19])
    assert fields[2:6] == (0x82, 8, 0, (8 << 8) | 8)  # the PUK at offset 0, exactly eight digits
    assert s[19:] == bytes.fromhex("002C008010") + b"\xff" * 8 + b"913579\xff\xff" and fields[-1] == 21


def test_unblock_step_two_takes_the_new_pin_twice_after_the_temporary_one():
    s = pinpad.new_pin_structure(RS_KORT, 0x81, Code("913579"))
    (
        _timeout,
        _timeout2,
        fmt,
        block,
        _length_fmt,
        _off_old,
        off_new,
        extra,
        confirm,
        _validation,
        messages,
        _lang,
        m1,
        m2,
        _m3,
        _teo,
        data_length,
    ) = struct.unpack("<BBBBBBBHBBBHBBB3sI", s[:24])
    assert (fmt, block, off_new, extra) == (0x82, 8, 8, (6 << 8) | 6)
    assert (confirm, messages, (m1, m2)) == (0x01, 2, (1, 2))  # no current PIN typed: it is in the APDU
    assert s[24:] == bytes.fromhex("0024008110") + b"913579\0\0" + b"\0" * 8 and data_length == 21


def test_change_structure_uses_the_profiles_padding():
    s = pinpad.change_structure(RS_KORT, 0x82)
    assert s[24:] == bytes.fromhex("0024008210") + b"\x00" * 16
    assert struct.unpack("<H", s[7:9])[0] == (6 << 8) | 6


def test_a_profile_without_padding_cannot_use_a_pin_pad():
    from dataclasses import replace

    with pytest.raises(ValueError):
        pinpad.change_structure(replace(RS_KORT, block_length=None), 0x81)
