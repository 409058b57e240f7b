"""What can go wrong between the station and the card, as the operator is told it.

No exception here ever carries a PIN or PUK: messages hold reader names,
ATRs and status words only.
"""

from __future__ import annotations


class StationError(Exception):
    """A reader or card problem the operator is told about; never carries a code."""


class PcscUnavailable(StationError):
    pass


class NoReader(StationError):
    pass


class NoCard(StationError):
    pass


class CardRemoved(StationError):
    pass


class ReaderGone(StationError):
    pass


class CardBusy(StationError):
    pass


class UnknownCard(StationError):
    def __init__(self, atr: bytes):
        super().__init__(atr.hex(" ").upper())
        self.atr = atr


class CardError(StationError):
    """The card answered something the station cannot use: its status word, or what was wrong."""

    def __init__(self, detail: str, sw: int | None = None):
        super().__init__(detail)
        self.sw = sw

    @classmethod
    def status(cls, sw: int) -> CardError:
        return cls(f"{sw:04X}", sw)
