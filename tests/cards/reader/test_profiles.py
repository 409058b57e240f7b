import json

import pytest

from cards.reader import fascn, profiles, tlv
from cards.reader.codes import Code
from cards.reader.profiles import PIV, RS_KORT, AtrPattern, PinRole, identify

RS_ATR = bytes.fromhex("3B 88 80 01 52 53 2D 4B 4F 52 54 31 16")
YUBIKEY_ATR = bytes.fromhex("3B FD 13 00 00 81 31 FE 15 80 73 C0 21 C0 57 59 75 62 69 4B 65 79 40")
# The CHUID that yubico-piv-tool writes: an all-nines FASC-N and a random GUID.
YUBICO_CHUID = bytes.fromhex(
    "3019D4E739DA739CED39CE739D836858210842108421C84210C3EB"
    "34104C8D536A86AA98A5CE20D53557776E58350832303330303130313E00FE00"
)


def test_the_rs_kort_is_known_by_its_atr():
    assert identify(RS_ATR) is RS_KORT


def test_masked_atr_bytes_may_differ():
    next_generation = RS_ATR[:-2] + b"\x32" + bytes((RS_ATR[-1] ^ 0x31 ^ 0x32,))
    assert identify(next_generation) is RS_KORT


def test_unmasked_atr_bytes_must_match():
    assert identify(bytes.fromhex("3B 88 80 01 58 59 5A 2D 4B 4F 52 54 7D")) is None


def test_a_yubikey_is_a_piv_card():
    assert identify(YUBIKEY_ATR) is PIV


def test_atr_pattern_needs_a_mask_of_its_length():
    with pytest.raises(ValueError):
        AtrPattern(b"\x3b\x00", b"\xff")


def test_piv_uses_sp_800_73_4_references_and_ff_padding():
    assert (PIV.legitimering_reference, PIV.puk_reference) == (0x80, 0x81)
    assert PIV.code_block(Code("123456")) == b"123456\xff\xff"
    assert PIV.select().to_bytes() == bytes.fromhex("00A4040009A0000003080000100000")


def test_piv_has_one_pin_for_both_roles():
    assert PIV.pin_reference(PinRole.UNDERSKRIFT) == PIV.pin_reference(PinRole.LEGITIMERING)
    assert PIV.pin_roles_on_card == (PinRole.LEGITIMERING,)
    assert RS_KORT.pin_roles_on_card == (PinRole.LEGITIMERING, PinRole.UNDERSKRIFT)


def test_fascn_decodes_the_yubico_default():
    fields = fascn.decode(bytes.fromhex("D4E739DA739CED39CE739D836858210842108421C84210C3EB"))
    assert (fields["agency"], fields["system"], fields["credential"], fields["org_category"]) == (
        "9999",
        "9999",
        "999999",
        "3",
    )


def test_fascn_round_trips():
    raw = fascn.encode(agency="1234", system="5678", credential="000042")
    assert fascn.decode(raw)["credential"] == "000042"


def test_fascn_parity_errors_are_refused():
    raw = bytearray(fascn.encode(agency="1234", system="5678", credential="000042"))
    raw[3] ^= 0x01
    with pytest.raises(ValueError):
        fascn.decode(bytes(raw))


def test_piv_card_number_is_the_guid_when_the_fascn_is_all_nines():
    assert PIV.parse_card_number(tlv.encode(0x53, YUBICO_CHUID)) == "4C8D536A86AA98A5CE20D53557776E58"


def test_piv_card_number_is_agency_system_credential():
    chuid = tlv.encode(0x30, fascn.encode(agency="1234", system="5678", credential="000042"))
    assert PIV.parse_card_number(tlv.encode(0x53, chuid)) == "1234-5678-000042"


def test_rs_card_number_is_bcd_without_padding():
    assert RS_KORT.parse_card_number(bytes.fromhex("5A089752201234567890")) == "9752201234567890"
    assert RS_KORT.parse_card_number(bytes.fromhex("5A0597522012 3F".replace(" ", ""))) == "975220123"


def test_rs_references_are_configurable():
    rs, piv = profiles.configure(
        {
            "rs": {
                "legitimering_reference": "01",
                "puk_reference": "84",
                "aid": "D2760001",
                "extra_atrs": [{"atr": "3B 02 14 50"}],
            }
        }
    )
    assert (rs.legitimering_reference, rs.underskrift_reference, rs.puk_reference) == (0x01, 0x82, 0x84)
    assert rs.aid == bytes.fromhex("D2760001") and identify(bytes.fromhex("3B021450"), (rs, piv)) is rs
    assert identify(RS_ATR, (rs, piv)) is rs and piv == PIV


def test_profiles_file_is_read(tmp_path):
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps({"rs": {"puk_tries": 5}}))
    assert profiles.load(path)[0].puk_tries == 5
    assert profiles.load(None) == profiles.BUILT_IN


def test_unknown_profile_names_are_refused():
    with pytest.raises(ValueError):
        profiles.configure({"siths": {}})
