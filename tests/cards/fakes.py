"""A connection to the pure virtual card, as the operations see a real one, and a PIN
pad reader in front of it."""

import struct

from cards.reader import apdu
from cards.reader.errors import CardRemoved
from cards.reader.pinpad import PinPad
from cards.reader.profiles import BUILT_IN
from cards.virtualcard.card import VirtualCard
from cards.virtualcard.state import CardState


def rs_state(**changes):
    fields = {
        "profile": "rs",
        "card_number": "9752201234567890",
        "pins": {"legitimering": "111111", "underskrift": "222222"},
        "puk": "12345678",
    }
    fields.update(changes)
    return CardState(**fields)


def piv_state(**changes):
    fields = {
        "profile": "piv",
        "card_number": "1234-5678-000042",
        "pins": {"legitimering": "111111"},
        "puk": "87654321",
    }
    fields.update(changes)
    return CardState(**fields)


class FakePad:
    """A PC/SC part 10 reader's keys in front of the card. It reads the structure as a
    reader does, takes the codes the holder "types" (in order), refuses one outside the
    structure's length range (6403) or a confirmation that differs (6402), writes the
    digits into the APDU and sends it to the card."""

    def __init__(self, *typed):
        self.typed = list(typed)
        self.apdus: list[bytes] = []  # what reached the card, digits filled in

    def _take(self, minimum, maximum):
        code = self.typed.pop(0)
        if code == "cancel":
            raise PadAnswer(0x6401)
        if code == "pull":  # the card is pulled out while the holder types
            raise CardRemoved("fake pad reader")
        if not minimum <= len(code) <= maximum:
            raise PadAnswer(0x6403)
        return code.encode("ascii")

    def verify(self, card, structure):
        fmt, _block, _length, extra = struct.unpack("<BBBBBH", structure[:7])[2:6]
        return self._send(card, structure[19:], [((fmt >> 3) & 0x0F, self._take(extra >> 8, extra & 0xFF))])

    def modify(self, card, structure):
        fields = struct.unpack("<BBBBBBBHB", structure[:10])
        old_at, new_at, extra, confirm = fields[5:9]
        entries = []
        if confirm & 0x02:
            entries.append((old_at, self._take(extra >> 8, extra & 0xFF)))
        new = self._take(extra >> 8, extra & 0xFF)
        if confirm & 0x01 and self._take(extra >> 8, extra & 0xFF) != new:
            raise PadAnswer(0x6402)
        return self._send(card, structure[24:], [*entries, (new_at, new)])

    def _send(self, card, command, entries):
        raw = bytearray(command)
        for offset, digits in entries:
            raw[5 + offset : 5 + offset + len(digits)] = digits
        self.apdus.append(bytes(raw))
        return card.process(bytes(raw))[0]


class PadAnswer(Exception):
    def __init__(self, sw):
        self.sw = sw


NO_PINPAD = PinPad()  # a reader without a pad; PinPad is frozen, so one serves every connection


class FakeConnection:
    def __init__(
        self,
        state,
        pinpad=NO_PINPAD,
        pull_at_ins=None,
        pad_answers=None,
        answer_at_ins=None,
        pad=None,
        profiles=BUILT_IN,
    ):
        self.card = VirtualCard(state, profiles)
        self.profile = self.card.profile
        self.pinpad = pinpad
        self.selected = False
        self.sent: list[apdu.Command] = []
        self.controls: list[tuple[int, bytes]] = []
        self.pull_at_ins = pull_at_ins  # the card is pulled out after carrying out this INS
        self.pad_answers = list(pad_answers or [])
        # {INS: status word, raw answer bytes or an exception}: the card answers so and does nothing
        self.answer_at_ins = dict(answer_at_ins or {})
        self.pad = pad  # a FakePad: the holder's typing; else `pad_answers` are the reader's answers

    def transmit(self, command):
        self.sent.append(command)

        def send(raw):
            answer = self.answer_at_ins.get(raw[1])
            if isinstance(answer, Exception):
                raise answer
            if answer is not None:
                return answer if isinstance(answer, bytes) else answer.to_bytes(2, "big")
            response, _ = self.card.process(raw)
            if raw[1] == self.pull_at_ins:
                raise CardRemoved("fake reader")
            return response

        return apdu.transceive(send, command)

    def control(self, code, data):
        self.controls.append((code, data))
        if self.pad is None:
            return self.pad_answers.pop(0)
        try:
            if code == self.pinpad.verify_control:
                return self.pad.verify(self.card, data)
            return self.pad.modify(self.card, data)
        except PadAnswer as answer:
            return answer.sw.to_bytes(2, "big")

    @property
    def ins_sent(self):
        return [c.ins for c in self.sent]
