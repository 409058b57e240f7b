import logging
import struct

import pytest

from cards.reader import operations, pinpad
from cards.reader.codes import Code
from cards.reader.operations import Result
from cards.reader.profiles import PinRole
from tests.cards.fakes import FakeConnection, FakePad, piv_state, rs_state

L, U = PinRole.LEGITIMERING, PinRole.UNDERSKRIFT
SELECT, VERIFY, RRC, CRD, GET_DATA = 0xA4, 0x20, 0x2C, 0x24, 0xCA


def unblock(conn, puk="12345678", new="424242", confirm=None, which=L, **kw):
    return operations.unblock_pin(conn, which, Code(puk), Code(new), Code(confirm or new), **kw)


def test_read_card_reports_number_and_all_counters_without_spending():
    state = rs_state(pin_tries_left={"legitimering": 1, "underskrift": 0}, puk_tries_left=6)
    conn = FakeConnection(state)
    reading = operations.read_card(conn)
    assert reading.card_number == "9752201234567890"
    assert (reading.pins[L].left, reading.pins[U].left, reading.puk.left) == (1, 0, 6)
    assert reading.pins[U].blocked and not reading.must_be_replaced
    assert state.pin_tries_left == {"legitimering": 1, "underskrift": 0} and state.puk_tries_left == 6
    assert conn.ins_sent == [SELECT, GET_DATA, VERIFY, VERIFY, VERIFY]


def test_read_piv_card_sends_three_apdus_and_cannot_read_the_puk_counter():
    conn = FakeConnection(piv_state(pin_tries_left={"legitimering": 2}))
    reading = operations.read_card(conn)
    assert reading.card_number == "1234-5678-000042"
    assert reading.pins[L] == reading.pins[U] and reading.pins[L].left == 2
    assert reading.puk.left is None
    assert len(conn.sent) == 3


def test_read_card_says_the_card_must_be_replaced_when_the_puk_is_blocked():
    reading = operations.read_card(FakeConnection(rs_state(puk_tries_left=0)))
    assert reading.must_be_replaced


def test_unblock_sets_the_new_pin_and_resets_the_counter():
    state = rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3})
    conn = FakeConnection(state)
    outcome = unblock(conn)
    assert outcome.succeeded and outcome.tries_left == 3
    assert state.pins["legitimering"] == "424242" and state.pin_tries_left["legitimering"] == 3
    assert conn.ins_sent == [SELECT, VERIFY, RRC, VERIFY]


def test_unblock_after_a_read_on_the_same_connection_sends_only_the_reset_and_the_proof():
    conn = FakeConnection(rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3}))
    reading = operations.read_card(conn)
    conn.sent.clear()
    outcome = unblock(conn, puk_tries=reading.puk)
    assert outcome.succeeded
    assert conn.ins_sent == [RRC, VERIFY]
    conn.sent.clear()
    after = operations.after_unblock(conn, reading, L, outcome)
    assert conn.ins_sent == [VERIFY]  # only the PUK's counter, which the right PUK reset
    assert (after.pins[L].left, after.pins[U].left, after.puk.left) == (3, 3, 10)


def test_the_tries_read_before_decide_the_last_try_question():
    conn = FakeConnection(rs_state(puk_tries_left=1))
    reading = operations.read_card(conn)
    conn.sent.clear()
    assert unblock(conn, puk_tries=reading.puk).result is Result.NOT_CONFIRMED
    assert conn.sent == []


def test_after_an_unblock_what_the_outcome_tells_is_not_read_again():
    state = rs_state(pin_tries_left={"legitimering": 0, "underskrift": 2}, puk_tries_left=4)
    conn = FakeConnection(state)
    reading = operations.read_card(conn)
    outcome = unblock(conn, puk="00000000", puk_tries=reading.puk)
    conn.sent.clear()
    after = operations.after_unblock(conn, reading, L, outcome)
    assert conn.sent == [] and after.puk.left == 3 and after.pins == reading.pins
    assert operations.after_unblock(conn, reading, L, operations.Outcome(Result.CARD_REMOVED)) is None


def test_after_unblock_of_a_piv_card_sends_nothing_and_sets_both_roles():
    conn = FakeConnection(piv_state(pin_tries_left={"legitimering": 0}))
    reading = operations.read_card(conn)
    outcome = unblock(conn, puk="87654321", puk_tries=reading.puk, confirm_last_try=lambda: True)
    conn.sent.clear()
    after = operations.after_unblock(conn, reading, U, outcome)
    assert conn.sent == [] and after.pins[L].left == after.pins[U].left == 3


