"""The virtual card's state: one JSON file per card, shared by the demo's cards,
the card registry and the PUK letters so that they agree.

    from cards.virtualcard.state import CardState
    CardState(profile="rs", card_number="9752201234567890",
              pins={"legitimering": "123456", "underskrift": "654321"},
              puk="12345678").save("var/cards/anna.json")

Fields:
- profile: "rs" (the RS-kort) or "piv" (a PIV card);
- card_number: rs: the card number in digits (as printed on the card);
  piv: "AAAA-SSSS-CCCCCC" (agency, system, credential of the FASC-N) or the
  card's GUID as 32 hex digits (the FASC-N is then all nines, as on tokens);
- pins: {"legitimering": six digits, "underskrift": six digits}; a PIV card
  has one PIN, given as "legitimering" only;
- puk: eight digits;
- pin_tries_left: tries left per PIN (default: pin_tries each);
- puk_tries_left: PUK tries left (default: puk_tries); 0 = card must be replaced;
- pin_tries, puk_tries: the card's limits (default 3 and 10);
- atr: the ATR in hex; empty = the profile's ATR. Set another to make a card
  of a type the station does not know.

The codes are test data of a virtual card: the repr hides them all the same.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

PROFILES = ("rs", "piv")
# One encoder for every save: json.dumps with separators builds a new one each call, and the
# inserted card saves on every APDU that changes a counter.
_COMPACT = json.JSONEncoder(separators=(",", ":"))


@dataclass
class CardState:
    profile: str
    card_number: str
    pins: dict[str, str] = field(repr=False)
    puk: str = field(repr=False)
    pin_tries_left: dict[str, int] = field(default_factory=dict)
    puk_tries_left: int | None = None
    pin_tries: int = 3
    puk_tries: int = 10
    atr: str = ""

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"profile is one of {', '.join(PROFILES)}")
        roles = {"legitimering"} if self.profile == "piv" else {"legitimering", "underskrift"}
        if set(self.pins) != roles:
            raise ValueError(f"a {self.profile} card has the PIN(s) {', '.join(sorted(roles))}")
        for role in roles:
            self.pin_tries_left.setdefault(role, self.pin_tries)
        if self.puk_tries_left is None:
            self.puk_tries_left = self.puk_tries

    def to_json(self) -> bytes:
        return _COMPACT.encode(self.__dict__).encode("utf-8")

    def save(self, path: str | Path) -> None:
        """Write atomically (a reader sees the old file or the new one, never half of one).

        The file holds the card's PUK and PINs in clear, so it is the owner's alone (0600,
        whatever the umask): it is written to a new temporary file that mkstemp makes 0600
        and renamed over the old one, which a file of an earlier release readable by others
        does not survive. A missing folder is made 0700; an existing one is left as it is
        (the demo's own, var/cards, is made 0700 by seed_demo).

        One writer at a time: the card process while the card is inserted (through its
        `StateFile`), anyone else while it is out.
        """
        path = Path(path)
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = self.to_json()
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | Path) -> CardState:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


class StateFile:
    """The inserted card's own writer of its state file: the save sits on the path of every
    APDU that changes the card (before it answers, as a card writes its EEPROM), so it is
    one pwrite in place on a file kept open, not a new file and a rename each time. The
    record is padded with spaces to the file's length, so it never leaves old bytes behind
    (JSON allows trailing white space). It is written before the card answers, and the
    readers (the tests, the demo's set-up) read after an answer or while the card is out."""

    def __init__(self, path: str | Path):
        self._fd = os.open(path, os.O_RDWR)
        self._size = os.fstat(self._fd).st_size

    def write(self, state: CardState) -> None:
        data = state.to_json()
        data += b" " * (self._size - len(data))
        os.pwrite(self._fd, data, 0)
        self._size = len(data)

    def close(self) -> None:
        os.close(self._fd)
