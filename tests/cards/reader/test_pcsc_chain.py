"""The station through the real chain: pyscard -> private pcscd -> vpcd -> virtual card."""

import logging
import os
import subprocess
import sys

import pytest

from cards.reader import apdu, cli, errors, operations, transport
from cards.reader.codes import Code
from cards.reader.operations import Result
from cards.reader.profiles import PinRole
from tests.cards.fakes import piv_state, rs_state
from tests.pcsc import REPO, start_pcsc, stop_pcsc

pytestmark = pytest.mark.pcsc

L, U = PinRole.LEGITIMERING, PinRole.UNDERSKRIFT


def read(slot):
    conn = transport.connect(slot.reader)
    try:
        return operations.read_card(conn)
    finally:
        conn.close()


def unblock(slot, puk, new, which=L, **kw):
    conn = transport.connect(slot.reader)
    try:
        return operations.unblock_pin(conn, which, Code(puk), Code(new), Code(new), **kw)
    finally:
        conn.close()


def verify_raw(slot, reference, digits):
    """The test's own VERIFY, not the station's code path."""
    conn = transport.connect(slot.reader)
    try:
        conn.transmit(conn.profile.select())
        return conn.transmit(apdu.verify(reference, conn.profile.code_block(Code(digits)))).sw
    finally:
        conn.close()


def test_readers_lists_both_virtual_readers(rs_slot, piv_slot):
    assert {rs_slot.reader, piv_slot.reader} <= set(transport.list_readers())


def test_read_card_spends_no_tries(rs_slot):
    rs_slot.put(rs_state(pin_tries_left={"legitimering": 2, "underskrift": 1}, puk_tries_left=7))
    for _ in range(2):
        reading = read(rs_slot)
        assert (reading.pins[L].left, reading.pins[U].left, reading.puk.left) == (2, 1, 7)
    assert reading.card_number == "9752201234567890" and reading.profile.name == "rs"
    assert rs_slot.state().pin_tries_left == {"legitimering": 2, "underskrift": 1}


def test_wrong_puk_tells_tries_left(rs_slot):
    rs_slot.put(rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3}))
    outcome = unblock(rs_slot, "00000000", "424242")
    assert (outcome.result, outcome.tries_left) == (Result.WRONG_PUK, 9)
    assert read(rs_slot).puk.left == 9


def test_blocked_puk_means_card_must_be_replaced(rs_slot):
    rs_slot.put(rs_state(puk_tries_left=0))
    assert read(rs_slot).must_be_replaced
    assert unblock(rs_slot, "12345678", "424242").result is Result.PUK_BLOCKED


def test_unblock_sets_the_new_pin_and_resets_the_counter(rs_slot):
    rs_slot.put(rs_state(pin_tries_left={"legitimering": 3, "underskrift": 0}, puk_tries_left=4))
    assert unblock(rs_slot, "12345678", "424242", which=U).succeeded
    assert verify_raw(rs_slot, 0x82, "424242") == 0x9000
    assert verify_raw(rs_slot, 0x82, "222222") == 0x63C2  # the old PIN is gone
    reading = read(rs_slot)
    assert reading.puk.left == 10


def test_change_pin(rs_slot):
    rs_slot.put(rs_state())
    conn = transport.connect(rs_slot.reader)
    try:
        outcome = operations.change_pin(conn, L, Code("111111"), Code("606060"), Code("606060"))
    finally:
        conn.close()
    assert outcome.succeeded and verify_raw(rs_slot, 0x81, "606060") == 0x9000


def test_last_puk_try_is_not_sent_without_confirmation(rs_slot):
    rs_slot.put(rs_state(puk_tries_left=1))
    assert unblock(rs_slot, "12345678", "424242", confirm_last_try=lambda: False).result is Result.NOT_CONFIRMED
    assert rs_slot.state().puk_tries_left == 1


@pytest.mark.parametrize(("when", "unblocked"), [("before", False), ("after", True)])
def test_card_pulled_during_unblock_never_claims_success_and_next_read_tells(rs_slot, when, unblocked):
    rs_slot.put(rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3}))
    rs_slot.tear(when, 0x2C)
    outcome = unblock(rs_slot, "12345678", "424242")
    assert outcome.result is Result.CARD_REMOVED and not outcome.succeeded
    rs_slot.insert()
    assert read(rs_slot).pins[L].left == (3 if unblocked else 0)


