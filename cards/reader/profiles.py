"""Card profiles: which card is in the reader (by ATR) and how to talk to it.

Two PINs live on the card: *legitimering* (identification: login to IT
services) and *underskrift* (signing). The Swedish names are the UI's and the
card registry's words, so the code uses them too.

The RS-kort profile's references are configurable because card products
differ (see docs/reader.md); PIV follows NIST SP 800-73-4.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import apdu, fascn, tlv
from .codes import Code


class PinRole(enum.Enum):
    LEGITIMERING = "legitimering"
    UNDERSKRIFT = "underskrift"


@dataclass(frozen=True)
class AtrPattern:
    atr: bytes
    mask: bytes

    def __post_init__(self) -> None:
        if len(self.atr) != len(self.mask):
            raise ValueError("an ATR pattern and its mask have the same length")

    @classmethod
    def parse(cls, atr: str, mask: str | None = None) -> AtrPattern:
        raw = bytes.fromhex(atr.replace(":", " "))
        return cls(raw, bytes.fromhex(mask.replace(":", " ")) if mask else b"\xff" * len(raw))

    def matches(self, atr: bytes) -> bool:
        return len(atr) == len(self.atr) and all(
            (a & m) == (p & m) for a, p, m in zip(atr, self.atr, self.mask, strict=True)
        )


class CardNumberSource(enum.Enum):
    GET_DATA_BCD = "get_data_bcd"  # GET DATA of a tag holding the number in BCD (e.g. 5A, PAN)
    PIV_CHUID = "piv_chuid"  # the CHUID's FASC-N, or its GUID where the FASC-N is all nines


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    atrs: tuple[AtrPattern, ...]
    aid: bytes
    select_returns_fci: bool
    legitimering_reference: int
    underskrift_reference: int
    puk_reference: int
    card_number_source: CardNumberSource
    card_number_tag: int = 0x5A
    pin_length: int = 6
    puk_length: int = 8
    block_length: int | None = 8  # codes are padded to this many bytes; None: sent as typed
    padding: int = 0xFF
    pin_tries: int = 3
    puk_tries: int = 10
    puk_counter_readable: bool = True  # can an empty VERIFY read the PUK's counter?
    notes: str = field(default="", compare=False)

    def matches(self, atr: bytes) -> bool:
        return any(p.matches(atr) for p in self.atrs)

    def pin_reference(self, role: PinRole) -> int:
        if role is PinRole.LEGITIMERING:
            return self.legitimering_reference
        return self.underskrift_reference

    @property
    def pin_roles_on_card(self) -> tuple[PinRole, ...]:
        """The PIN roles with a counter of their own (PIV has one PIN for both)."""
        if self.legitimering_reference == self.underskrift_reference:
            return (PinRole.LEGITIMERING,)
        return (PinRole.LEGITIMERING, PinRole.UNDERSKRIFT)

    def code_block(self, code: Code) -> bytes:
        return code.block(self.block_length, self.padding)

    def select(self) -> apdu.Command:
        return apdu.select_aid(self.aid, return_fci=self.select_returns_fci)

    def read_card_number(self) -> apdu.Command:
        if self.card_number_source is CardNumberSource.PIV_CHUID:
            return apdu.get_data_object(PIV_CHUID_TAG)
        return apdu.get_data(self.card_number_tag)

    def parse_card_number(self, data: bytes) -> str:
        if self.card_number_source is CardNumberSource.PIV_CHUID:
            return card_number_from_chuid(data)
        objects = tlv.parse(data)
        if self.card_number_tag not in objects:
            raise ValueError("the card number object is missing")
        return bcd_digits(objects[self.card_number_tag])


def bcd_digits(value: bytes) -> str:
    """Packed BCD digits, trailing F nibbles as padding (as in tag 5A, ISO 7812 numbers)."""
    digits = value.hex().upper().rstrip("F")
    if not digits.isdigit():
        raise ValueError("card number is not BCD")
    return digits


PIV_CHUID_TAG = bytes.fromhex("5FC102")
_CHUID_FASCN, _CHUID_GUID = 0x30, 0x34


def card_number_from_chuid(data: bytes) -> str:
    """The card number from a CHUID (wrapped in its 53 template or not)."""
    outer = tlv.parse(data)
    chuid = tlv.parse(outer[0x53]) if 0x53 in outer else outer
    fields = fascn.decode(chuid[_CHUID_FASCN])
    number = f"{fields['agency']}-{fields['system']}-{fields['credential']}"
    if set(number) <= {"9", "-"} and _CHUID_GUID in chuid:
        return chuid[_CHUID_GUID].hex().upper()  # PIV-I and tokens: the FASC-N is all nines
    return number


RS_KORT = Profile(
    name="rs",
    title="RS-kort",
    # The virtual RS-kort's ATR; the last historical byte (card generation) and TCK are masked.
    atrs=(AtrPattern.parse("3B 88 80 01 52 53 2D 4B 4F 52 54 31 16", "FF FF FF FF FF FF FF FF FF FF FF 00 00"),),
    aid=bytes.fromhex("A000000063504B43532D3135"),  # PKCS#15 application
    select_returns_fci=False,
    legitimering_reference=0x81,
    underskrift_reference=0x82,
    puk_reference=0x83,
    card_number_source=CardNumberSource.GET_DATA_BCD,
    card_number_tag=0x5A,
    padding=0x00,
    puk_tries=10,
    notes="Example references; set the card product's in a profiles file (docs/reader.md).",
)

PIV = Profile(
    name="piv",
    title="PIV",
    atrs=(
        AtrPattern.parse("3B 88 80 01 50 49 56 2D 56 49 52 54 72"),  # the virtual PIV card
        AtrPattern.parse("3B FD 13 00 00 81 31 FE 15 80 73 C0 21 C0 57 59 75 62 69 4B 65 79 40"),  # YubiKey 5
    ),
    # Right-truncated AID (no version): selects any PIV Card Application version.
    aid=bytes.fromhex("A00000030800001000"),
    select_returns_fci=True,
    # PIV has one application PIN; the digital-signature key (9C) asks for that same PIN.
    legitimering_reference=0x80,
    underskrift_reference=0x80,
    puk_reference=0x81,
    card_number_source=CardNumberSource.PIV_CHUID,
    padding=0xFF,
    puk_tries=10,
    puk_counter_readable=False,  # SP 800-73-4 VERIFY takes no PUK reference
    notes="One PIN (80) serves legitimering and underskrift; the PUK counter cannot be read.",
)

BUILT_IN = (RS_KORT, PIV)


def identify(atr: bytes, profiles: tuple[Profile, ...] = BUILT_IN) -> Profile | None:
    for profile in profiles:
        if profile.matches(atr):
            return profile
    return None


# --- configuration ------------------------------------------------------------

_HEX_FIELDS = {"legitimering_reference", "underskrift_reference", "puk_reference", "padding", "card_number_tag"}


def configure(config: dict[str, Any], base: tuple[Profile, ...] = BUILT_IN) -> tuple[Profile, ...]:
    """Profiles with overrides, e.g. {"rs": {"puk_reference": "84", "atrs": [{"atr": "3B ..", "mask": "FF .."}]}}.

    Hex strings for references, padding, tag and AID; "extra_atrs" adds ATR patterns to the built-in ones.
    """
    unknown = set(config) - {p.name for p in base}
    if unknown:
        raise ValueError(f"unknown profile(s) in configuration: {', '.join(sorted(unknown))}")
    out = []
    for profile in base:
        changes = dict(config.get(profile.name, {}))
        for key in _HEX_FIELDS & changes.keys():
            changes[key] = int(changes[key], 16)
        if "aid" in changes:
            changes["aid"] = bytes.fromhex(changes["aid"])
        if "card_number_source" in changes:
            changes["card_number_source"] = CardNumberSource(changes["card_number_source"])
        patterns = [AtrPattern.parse(a["atr"], a.get("mask")) for a in changes.pop("extra_atrs", [])]
        if "atrs" in changes:
            changes["atrs"] = tuple(AtrPattern.parse(a["atr"], a.get("mask")) for a in changes["atrs"])
        profile = replace(profile, **changes)
        out.append(replace(profile, atrs=profile.atrs + tuple(patterns)))
    return tuple(out)


def load(path: str | Path | None) -> tuple[Profile, ...]:
    """The built-in profiles, changed by the JSON file at `path` if one is given."""
    if not path:
        return BUILT_IN
    return configure(json.loads(Path(path).read_text(encoding="utf-8")))
