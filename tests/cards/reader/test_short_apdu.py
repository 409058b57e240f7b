"""A command shorter than an APDU header never reaches the reader: vpcd takes a 1-byte
message as a control command (02 resets the card and wedges the reader) and pcscd
refuses an empty one. The station answers such a command 6700, as a card would."""

import threading

import pytest
from smartcard.Exceptions import CardConnectionException

from cards.reader import apdu, operations, transport
from cards.reader.errors import CardRemoved, ReaderGone
from cards.reader.profiles import RS_KORT
from tests.cards.fakes import rs_state
from tests.pcsc import wait_for_reader_state

SHORT = [b"\x02", b"", b"\x00\xa4", b"\x00\xa4\x04"]


class RecordingCard:
    """A card object that records what reaches it (not a PCSCCardConnection: the pyscard path)."""

    def __init__(self, fail=False):
        self.sent, self.fail = [], fail

    def transmit(self, command):
        self.sent.append(bytes(command))
        if self.fail:
            raise CardConnectionException("Failed to transmit with protocol T1. Card was removed.", hresult=0x80100069)
        return [], 0x90, 0x00


def connection(card):
    return transport.Connection("Recording reader 00", b"", RS_KORT, transport.pinpad.PinPad(), card)


@pytest.mark.parametrize("raw", SHORT)
def test_a_command_shorter_than_a_header_is_answered_6700_and_not_sent(raw):
    card = RecordingCard()
    conn = connection(card)
    assert conn._send(raw) == b"\x67\x00"
    assert apdu.interpret(apdu.Response.from_bytes(conn._send(raw)).sw).status is apdu.Status.WRONG_LENGTH
    assert card.sent == [] and conn.apdu_count == 0
    assert conn._send(b"\x00\x20\x00\x81") == b"\x90\x00" and card.sent == [b"\x00\x20\x00\x81"]


@pytest.mark.parametrize(("readers", "lost"), [(["Recording reader 00"], CardRemoved), ([], ReaderGone)])
def test_a_failed_transmit_is_a_lost_card_or_reader(monkeypatch, readers, lost):
    monkeypatch.setattr(transport, "list_readers", lambda: readers)
    with pytest.raises(lost):
        connection(RecordingCard(fail=True)).transmit(apdu.verify_status(0x81))


def _send_within(conn, raw, seconds=5.0):
    """What the station answers `raw`, or None when it has not answered within `seconds`:
    an APDU that wedged the reader blocks its caller (and any later call on the handle)."""
    answer = []
    worker = threading.Thread(target=lambda: answer.append(conn._send(raw)), daemon=True)
    worker.start()
    worker.join(seconds)
    return answer[0] if answer else None


@pytest.mark.pcsc
def test_short_commands_through_the_real_chain_leave_the_reader_working(rs_slot):
    rs_slot.put(rs_state())
    conn = transport.connect(rs_slot.reader)
    wedged = None
    try:
        assert conn._hcard is not None  # the direct SCardTransmit path, not pyscard's transmit
        for raw in SHORT:
            sent = conn.apdu_count
            answer = _send_within(conn, raw)
            if answer is None:
                wedged = raw
            assert answer == b"\x67\x00", f"{raw.hex() or 'empty'}: no answer within 5 s: the reader is wedged"
            assert conn.apdu_count == sent  # nothing went to the reader
            assert operations.read_card(conn).card_number == "9752201234567890"
            conn.selected = False  # and a fresh SELECT works too
            assert operations.read_card(conn).pins
    finally:
        if wedged is None:  # closing a wedged handle would block as well
            conn.close()
    assert rs_slot.reader in transport.list_readers()
    wait_for_reader_state(rs_slot.reader, present=True, timeout=1.0)
    again = transport.connect(rs_slot.reader)  # a new connection: the card was not reset into silence
    try:
        assert operations.read_card(again).card_number == "9752201234567890"
    finally:
        again.close()


@pytest.mark.pcsc
def test_a_card_pulled_out_is_card_removed_through_the_direct_path(rs_slot):
    rs_slot.put(rs_state())
    conn = transport.connect(rs_slot.reader)
    try:
        assert conn._hcard is not None
        operations.read_card(conn)
        rs_slot.remove()
        with pytest.raises(CardRemoved):
            conn.transmit(apdu.verify_status(0x81))
    finally:
        conn.close()
        rs_slot.insert()
