"""The FASC-N decoder: every character in its place, every damaged bit refused."""

from __future__ import annotations

import pytest

from cards.reader import fascn

FIELDS = {
    "agency": "1234",
    "system": "5678",
    "credential": "901234",
    "series": "5",
    "issue": "6",
    "person": "7890123456",
    "org_category": "7",
    "org": "8901",
    "association": "2",
}


def test_fascn_decodes_every_field_in_its_place():
    assert fascn.decode(fascn.encode(**FIELDS)) == FIELDS


@pytest.mark.parametrize("digit", "0123456789")
def test_fascn_decodes_every_digit_in_every_position(digit):
    fields = {name: digit * len(value) for name, value in FIELDS.items()}
    assert fascn.decode(fascn.encode(**fields)) == fields


def test_fascn_refuses_every_single_damaged_bit():
    raw = fascn.encode(**FIELDS)
    for bit in range(200):
        damaged = bytearray(raw)
        damaged[bit // 8] ^= 0x80 >> (bit % 8)
        with pytest.raises(ValueError):
            fascn.decode(bytes(damaged))


def test_fascn_refuses_a_wrong_lrc():
    raw = bytearray(fascn.encode(**FIELDS))
    raw[-1] ^= 0b00011000  # two bits of the LRC's character: its parity still odd
    with pytest.raises(ValueError, match="LRC"):
        fascn.decode(bytes(raw))
