"""Import of the card issuing system's PUK export: a CSV of card number and PUK.

Every row is validated; a bad row is reported by line number and reason (never with its
PUK) and the import goes on with the next.
"""

import csv
from dataclasses import dataclass, field

from django.db import transaction

from .models import Card, PukRecord
from .puk_store import encrypt_puk


@dataclass
class ImportReport:
    imported: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


def import_puks(lines, *, puk_length=8) -> ImportReport:
    """`lines`: an iterable of CSV text lines with the header `card_number,puk`."""
    report = ImportReport()
    reader = csv.DictReader(lines)
    if reader.fieldnames is None or not {"card_number", "puk"} <= set(reader.fieldnames):
        report.problems.append((1, "the header must name the columns card_number and puk"))
        return report
    seen = set()
    for row in reader:
        line = reader.line_num
        card_number = (row.get("card_number") or "").strip().replace(" ", "")
        digits = (row.get("puk") or "").strip()
        problem = _problem(card_number, digits, puk_length, seen)
        if problem is None:
            card = Card.objects.filter(card_number=card_number).first()
            problem = "unknown card number" if card is None else None
        if problem:
            report.problems.append((line, problem))
            continue
        seen.add(card_number)
        with transaction.atomic():
            PukRecord.objects.update_or_create(card=card, defaults={"ciphertext": encrypt_puk(card_number, digits)})
        report.imported += 1
    return report


def _problem(card_number, digits, puk_length, seen):
    if not card_number.isdigit():
        return "the card number is missing or not digits"
    if card_number in seen:
        return "the card number appears twice in the file"
    if len(digits) != puk_length or not digits.isdigit():
        return f"the PUK is not {puk_length} digits"
    return None