def test_unknown_atr_is_an_unknown_card_type_with_its_atr(rs_slot):
    rs_slot.put(rs_state(atr="3B888001585A5A2D4B4F52547D"))
    with pytest.raises(errors.UnknownCard) as info:
        transport.connect(rs_slot.reader)
    assert info.value.atr == bytes.fromhex("3B888001585A5A2D4B4F52547D")
    said = []
    assert cli.main(["read", "--reader", rs_slot.reader], cli.Operator(say=said.append)) == cli.EXIT_ERROR
    assert said == [
        f"Kortläsare: {rs_slot.reader}",
        "Kortstationen känner inte igen kortet. Kontrollera att det är ett RS-kort och att det sitter rätt: ta ut "
        "det och sätt i det igen. Hjälper inte det: ring IT-supporten och uppge felkod KS-204.",
    ]


def test_piv_card_read_unblock_and_change(piv_slot):
    piv_slot.put(piv_state(pin_tries_left={"legitimering": 0}))
    reading = read(piv_slot)
    assert (reading.profile.name, reading.card_number, reading.pins[U].left) == ("piv", "1234-5678-000042", 0)
    assert reading.puk.left is None
    assert unblock(piv_slot, "87654321", "515151", which=U, confirm_last_try=lambda: True).succeeded
    assert verify_raw(piv_slot, 0x80, "515151") == 0x9000
    outcome = unblock(piv_slot, "00000000", "515151", confirm_last_try=lambda: True)
    assert (outcome.result, outcome.tries_left) == (Result.WRONG_PUK, 9)


def test_no_card_in_the_reader_is_a_clear_message(rs_slot):
    rs_slot.remove()
    try:
        said = []
        assert cli.main(["read", "--reader", rs_slot.reader, "--wait", "0.2"], cli.Operator(say=said.append)) == 2
        assert said[-1].startswith("Inget kort i kortläsaren.") and said[-1].endswith("felkod KS-201.")
    finally:
        rs_slot.insert()


class ScriptedOperator(cli.Operator):
    def __init__(self, codes, confirm=True):
        self.codes, self.answer, self.said = list(codes), confirm, []
        super().__init__(
            ask_code=lambda prompt: self.codes.pop(0), ask=lambda q: "j" if self.answer else "n", say=self.said.append
        )


def test_cli_unblock_end_to_end_leaks_no_code(rs_slot, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    rs_slot.put(rs_state(puk="86420975", pin_tries_left={"legitimering": 0, "underskrift": 3}, puk_tries_left=1))
    operator = ScriptedOperator(["86420975", "246802", "246802"])
    assert cli.main(["unblock", "--pin", "legitimering", "--reader", rs_slot.reader], operator) == 0
    assert "PUK-koden har bara ett försök kvar" in " ".join(operator.said)
    assert operator.said[-1] == "PIN-koden för legitimering är upplåst och har en ny kod."
    everything = " ".join(operator.said) + caplog.text + capsys.readouterr().out
    assert "86420975" not in everything and "246802" not in everything


def test_cli_read_prints_the_reading_in_swedish(piv_slot):
    piv_slot.put(piv_state())
    operator = ScriptedOperator([])
    assert cli.main(["read", "--reader", piv_slot.reader], operator) == 0
    assert operator.said[:3] == [f"Kortläsare: {piv_slot.reader}", "Korttyp: PIV", "Kortnummer: 1234-5678-000042"]


def test_cli_warns_before_every_piv_puk_try_and_sends_nothing_unconfirmed(piv_slot):
    piv_slot.put(piv_state(pin_tries_left={"legitimering": 0}))
    operator = ScriptedOperator(["87654321", "246802", "246802"], confirm=False)
    assert cli.main(["unblock", "--pin", "legitimering", "--reader", piv_slot.reader], operator) == 1
    assert "kortet visar inte hur många försök PUK-koden har kvar" in " ".join(operator.said)
    assert operator.said[-1].startswith("Avbrutet: det kan vara PUK-kodens sista försök")
    assert piv_slot.state().pin_tries_left["legitimering"] == 0 and piv_slot.state().puk_tries_left == 10


@pytest.mark.parametrize(
    ("command", "codes"),
    [
        ("unblock", ["12345678", "24680", "24680"]),  # five digits
        ("unblock", ["12345678", "246802", "246803"]),  # the confirmation differs
        ("unblock", ["1234567", "246802", "246802"]),  # a PUK one digit short
        ("change-pin", ["111111", "2468022", "2468022"]),
    ],
)
def test_cli_refuses_bad_codes_before_any_apdu(rs_slot, monkeypatch, command, codes):
    rs_slot.put(rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3}))
    opened = []
    real_connect = transport.connect
    monkeypatch.setattr(transport, "connect", lambda *a, **kw: opened.append(real_connect(*a, **kw)) or opened[-1])
    operator = ScriptedOperator(codes)
    assert cli.main([command, "--pin", "legitimering", "--reader", rs_slot.reader], operator) == cli.EXIT_REFUSED
    assert operator.said[-1].endswith("Inget skickades till kortet.")
    assert [conn.apdu_count for conn in opened] == [0]
    assert rs_slot.state() == rs_state(pin_tries_left={"legitimering": 0, "underskrift": 3})