def test_after_a_pin_change_the_reading_follows_the_outcome():
    state = rs_state()
    conn = FakeConnection(state)
    reading = operations.read_card(conn)
    wrong = operations.change_pin(conn, U, Code("999999"), Code("333333"), Code("333333"))
    assert operations.after_change(reading, U, wrong).pins[U].left == 2
    assert operations.after_change(reading, U, operations.Outcome(Result.CARD_REMOVED)) is None


def test_unblock_on_piv_needs_three_apdus():
    conn = FakeConnection(piv_state(pin_tries_left={"legitimering": 0}))
    assert unblock(conn, puk="87654321", confirm_last_try=lambda: True).succeeded
    assert conn.ins_sent == [SELECT, RRC, VERIFY]


def test_piv_cannot_tell_its_puk_tries_so_every_try_is_confirmed_as_if_the_last():
    state = piv_state(pin_tries_left={"legitimering": 0})
    conn = FakeConnection(state)
    asked = []
    outcome = unblock(conn, puk="87654321", confirm_last_try=lambda: asked.append(True) and False)
    assert (outcome.result, outcome.tries_left, asked) == (Result.NOT_CONFIRMED, None, [True])
    assert RRC not in conn.ins_sent and state.pin_tries_left["legitimering"] == 0


def test_wrong_puk_tells_the_tries_left():
    state = rs_state()
    outcome = unblock(FakeConnection(state), puk="00000000")
    assert (outcome.result, outcome.tries_left) == (Result.WRONG_PUK, 9)
    assert state.pins["legitimering"] == "111111"


def test_blocked_puk_means_the_card_must_be_replaced_and_sends_no_puk():
    conn = FakeConnection(rs_state(puk_tries_left=0))
    assert unblock(conn).result is Result.PUK_BLOCKED
    assert RRC not in conn.ins_sent


def test_wrong_puk_on_the_last_try_blocks_the_card():
    outcome = unblock(FakeConnection(rs_state(puk_tries_left=1)), puk="00000000", confirm_last_try=lambda: True)
    assert (outcome.result, outcome.tries_left) == (Result.PUK_BLOCKED, 0)


def test_last_puk_try_needs_confirmation_before_the_puk_is_sent():
    conn = FakeConnection(rs_state(puk_tries_left=1))
    asked = []
    outcome = unblock(conn, confirm_last_try=lambda: asked.append(True) and False)
    assert outcome.result is Result.NOT_CONFIRMED and asked == [True]
    assert RRC not in conn.ins_sent
    assert unblock(conn, confirm_last_try=lambda: True).succeeded


def test_last_puk_try_without_a_confirmation_callback_is_not_sent():
    conn = FakeConnection(rs_state(puk_tries_left=1))
    assert unblock(conn).result is Result.NOT_CONFIRMED


@pytest.mark.parametrize(
    ("new", "confirm"), [("42424", "42424"), ("4242424", "4242424"), ("42424a", "42424a"), ("424242", "424243")]
)
def test_a_bad_new_pin_is_refused_before_any_apdu(new, confirm):
    conn = FakeConnection(rs_state())
    assert unblock(conn, new=new, confirm=confirm).result is Result.NEW_PIN_REFUSED
    assert operations.change_pin(conn, L, Code("111111"), Code(new), Code(confirm)).result is Result.NEW_PIN_REFUSED
    assert conn.sent == []


def test_a_malformed_puk_is_refused_before_any_apdu():
    conn = FakeConnection(rs_state())
    assert unblock(conn, puk="1234567").result is Result.CODE_MALFORMED
    assert conn.sent == []


def test_card_pulled_out_during_unblock_never_claims_success():
    state = rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3})
    conn = FakeConnection(state, pull_at_ins=RRC)
    outcome = unblock(conn)
    assert outcome.result is Result.CARD_REMOVED and not outcome.succeeded
    # the card did carry the command out; the next read tells
    assert operations.read_card(FakeConnection(state)).pins[L].left == 3


@pytest.mark.parametrize(
    ("sw", "result"), [(0x6982, Result.SECURITY_NOT_SATISFIED), (0x6D00, Result.UNKNOWN_INSTRUCTION)]
)
def test_a_refused_command_is_a_domain_outcome_not_a_bare_card_error(sw, result):
    state = rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3})
    assert unblock(FakeConnection(state, answer_at_ins={RRC: sw})).result is result
    outcome = operations.change_pin(
        FakeConnection(state, answer_at_ins={CRD: sw}), U, Code("222222"), Code("333333"), Code("333333")
    )
    assert (outcome.result, outcome.sw) == (result, sw)
    assert state.pins == {"legitimering": "111111", "underskrift": "222222"}


