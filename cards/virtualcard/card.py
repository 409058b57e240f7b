"""The virtual card's behaviour: a command APDU and the state give a response.

Pure: no sockets, no files. `process` tells whether the state changed, so the
program around it saves the state before answering, as a card writes its
EEPROM before it answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from cards.reader import fascn, tlv
from cards.reader.profiles import BUILT_IN, CardNumberSource, Profile

from .state import CardState

PIV_FULL_AID = bytes.fromhex("A000000308000010000100")
PIV_APT = tlv.encode(
    0x61,
    tlv.encode(0x4F, bytes.fromhex("000010000100")) + tlv.encode(0x79, tlv.encode(0x4F, bytes.fromhex("A000000308"))),
)
PIV_CHUID_EXPIRY = b"20301231"

SW_OK = b"\x90\x00"


def sw(value: int) -> bytes:
    return value.to_bytes(2, "big")


@dataclass(frozen=True)
class Apdu:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None

    @classmethod
    def parse(cls, raw: bytes) -> Apdu | None:
        """A short APDU, or None when the bytes are no well-formed one."""
        if len(raw) < 4:
            return None
        (cla, ins, p1, p2), body = raw[:4], raw[4:]
        if not body:
            return cls(cla, ins, p1, p2, b"", None)
        if len(body) == 1:
            return cls(cla, ins, p1, p2, b"", body[0])
        lc = body[0]
        if lc == 0 or len(body) not in (1 + lc, 2 + lc):
            return None
        le = body[1 + lc] if len(body) == 2 + lc else None
        return cls(cla, ins, p1, p2, body[1 : 1 + lc], le)


class VirtualCard:
    """A card of the state's profile, as `profiles` define it: the station's own, changed
    by the same file (RS_STATION_PROFILES) where one is used, so card and station agree."""

    def __init__(self, state: CardState, profiles: tuple[Profile, ...] = BUILT_IN):
        self.state = state
        self.profile: Profile = next(p for p in profiles if p.name == state.profile)
        self.piv = self.profile.card_number_source is CardNumberSource.PIV_CHUID
        self.chuid = self._chuid() if self.piv else b""  # the card number never changes
        self.power_on()

    @property
    def atr(self) -> bytes:
        return bytes.fromhex(self.state.atr) if self.state.atr else self.profile.atrs[0].atr

    def power_on(self) -> None:
        """Power on and reset both clear what a session held: selection, verified PINs, pending data."""
        self.selected = False
        self.verified: set[str] = set()
        self.pending = b""

    # --- dispatch -------------------------------------------------------

    def process(self, raw: bytes) -> tuple[bytes, bool]:
        """(response APDU, whether the state changed)."""
        apdu = Apdu.parse(raw)
        if apdu is None:
            return sw(0x6700), False
        if apdu.cla != 0x00:
            return sw(0x6E00), False
        if apdu.ins != 0xC0:
            self.pending = b""
        if apdu.ins == 0xA4:
            return self._select(apdu), False
        if apdu.ins == 0xC0:
            return self._get_response(apdu), False
        handler = {
            0x20: self._verify,
            0x24: self._change,
            0x2C: self._reset_retry_counter,
            0xCA: self._get_data,
            0xCB: self._get_data_object,
        }.get(apdu.ins)
        if handler is None or not self.selected:
            return sw(0x6D00), False
        return handler(apdu)

    # --- helpers ----------------------------------------------------------

    def _role(self, reference: int) -> str | None:
        p = self.profile
        if reference == p.puk_reference:
            return "puk"
        if reference == p.legitimering_reference:
            return "legitimering"
        if reference == p.underskrift_reference:
            return "underskrift"
        return None

    def _tries(self, role: str) -> int:
        if role == "puk":
            return cast(int, self.state.puk_tries_left)  # never None once CardState.__post_init__ ran
        return self.state.pin_tries_left[role]

    def _set_tries(self, role: str, value: int) -> None:
        if role == "puk":
            self.state.puk_tries_left = value
        else:
            self.state.pin_tries_left[role] = value

    def _limit(self, role: str) -> int:
        return self.state.puk_tries if role == "puk" else self.state.pin_tries

    def _stored(self, role: str) -> bytes:
        code = self.state.puk if role == "puk" else self.state.pins[role]
        return self._block(code.encode("ascii"))

    def _block(self, digits: bytes) -> bytes:
        p = self.profile
        return digits + bytes((p.padding,)) * (self._block_length() - len(digits))

    def _block_length(self) -> int:
        """The virtual card emulates cards that pad codes to a block (the built-in profiles)."""
        if self.profile.block_length is None:
            raise ValueError("the virtual card needs a profile whose codes are padded to a block")
        return self.profile.block_length

    def _unpad(self, block: bytes) -> bytes:
        return block.rstrip(bytes((self.profile.padding,)))

    def _check(self, role: str, block: bytes) -> tuple[bytes, bool]:
        """Compare a presented code: right resets the counter, wrong spends a try."""
        if block == self._stored(role):
            changed = self._tries(role) != self._limit(role)
            self._set_tries(role, self._limit(role))
            if role != "puk":
                self.verified.add(role)
            return SW_OK, changed
        left = self._tries(role) - 1
        self._set_tries(role, left)
        self.verified.discard(role)
        return sw(0x63C0 | left), True

    def _valid_new_pin(self, block: bytes) -> bytes | None:
        digits = self._unpad(block)
        if len(digits) == self.profile.pin_length and digits.isdigit():
            return digits
        return None

    def _respond(self, data: bytes, le: int | None) -> bytes:
        room = le or 256  # Le absent or 00: up to 256 bytes
        if len(data) <= room:
            return data + SW_OK
        self.pending = data[room:]
        return data[:room] + sw(0x6100 | min(len(self.pending), 256) & 0xFF)

    # --- commands ---------------------------------------------------------

    def _select(self, apdu: Apdu) -> bytes:
        if apdu.p1 != 0x04 or apdu.p2 not in (0x00, 0x0C):
            return sw(0x6A86)
        known = PIV_FULL_AID if self.piv and PIV_FULL_AID.startswith(self.profile.aid) else self.profile.aid
        if not apdu.data or not known.startswith(apdu.data) or len(apdu.data) < len(self.profile.aid):
            return sw(0x6A82)
        self.selected = True
        self.verified.clear()
        if apdu.p2 == 0x0C:
            return SW_OK
        return self._respond(PIV_APT if self.piv else b"", apdu.le)

    def _get_response(self, apdu: Apdu) -> bytes:
        if not self.pending:
            return sw(0x6985)
        data, self.pending = self.pending, b""
        return self._respond(data, apdu.le)

    def _verify(self, apdu: Apdu) -> tuple[bytes, bool]:
        role = self._role(apdu.p2)
        if apdu.p1 == 0xFF and not apdu.data and role and role != "puk":
            self.verified.discard(role)  # PIV: reset the security status
            return SW_OK, False
        if apdu.p1 != 0x00:
            return sw(0x6A86), False
        if role is None or (role == "puk" and not self.profile.puk_counter_readable):
            return sw(0x6A88), False
        if self._tries(role) == 0:
            return sw(0x6983), False
        if not apdu.data:
            return (SW_OK if role in self.verified else sw(0x63C0 | self._tries(role))), False
        if role == "puk":
            return sw(0x6985), False  # the PUK serves only RESET RETRY COUNTER
        if len(apdu.data) != self.profile.block_length:
            return sw(0x6700), False
        return self._check(role, apdu.data)

    def _change(self, apdu: Apdu) -> tuple[bytes, bool]:
        role = self._role(apdu.p2)
        if apdu.p1 != 0x00:
            return sw(0x6A86), False
        if role is None:
            return sw(0x6A88), False
        if role == "puk":
            return sw(0x6985), False  # the holder cannot change the PUK
        n = self._block_length()
        if len(apdu.data) != 2 * n:
            return sw(0x6700), False
        if self._tries(role) == 0:
            return sw(0x6983), False
        new = self._valid_new_pin(apdu.data[n:])
        if new is None:
            return sw(0x6A80), False
        result, changed = self._check(role, apdu.data[:n])
        if result != SW_OK:
            return result, changed
        self.state.pins[role] = new.decode("ascii")
        return SW_OK, True

    def _reset_retry_counter(self, apdu: Apdu) -> tuple[bytes, bool]:
        role = self._role(apdu.p2)
        if apdu.p1 != 0x00:
            return sw(0x6A86), False
        if role is None or role == "puk":
            return sw(0x6A88), False
        n = self._block_length()
        if len(apdu.data) != 2 * n:
            return sw(0x6700), False
        if self.state.puk_tries_left == 0:
            return sw(0x6983), False
        new = self._valid_new_pin(apdu.data[n:])
        if new is None:
            return sw(0x6A80), False
        result, changed = self._check("puk", apdu.data[:n])
        if result != SW_OK:
            return result, changed
        self.state.pins[role] = new.decode("ascii")
        self.state.pin_tries_left[role] = self.state.pin_tries
        self.verified.discard(role)
        return SW_OK, True

    def _get_data(self, apdu: Apdu) -> tuple[bytes, bool]:
        tag = (apdu.p1 << 8) | apdu.p2
        if self.profile.card_number_source is not CardNumberSource.GET_DATA_BCD:
            return sw(0x6D00), False
        if tag != self.profile.card_number_tag:
            return sw(0x6A88), False
        digits = self.state.card_number + ("F" if len(self.state.card_number) % 2 else "")
        data = tlv.encode(tag, bytes.fromhex(digits))
        if apdu.le and apdu.le != len(data):
            return sw(0x6C00 | len(data)), False  # T=0 style: retry with the exact length
        return self._respond(data, apdu.le), False

    def _get_data_object(self, apdu: Apdu) -> tuple[bytes, bool]:
        if not self.piv:
            return sw(0x6D00), False
        if (apdu.p1, apdu.p2) != (0x3F, 0xFF):
            return sw(0x6A86), False
        if apdu.data != bytes.fromhex("5C035FC102"):
            return sw(0x6A82), False
        return self._respond(tlv.encode(0x53, self.chuid), apdu.le), False

    def _chuid(self) -> bytes:
        number = self.state.card_number
        if len(number) == 32:
            fasc = fascn.encode(agency="9999", system="9999", credential="999999", org_category="3")
            guid = bytes.fromhex(number)
        else:
            agency, system, credential = number.split("-")
            fasc = fascn.encode(agency=agency, system=system, credential=credential)
            guid = bytes(16)
        return (
            tlv.encode(0x30, fasc)
            + tlv.encode(0x34, guid)
            + tlv.encode(0x35, PIV_CHUID_EXPIRY)
            + tlv.encode(0x3E, b"")
            + tlv.encode(0xFE, b"")
        )
