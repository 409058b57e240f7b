"""The card system port: where SITHS cards are issued and revoked.

The embedded default reads the card system's CSV export (format: registers.card_export)
from RSPORTAL_CARD_SYSTEM_FILE. A real backend (the card system's API) implements
`cards` and is named in RSPORTAL_CARD_SYSTEM.
"""

import os
from collections.abc import Collection, Iterator
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from .card_export import CardExportError, CardRow, read_card_export


class CardSystemUnavailable(Exception):
    """The card system (or its export) could not be read at all."""


class CardSystem(Protocol):
    def cards(self, card_types: Collection[str]) -> Iterator[CardRow]:
        """Every card the card system knows, streamed. Raises CardExportError (naming the
        line) for a broken export, CardSystemUnavailable when there is none to read."""
        ...


class CsvCardSystem:
    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = path or settings.CARD_SYSTEM_FILE

    def cards(self, card_types: Collection[str]) -> Iterator[CardRow]:
        try:
            with open(self.path, encoding="utf-8-sig", newline="") as f:
                yield from read_card_export(f, card_types)
        except UnicodeDecodeError:
            raise CardExportError(0, "filen är inte UTF-8") from None
        except OSError as exc:
            raise CardSystemUnavailable(f"{self.path}: {exc.strerror}") from exc


def get_card_system() -> CardSystem:
    system: CardSystem = import_string(settings.CARD_SYSTEM_BACKEND)()
    return system