def test_change_pin_needs_two_apdus():
    state = rs_state()
    conn = FakeConnection(state)
    outcome = operations.change_pin(conn, U, Code("222222"), Code("333333"), Code("333333"))
    assert outcome.succeeded and state.pins["underskrift"] == "333333"
    assert conn.ins_sent == [SELECT, CRD]


def test_change_pin_with_the_wrong_old_pin_tells_the_tries_left():
    outcome = operations.change_pin(FakeConnection(rs_state()), U, Code("999999"), Code("333333"), Code("333333"))
    assert (outcome.result, outcome.tries_left) == (Result.WRONG_PIN, 2)


def test_change_pin_of_a_blocked_pin():
    state = rs_state(pin_tries_left={"legitimering": 3, "underskrift": 0})
    outcome = operations.change_pin(FakeConnection(state), U, Code("222222"), Code("333333"), Code("333333"))
    assert outcome.result is Result.PIN_BLOCKED


PAD = pinpad.PinPad(verify_control=0x42330006, modify_control=0x42330007)


MODIFY_ONLY = pinpad.PinPad(modify_control=0x42330007)


def on_pad(state, *typed, pad=PAD):
    return FakeConnection(state, pinpad=pad, pad=FakePad(*typed))


def test_on_a_pin_pad_the_holder_types_the_puk_then_the_new_pin_twice():
    state = rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3})
    conn = on_pad(state, "12345678", "424242", "424242")
    outcome = operations.unblock_pin(conn, L)
    assert (outcome.result, outcome.tries_left) == (Result.DONE, 3)
    assert state.pins["legitimering"] == "424242" and state.pin_tries_left["legitimering"] == 3
    assert [code for code, _ in conn.controls] == [PAD.verify_control, PAD.modify_control]
    assert [raw[1] for raw in conn.pad.apdus] == [RRC, CRD]  # both through the pad, not as APDUs
    assert RRC not in conn.ins_sent and CRD not in conn.ins_sent


def test_a_puk_of_the_wrong_length_on_the_pad_never_reaches_the_card():
    state = rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3})
    for puk in ("123456", "1234567"):  # a PIN's length, or one digit short
        outcome = operations.unblock_pin(on_pad(state, puk), L)
        assert outcome.result is Result.CODE_MALFORMED
    assert state.puk_tries_left == 10 and state.pin_tries_left["legitimering"] == 0


def test_a_new_pin_of_the_wrong_length_on_the_pad_is_not_set():
    state = rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3})
    outcome = operations.unblock_pin(on_pad(state, "12345678", "4242424"), L)
    assert (outcome.result, outcome.sw) == (Result.NEW_PIN_NOT_SET, 0x6403)
    assert len(state.pins["legitimering"]) == 6 and state.pins["legitimering"] != "4242424"
    assert state.puk_tries_left == 10  # the right PUK spent nothing: unblocking again costs nothing


def test_the_pad_asks_exactly_the_puks_length_then_exactly_the_pins():
    step1, step2 = (structure for _, structure in on_pad_controls())
    assert struct.unpack("<H", step1[5:7])[0] == (8 << 8) | 8
    assert struct.unpack("<H", step2[7:9])[0] == (6 << 8) | 6


def on_pad_controls():
    conn = on_pad(rs_state(), "12345678", "424242", "424242")
    operations.unblock_pin(conn, L)
    return conn.controls


@pytest.mark.parametrize(
    ("typed", "result", "puk_tries"),
    [
        (("cancel",), Result.PINPAD_CANCELLED, 10),
        (("00000000",), Result.WRONG_PUK, 9),
        (("12345678", "424242", "434343"), Result.NEW_PIN_NOT_SET, 10),
    ],
)
def test_pin_pad_answers_map_to_outcomes(typed, result, puk_tries):
    state = rs_state()
    outcome = operations.unblock_pin(on_pad(state, *typed), L)
    assert outcome.result is result and state.puk_tries_left == puk_tries
    for sw, mapped in ((b"\x64\x00", Result.PINPAD_TIMEOUT), (b"\x64\x02", Result.PINPAD_MISMATCH)):
        assert operations.unblock_pin(FakeConnection(rs_state(), pinpad=PAD, pad_answers=[sw]), L).result is mapped


