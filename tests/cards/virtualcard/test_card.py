import json

import pytest

from cards.reader import apdu
from cards.reader.codes import Code
from cards.reader.profiles import PIV, RS_KORT
from cards.virtualcard.card import VirtualCard
from cards.virtualcard.state import CardState
from tests.cards.fakes import piv_state, rs_state


def send(card, command):
    response, _ = card.process(command.to_bytes())
    return apdu.Response.from_bytes(response)


def selected(state):
    card = VirtualCard(state)
    assert send(card, card.profile.select()).sw == 0x9000
    return card


def block(profile, digits):
    return profile.code_block(Code(digits))


def test_state_fills_in_counters_from_the_limits():
    state = rs_state(puk_tries=5)
    assert state.pin_tries_left == {"legitimering": 3, "underskrift": 3} and state.puk_tries_left == 5


def test_state_refuses_a_second_pin_on_piv():
    with pytest.raises(ValueError):
        piv_state(pins={"legitimering": "111111", "underskrift": "222222"})


def test_state_round_trips_through_its_file(tmp_path):
    path = tmp_path / "card.json"
    rs_state(puk_tries_left=4).save(path)
    assert CardState.load(path) == rs_state(puk_tries_left=4)
    assert json.loads(path.read_text())["puk_tries_left"] == 4
    assert [p.name for p in tmp_path.iterdir()] == ["card.json"]  # no temporary file left


def test_state_repr_hides_codes():
    text = repr(rs_state(puk="86427531"))
    assert "86427531" not in text and "111111" not in text and "222222" not in text


def test_atr_is_the_profiles_unless_the_state_sets_one():
    assert RS_KORT.matches(VirtualCard(rs_state()).atr)
    assert PIV.matches(VirtualCard(piv_state()).atr)
    assert VirtualCard(rs_state(atr="3B0101")).atr == bytes.fromhex("3B0101")


def test_commands_before_select_are_unknown_instructions():
    assert send(VirtualCard(rs_state()), apdu.verify_status(0x81)).sw == 0x6D00


def test_select_of_another_application_is_file_not_found():
    card = VirtualCard(rs_state())
    assert send(card, apdu.select_aid(bytes.fromhex("A0000000010203"), return_fci=False)).sw == 0x6A82


def test_piv_select_returns_the_application_property_template():
    card = VirtualCard(piv_state())
    response = send(card, PIV.select())
    assert response.sw == 0x9000 and response.data[0] == 0x61


def test_empty_verify_reads_counters_without_spending():
    card = selected(rs_state(pin_tries_left={"legitimering": 2, "underskrift": 3}, puk_tries_left=7))
    for _ in range(2):
        assert send(card, apdu.verify_status(0x81)).sw == 0x63C2
        assert send(card, apdu.verify_status(0x82)).sw == 0x63C3
        assert send(card, apdu.verify_status(0x83)).sw == 0x63C7
    assert card.state.pin_tries_left["legitimering"] == 2


def test_wrong_pin_spends_a_try_and_three_block_it():
    state = rs_state()
    card = selected(state)
    answers = [send(card, apdu.verify(0x81, block(RS_KORT, "999999"))).sw for _ in range(4)]
    assert answers == [0x63C2, 0x63C1, 0x63C0, 0x6983]
    assert send(card, apdu.verify(0x81, block(RS_KORT, "111111"))).sw == 0x6983


def test_right_pin_resets_the_counter_and_reports_a_state_change():
    card = selected(rs_state(pin_tries_left={"legitimering": 1, "underskrift": 3}))
    response, changed = card.process(apdu.verify(0x81, block(RS_KORT, "111111")).to_bytes())
    assert response == b"\x90\x00" and changed and card.state.pin_tries_left["legitimering"] == 3
    assert send(card, apdu.verify_status(0x81)).sw == 0x9000  # verified in this session


def test_reset_retry_counter_unblocks_and_sets_the_new_pin():
    card = selected(rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3}, puk_tries_left=4))
    assert send(card, apdu.reset_retry_counter(0x81, block(RS_KORT, "12345678"), block(RS_KORT, "424242"))).sw == 0x9000
    assert card.state.pins["legitimering"] == "424242"
    assert (card.state.pin_tries_left["legitimering"], card.state.puk_tries_left) == (3, 10)


def test_wrong_puk_spends_a_puk_try_and_the_last_blocks_the_card_for_good():
    card = selected(rs_state(puk_tries_left=2))
    rrc = apdu.reset_retry_counter(0x81, block(RS_KORT, "00000000"), block(RS_KORT, "424242"))
    assert [send(card, rrc).sw for _ in range(3)] == [0x63C1, 0x63C0, 0x6983]
    right = apdu.reset_retry_counter(0x81, block(RS_KORT, "12345678"), block(RS_KORT, "424242"))
    assert send(card, right).sw == 0x6983 and card.state.pins["legitimering"] == "111111"


def test_a_malformed_new_pin_is_refused_without_spending_the_puk():
    card = selected(rs_state())
    rrc = apdu.reset_retry_counter(0x81, block(RS_KORT, "00000000"), block(RS_KORT, "42424"))
    assert send(card, rrc).sw == 0x6A80 and card.state.puk_tries_left == 10


def test_change_reference_data_needs_the_old_pin():
    card = selected(rs_state())
    wrong = apdu.change_reference_data(0x82, block(RS_KORT, "999999"), block(RS_KORT, "333333"))
    right = apdu.change_reference_data(0x82, block(RS_KORT, "222222"), block(RS_KORT, "333333"))
    assert send(card, wrong).sw == 0x63C2
    assert send(card, right).sw == 0x9000 and card.state.pins["underskrift"] == "333333"


