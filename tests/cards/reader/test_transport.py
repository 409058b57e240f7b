"""The transport's own rules, without pcscd: a PC/SC failure becomes a station outcome."""

import pytest
from smartcard.Exceptions import SmartcardException

from cards.reader import operations, pinpad, transport
from cards.reader.errors import CardRemoved, ReaderGone
from cards.reader.operations import Result
from cards.reader.profiles import RS_KORT, PinRole

PAD = pinpad.PinPad(verify_control=0x42330006, modify_control=0x42330007)


class PulledCard:
    """pyscard's card connection for a card pulled out while the holder types on the pad:
    the counters read before were answered, SCardControl fails with the base exception."""

    def transmit(self, command):
        return [], 0x63, 0xCA  # an empty VERIFY: ten PUK tries left

    def control(self, code, data):
        raise SmartcardException("Failed to control Card was removed. (0x80100069)", hresult=0x80100069)


def pad_connection():
    return transport.Connection("Pad reader 00", b"", RS_KORT, PAD, PulledCard(), selected=True)


@pytest.mark.parametrize(("readers", "lost"), [(["Pad reader 00"], CardRemoved), ([], ReaderGone)])
def test_a_failed_pin_pad_command_is_a_lost_card_or_reader(monkeypatch, readers, lost):
    monkeypatch.setattr(transport, "list_readers", lambda: readers)
    with pytest.raises(lost):
        pad_connection().control(PAD.modify_control, b"\0")


def test_a_card_pulled_during_pad_entry_gives_card_removed_not_a_traceback(monkeypatch):
    monkeypatch.setattr(transport, "list_readers", lambda: ["Pad reader 00"])
    assert operations.unblock_pin(pad_connection(), PinRole.LEGITIMERING).result is Result.CARD_REMOVED
    assert operations.change_pin(pad_connection(), PinRole.UNDERSKRIFT).result is Result.CARD_REMOVED