def test_a_reader_with_only_modify_changes_a_pin_on_the_pad_and_takes_the_new_pin_of_an_unblock():
    state = rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3})
    conn = on_pad(state, "222222", "333333", "333333", pad=MODIFY_ONLY)
    assert operations.change_pin(conn, U).succeeded and state.pins["underskrift"] == "333333"
    conn = on_pad(state, "424242", "424242", pad=MODIFY_ONLY)  # no VERIFY on the pad: the PUK from the PC
    assert operations.unblock_pin(conn, L, Code("12345678")).succeeded
    assert state.pins["legitimering"] == "424242" and [raw[1] for raw in conn.pad.apdus] == [CRD]


def test_a_puk_the_station_holds_goes_as_an_apdu_and_the_new_pin_is_typed_on_the_pad():
    # An assisted unblock on a reader with a pad: the server's PUK from the station, the
    # holder's new PIN only on the pad.
    state = rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3})
    conn = on_pad(state, "424242", "424242")
    outcome = operations.unblock_pin(conn, L, Code("12345678"))
    assert (outcome.result, outcome.tries_left) == (Result.DONE, 3)
    assert state.pins["legitimering"] == "424242" and state.pin_tries_left["legitimering"] == 3
    assert RRC in conn.ins_sent and CRD not in conn.ins_sent
    assert [code for code, _ in conn.controls] == [PAD.modify_control]
    assert all(b"424242" not in command.data for command in conn.sent)


def test_a_wrong_puk_from_the_station_asks_nothing_on_the_pad():
    state = rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3})
    conn = on_pad(state, "424242", "424242")
    outcome = operations.unblock_pin(conn, L, Code("00000000"))
    assert (outcome.result, outcome.tries_left) == (Result.WRONG_PUK, 9)
    assert conn.controls == [] and state.pin_tries_left["legitimering"] == 0


def test_codes_given_on_a_pin_pad_reader_are_refused():
    with pytest.raises(ValueError):
        operations.change_pin(FakeConnection(rs_state(), pinpad=PAD), L, Code("111111"), Code("222222"), Code("222222"))
    with pytest.raises(ValueError):
        unblock(FakeConnection(rs_state(), pinpad=PAD))
    with pytest.raises(ValueError):
        unblock(FakeConnection(rs_state(), pinpad=MODIFY_ONLY))  # the new PIN is the pad's


def test_no_code_reaches_the_log_at_debug(caplog):
    caplog.set_level(logging.DEBUG)
    conn = FakeConnection(rs_state(puk="86420975", pins={"legitimering": "135791", "underskrift": "222222"}))
    operations.read_card(conn)
    unblock(conn, puk="86420975", new="246802")
    unblock(conn, puk="97531864", new="246802")
    operations.change_pin(conn, L, Code("246802"), Code("802468"), Code("802468"))
    text = caplog.text + "".join(repr(r.args) for r in caplog.records)
    assert caplog.records  # the operations do log
    for digits in ("86420975", "97531864", "135791", "246802", "802468"):
        assert digits not in text
        assert digits.encode().hex() not in text.replace(" ", "").lower()


def test_outcomes_and_commands_in_sent_apdus_stay_redacted():
    conn = FakeConnection(rs_state())
    unblock(conn, new="246802")
    assert "246802" not in repr(conn.sent) and "12345678" not in repr(conn.sent)
    assert all("dolda" in repr(c) for c in conn.sent if c.ins in (RRC,))


def test_a_code_in_an_exception_is_never_shown():
    with pytest.raises(TypeError) as info:
        Code("97531864") + "x"
    assert "97531864" not in str(info.value)


def test_card_error_on_select_is_raised_as_a_card_error():
    conn = FakeConnection(rs_state())
    conn.profile = conn.profile.__class__(**{**conn.profile.__dict__, "aid": bytes.fromhex("A0000000")})
    with pytest.raises(operations.CardError):
        operations.read_card(conn)


def test_the_command_line_asks_only_for_the_codes_the_pad_does_not_take():
    from argparse import Namespace

    from cards.reader import cli

    state = rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3})
    prompts = []
    operator = cli.Operator(ask_code=lambda prompt: prompts.append(prompt) or "12345678", say=lambda text: None)
    conn = on_pad(state, "424242", "424242", pad=MODIFY_ONLY)
    assert cli._run(Namespace(command="unblock", pin="legitimering"), conn, operator) == cli.EXIT_OK
    assert prompts == ["PUK-kod: "] and state.pins["legitimering"] == "424242"