def test_the_puk_cannot_be_changed():
    card = selected(rs_state())
    assert send(card, apdu.change_reference_data(0x83, block(RS_KORT, "12345678"), block(RS_KORT, "1"))).sw == 0x6985


def test_piv_puk_counter_cannot_be_read():
    assert send(selected(piv_state()), apdu.verify_status(0x81)).sw == 0x6A88


def test_rs_card_number_comes_from_get_data():
    card = selected(rs_state(card_number="975220123"))
    response = send(card, RS_KORT.read_card_number())
    assert RS_KORT.parse_card_number(response.data) == "975220123"


def test_get_data_with_a_wrong_le_answers_6c_with_the_length():
    card = selected(rs_state())
    assert send(card, RS_KORT.read_card_number().with_le(4)).sw == 0x6C0A


def test_piv_card_number_comes_from_the_chuid():
    card = selected(piv_state())
    assert PIV.parse_card_number(send(card, PIV.read_card_number()).data) == "1234-5678-000042"


def test_long_responses_are_chained_with_61xx():
    card = selected(piv_state(card_number="00112233445566778899AABBCCDDEEFF"))
    whole = send(card, PIV.read_card_number()).data
    first = send(card, PIV.read_card_number().with_le(16))
    assert first.sw1 == 0x61 and first.data == whole[:16]
    rest = send(card, apdu.get_response(first.sw2))
    assert first.data + rest.data == whole and rest.sw == 0x9000


def test_power_on_forgets_the_session():
    card = selected(rs_state())
    send(card, apdu.verify(0x81, block(RS_KORT, "111111")))
    card.power_on()
    assert send(card, apdu.verify_status(0x81)).sw == 0x6D00  # nothing selected any more


def test_malformed_apdus_are_wrong_length():
    card = selected(rs_state())
    assert card.process(bytes.fromhex("0020"))[0] == b"\x67\x00"
    assert card.process(bytes.fromhex("0020008108313233"))[0] == b"\x67\x00"
    assert card.process(bytes.fromhex("80200081"))[0] == b"\x6e\x00"


PRODUCT = {
    "rs": {
        "legitimering_reference": "01",
        "underskrift_reference": "02",
        "puk_reference": "84",
        "padding": "FF",
        "atrs": [{"atr": "3B 88 80 01 52 53 2D 4B 4F 52 54 32 15"}],
    }
}


def test_the_card_follows_the_stations_profiles_file(tmp_path, monkeypatch):
    from cards.reader import operations, profiles
    from cards.reader.profiles import PinRole
    from cards.virtualcard.__main__ import CardProcess, _parser
    from tests.cards.fakes import FakeConnection

    path = tmp_path / "profiles.json"
    path.write_text(json.dumps(PRODUCT))
    monkeypatch.setenv("RS_STATION_PROFILES", str(path))
    args = _parser().parse_args(["--profile", "rs", "--state", str(tmp_path / "rs.json")])
    configured = profiles.load(args.profiles)
    rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3}).save(tmp_path / "rs.json")
    process = CardProcess(tmp_path / "rs.json", "rs", "127.0.0.1", 0, configured)
    assert process.handle(b"\x04") == bytes.fromhex("3B 88 80 01 52 53 2D 4B 4F 52 54 32 15")  # the product's ATR
    assert profiles.identify(process.card.atr, configured).puk_reference == 0x84

    conn = FakeConnection(rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3}), profiles=configured)
    assert conn.profile.legitimering_reference == 0x01 and conn.profile.padding == 0xFF
    assert operations.read_card(conn).pins[PinRole.LEGITIMERING].left == 0
    outcome = operations.unblock_pin(conn, PinRole.LEGITIMERING, Code("12345678"), Code("424242"), Code("424242"))
    assert outcome.succeeded
    assert send(conn.card, apdu.verify(0x01, b"424242\xff\xff")).sw == 0x9000  # the product's padding
    assert send(conn.card, apdu.verify_status(0x81)).sw == 0x6A88  # the built-in reference is not on it


def test_without_a_profiles_file_the_card_is_the_built_in_one(monkeypatch):
    from cards.virtualcard.__main__ import _parser

    monkeypatch.delenv("RS_STATION_PROFILES", raising=False)
    assert _parser().parse_args(["--profile", "piv", "--state", "x.json"]).profiles is None
    assert VirtualCard(piv_state()).profile is PIV


def test_the_inserted_card_saves_its_state_in_place_before_it_answers(tmp_path):
    from cards.virtualcard.__main__ import CardProcess

    path = tmp_path / "rs.json"
    rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3}, puk_tries_left=10).save(path)
    inode = path.stat().st_ino
    process = CardProcess(path, "rs", "127.0.0.1", 0)
    profile = process.card.profile
    process.handle(profile.select().to_bytes())
    wrong = apdu.reset_retry_counter(0x81, block(profile, "00000000"), block(profile, "424242"))
    assert process.handle(wrong.to_bytes()) == bytes.fromhex("63C9")
    assert CardState.load(path).puk_tries_left == 9
    right = apdu.reset_retry_counter(0x81, block(profile, "12345678"), block(profile, "424242"))
    assert process.handle(right.to_bytes()) == bytes.fromhex("9000")
    assert CardState.load(path) == rs_state(pins={"legitimering": "424242", "underskrift": "222222"})
    assert path.stat().st_ino == inode and [p.name for p in tmp_path.iterdir()] == ["rs.json"]  # no new file
