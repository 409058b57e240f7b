import pytest

from cards.reader import apdu
from cards.reader.apdu import CodeKind, Command, Status, interpret, transceive

PIV_AID = bytes.fromhex("A000000308000010000100")


def test_select_without_fci_is_case_3():
    assert apdu.select_aid(bytes.fromhex("A0000000"), return_fci=False).to_bytes() == bytes.fromhex(
        "00A4040C04A0000000"
    )


def test_select_with_fci_asks_for_up_to_256_bytes():
    assert apdu.select_aid(PIV_AID, return_fci=True).to_bytes() == bytes.fromhex("00A404000BA00000030800001000010000")


def test_empty_verify_has_no_data_and_no_le():
    assert apdu.verify_status(0x80).to_bytes() == bytes.fromhex("00200080")


def test_verify_carries_the_code_block():
    assert apdu.verify(0x80, b"123456\xff\xff").to_bytes() == bytes.fromhex("0020008008313233343536FFFF")


def test_change_reference_data_sends_old_then_new():
    cmd = apdu.change_reference_data(0x81, b"111111", b"222222")
    assert cmd.to_bytes() == bytes.fromhex("002400810C") + b"111111222222"


def test_reset_retry_counter_sends_puk_then_new_pin():
    cmd = apdu.reset_retry_counter(0x80, b"12345678", b"654321\xff\xff")
    assert cmd.to_bytes() == bytes.fromhex("002C008010") + b"12345678654321\xff\xff"


def test_get_data_puts_the_tag_in_p1_p2():
    assert apdu.get_data(0x005A).to_bytes() == bytes.fromhex("00CA005A00")


def test_get_data_object_names_the_object_with_a_tag_list():
    assert apdu.get_data_object(bytes.fromhex("5FC102")).to_bytes() == bytes.fromhex("00CB3FFF055C035FC10200")


def test_code_carrying_commands_hide_their_data_in_repr():
    for cmd in (
        apdu.verify(0x80, b"918273"),
        apdu.change_reference_data(0x80, b"918273", b"564738"),
        apdu.reset_retry_counter(0x80, b"91827364", b"564738"),
    ):
        text = repr(cmd)
        assert "918273" not in text and "39 31" not in text and "dolda" in text


def test_command_refuses_data_longer_than_a_short_apdu():
    with pytest.raises(ValueError):
        Command(0, 0, 0, 0, bytes(256))


@pytest.mark.parametrize(
    ("sw", "status", "tries"),
    [
        (0x9000, Status.OK, None),
        (0x63C2, Status.WRONG_CODE, 2),
        (0x63C1, Status.WRONG_CODE, 1),
        (0x63C0, Status.CODE_BLOCKED, 0),
        (0x6983, Status.CODE_BLOCKED, 0),
        (0x6300, Status.VERIFY_FAILED, None),
        (0x6982, Status.SECURITY_NOT_SATISFIED, None),
        (0x6985, Status.CONDITIONS_NOT_SATISFIED, None),
        (0x6700, Status.WRONG_LENGTH, None),
        (0x6C08, Status.WRONG_LE, None),
        (0x6110, Status.MORE_DATA, None),
        (0x6D00, Status.INS_NOT_SUPPORTED, None),
        (0x6E00, Status.CLA_NOT_SUPPORTED, None),
        (0x6A82, Status.FILE_NOT_FOUND, None),
        (0x6A88, Status.REFERENCE_NOT_FOUND, None),
        (0x6A86, Status.WRONG_P1P2, None),
        (0x6A80, Status.WRONG_DATA, None),
        (0x6581, Status.MEMORY_FAILURE, None),
        (0x6400, Status.PINPAD_TIMEOUT, None),
        (0x6401, Status.PINPAD_CANCELLED, None),
        (0x6402, Status.PINPAD_MISMATCH, None),
        (0x6F00, Status.UNKNOWN, None),
    ],
)
def test_status_words_map_to_outcomes(sw, status, tries):
    outcome = interpret(sw, CodeKind.PIN)
    assert (outcome.status, outcome.tries_left, outcome.sw) == (status, tries, sw)


@pytest.mark.parametrize("sw", [0x6983, 0x63C0])
def test_a_blocked_puk_means_the_card_must_be_replaced(sw):
    assert interpret(sw, CodeKind.PUK).status is Status.PUK_BLOCKED


def test_wrong_puk_tells_tries_left():
    outcome = interpret(0x63C9, CodeKind.PUK)
    assert (outcome.status, outcome.tries_left) == (Status.WRONG_CODE, 9)


class ScriptedCard:
    """Answers each sent APDU with the next scripted response and records what was sent."""

    def __init__(self, *responses: str):
        self.responses = [bytes.fromhex(r) for r in responses]
        self.sent: list[bytes] = []

    def __call__(self, raw: bytes) -> bytes:
        self.sent.append(raw)
        return self.responses.pop(0)


def test_transceive_collects_chained_data_with_get_response():
    card = ScriptedCard("AABB6103", "CCDDEE9000")
    response = transceive(card, apdu.get_data(0x005A))
    assert response.data == bytes.fromhex("AABBCCDDEE") and response.sw == 0x9000
    assert card.sent[1] == bytes.fromhex("00C0000003")


def test_transceive_retries_once_with_the_length_the_card_asks_for():
    card = ScriptedCard("6C05", "01020304059000")
    response = transceive(card, apdu.get_data(0x005A).with_le(0x10))
    assert response.data == bytes.fromhex("0102030405")
    assert card.sent == [bytes.fromhex("00CA005A10"), bytes.fromhex("00CA005A05")]


def test_transceive_passes_other_status_words_through_in_one_apdu():
    card = ScriptedCard("63C2")
    assert transceive(card, apdu.verify_status(0x80)).sw == 0x63C2
    assert len(card.sent) == 1


def test_transceive_gives_up_on_an_endless_chain():
    with pytest.raises(ValueError):
        transceive(lambda raw: b"\x61\x01", apdu.get_data(1))
