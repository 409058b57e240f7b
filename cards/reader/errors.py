"""What can go wrong between the station and the card, as the operator is told it.

Each kind of fault has a stable `reference`, the code the operator gives IT-support
("felkod KS-101"): messages.describe_error says it in the operator's words, with what
they can do, and the reference. `str(error)` is the technical cause (pcscd's message,
reader names, an ATR, a status word) for the log and the station's health, never for
the operator's text. The references (docs/reader.md, "Faults the operator is told"):

    KS-1xx  the card reader and the PC/SC service on the desk PC
    KS-2xx  the card in the reader
    KS-3xx  the connection to RS-portal (the desk agent's, cards/agent/server.py)

A reference, once given, keeps its meaning: a new kind of fault gets a new number.
No exception here ever carries a PIN or PUK: messages hold reader names,
ATRs and status words only.
"""

from __future__ import annotations


class StationError(Exception):
    """A reader or card problem the operator is told about; never carries a code."""

    reference = "KS-100"  # a fault of no kind below


class PcscUnavailable(StationError):
    """The PC/SC service (pcscd) does not answer."""

    reference = "KS-101"


class NoReader(StationError):
    """No card reader is connected."""

    reference = "KS-102"


class ReaderNotFound(NoReader):
    """No connected reader has the name asked for (str: that name)."""

    reference = "KS-103"

    def __init__(self, wanted: str):
        super().__init__(wanted)
        self.wanted = wanted


class ReaderChoice(NoReader):
    """Several readers, and nothing tells which one to use (str: their names)."""

    reference = "KS-104"

    def __init__(self, readers: list[str]):
        super().__init__(", ".join(readers))
        self.readers = readers


class SeveralCards(NoReader):
    """Cards in several readers, and none named (str: those readers' names)."""

    reference = "KS-105"

    def __init__(self, readers: list[str]):
        super().__init__(", ".join(readers))
        self.readers = readers


class ReaderGone(StationError):
    """The reader went away while in use (str: its name)."""

    reference = "KS-106"


class NoCard(StationError):
    """No card in the reader, or in any reader (str: the reader names)."""

    reference = "KS-201"


class CardRemoved(StationError):
    """The card left the reader, or lost contact, while in use (str: the reader's name)."""

    reference = "KS-202"


class CardBusy(StationError):
    """The card cannot be had exclusively: another program holds it (str: pyscard's message)."""

    reference = "KS-203"


class UnknownCard(StationError):
    """The card's ATR matches no profile (str: the ATR)."""

    reference = "KS-204"

    def __init__(self, atr: bytes):
        super().__init__(atr.hex(" ").upper())
        self.atr = atr


class CardError(StationError):
    """The card answered something the station cannot use: its status word, or what was wrong."""

    reference = "KS-205"

    def __init__(self, detail: str, sw: int | None = None):
        super().__init__(detail)
        self.sw = sw

    @classmethod
    def status(cls, sw: int) -> CardError:
        return cls(f"{sw:04X}", sw)