def test_cli_wrong_puk_is_told_in_words(rs_slot):
    rs_slot.put(rs_state())
    operator = ScriptedOperator(["00000000", "246802", "246802"])
    assert cli.main(["unblock", "--pin", "underskrift", "--reader", rs_slot.reader], operator) == 1
    assert operator.said[-1] == "Fel PUK-kod. Nio försök kvar."


READER_GONE_CHILD = """
import sys
from cards.reader import i18n, messages, operations, transport
conn = transport.connect(sys.argv[1])
print("connected", flush=True)
sys.stdin.readline()
try:
    operations.read_card(conn)
except transport.StationError as e:
    print(messages.describe_error(e).say(i18n.translations("sv")))
finally:
    conn.close()
"""


def test_reader_unplugged_is_a_clear_message(tmp_path):
    """pcscd going away takes the reader with it; run in a child, as PC/SC picks its socket once per process."""
    state = tmp_path / "rs.json"
    rs_state().save(state)
    env = start_pcsc(tmp_path / "run", [("rs", state)])
    reader = (tmp_path / "run" / "cards.tsv").read_text().split("\t")[0]
    child = subprocess.Popen(
        [sys.executable, "-c", READER_GONE_CHILD, reader],
        cwd=REPO,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(os.environ, **env),
    )
    try:
        assert child.stdout.readline().strip() == "connected"
    finally:
        stop_pcsc(tmp_path / "run")
    out, _ = child.communicate("\n", timeout=20)
    assert out.strip() == (
        "Kortläsaren kopplades bort. Koppla i den igen (sitter den i: koppla ur den och i igen) och vänta några "
        "sekunder. Hjälper inte det: ring IT-supporten och uppge felkod KS-106."
    )


def test_transmit_follows_get_response_and_the_wrong_length_retry_through_pcsc(piv_slot, rs_slot):
    """Connection.transmit's one-frame path (a real PC/SC handle) still chains: a CHUID
    asked with Le 16 comes back whole through GET RESPONSE (61xx), and a card number asked
    with a wrong Le is sent again with the length the card names (6Cxx)."""
    conn = transport.connect(piv_slot.reader)
    try:
        conn.transmit(conn.profile.select())
        whole = conn.transmit(conn.profile.read_card_number())
        before = conn.apdu_count
        chained = conn.transmit(conn.profile.read_card_number().with_le(16))
        assert (chained.sw, chained.data) == (0x9000, whole.data) and len(whole.data) > 16
        assert conn.apdu_count - before == 1 + -(-(len(whole.data) - 16) // 256)
    finally:
        conn.close()
    conn = transport.connect(rs_slot.reader)
    try:
        conn.transmit(conn.profile.select())
        before = conn.apdu_count
        retried = conn.transmit(conn.profile.read_card_number().with_le(3))
        assert retried.sw == 0x9000 and conn.profile.parse_card_number(retried.data) == "9752201234567890"
        assert conn.apdu_count - before == 2
    finally:
        conn.close()
