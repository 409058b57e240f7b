"""A connection to the pure virtual card, as the operations see a real one."""

from cards.station import apdu
from cards.station.errors import CardRemoved
from cards.station.pinpad import PinPad
from cards.virtualcard.card import VirtualCard
from cards.virtualcard.state import CardState


def rs_state(**changes):
    fields = dict(profile="rs", card_number="9752201234567890",
                  pins={"legitimering": "111111", "underskrift": "222222"}, puk="12345678")
    fields.update(changes)
    return CardState(**fields)


def piv_state(**changes):
    fields = dict(profile="piv", card_number="1234-5678-000042", pins={"legitimering": "111111"}, puk="87654321")
    fields.update(changes)
    return CardState(**fields)


class FakeConnection:
    def __init__(self, state, pinpad=PinPad(), pull_at_ins=None, pad_answers=None, refuse_ins=None):
        self.card = VirtualCard(state)
        self.profile = self.card.profile
        self.pinpad = pinpad
        self.selected = False
        self.sent: list[apdu.Command] = []
        self.controls: list[tuple[int, bytes]] = []
        self.pull_at_ins = pull_at_ins  # the card is pulled out after carrying out this INS
        self.pad_answers = list(pad_answers or [])
        self.refuse_ins = dict(refuse_ins or {})  # {INS: status word}: the card answers it and does nothing

    def transmit(self, command):
        self.sent.append(command)

        def send(raw):
            if raw[1] in self.refuse_ins:
                return self.refuse_ins[raw[1]].to_bytes(2, "big")
            response, _ = self.card.process(raw)
            if raw[1] == self.pull_at_ins:
                raise CardRemoved("fake reader")
            return response

        return apdu.transceive(send, command)

    def control(self, code, data):
        self.controls.append((code, data))
        return self.pad_answers.pop(0)

    @property
    def ins_sent(self):
        return [c.ins for c in self.sent]
