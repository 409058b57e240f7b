"""Import of the card issuing system's PUK export: a CSV of card number and PUK.

Every row is validated, the PUK's length against the card's own type; a bad row is
reported by line number and reason (never with its PUK, nor an exception's text, which
could hold it) and the import goes on with the next.
"""

import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.db import transaction

from .models import Card, PukRecord
from .puk_store import encrypt_puk


@dataclass
class ImportReport:
    imported: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


class _CountedLines:
    """The lines, counting how many have been read: the line a CSV error is on."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = iter(lines)
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.number += 1
        return line


def import_puks(lines: Iterable[str]) -> ImportReport:
    """`lines`: an iterable of CSV text lines with the header `card_number,puk`."""
    report = ImportReport()
    counted = _CountedLines(lines)
    reader = csv.DictReader(counted)
    try:
        columns = reader.fieldnames
    except csv.Error:
        columns = None
    if columns is None or not {"card_number", "puk"} <= set(columns):
        report.problems.append((1, "the header must name the columns card_number and puk"))
        return report
    seen: set[str] = set()
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            report.problems.append((counted.number, "the line is not valid CSV"))
            continue
        try:
            problem = _import_row(row, seen)
        except Exception:  # the import goes on; the exception's text is not reported
            problem = "the row could not be imported"
        if problem:
            report.problems.append((counted.number, problem))
        else:
            report.imported += 1
    return report


def _import_row(row: Mapping[str, str | None], seen: set[str]) -> str | None:
    """Import one row; returns what is wrong with it, or None."""
    card_number = (row.get("card_number") or "").strip().replace(" ", "")
    digits = (row.get("puk") or "").strip()
    if not _ascii_digits(card_number):
        return "the card number is missing or not digits"
    if card_number in seen:
        return "the card number appears twice in the file"
    card = Card.objects.select_related("card_type").filter(card_number=card_number).first()
    if card is None:
        return "unknown card number"
    if len(digits) != card.card_type.puk_length or not _ascii_digits(digits):
        return f"the PUK is not {card.card_type.puk_length} digits, as the card type {card.card_type.code} has"
    with transaction.atomic():
        PukRecord.objects.update_or_create(card=card, defaults={"ciphertext": encrypt_puk(card_number, digits)})
    seen.add(card_number)
    return None


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()
