"""The card system's export, read line by line: pure, no Django.

The export is a CSV file in UTF-8 with a header line and one card a line, separated by
semicolons or commas (the header says which):

    kortnummer;korttyp;innehavare;status;utfärdat;giltigt_till
    9752270000010012;rs-kort;SE2321000289-A001;aktivt;2024-06-01;2029-05-31

- kortnummer: the card number, digits only.
- korttyp: the card type's code (cards.CardType.code), e.g. rs-kort, reservkort.
- innehavare: the holder's HSA-id.
- status: aktivt or spärrat (active/revoked are read too). An expired card is one whose
  giltigt_till has passed, whatever its status.
- utfärdat, giltigt_till: dates, YYYY-MM-DD.

Anything else is a broken export: the whole file is refused (CardExportError, naming the
line), so a sync never applies half of it.
"""

import csv
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

HEADER = ("kortnummer", "korttyp", "innehavare", "status", "utfärdat", "giltigt_till")

# The export's words for a card's status → cards.models.Card.Status values.
STATUSES = {"aktivt": "active", "active": "active", "spärrat": "revoked", "revoked": "revoked"}


class CardExportError(Exception):
    """The export is broken at `line` (1 is the header); nothing of it may be applied."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"rad {line}: {problem}")
        self.line = line
        self.problem = problem


@dataclass(frozen=True)
class CardRow:
    line: int
    card_number: str
    card_type: str
    holder_hsa_id: str
    status: str  # a Card.Status value
    valid_from: date
    valid_to: date


def read_card_export(lines: Iterable[str], card_types: Collection[str]) -> Iterator[CardRow]:
    """The export's cards, one at a time, as `lines` (an open file) are read. `card_types`:
    the card type codes RS-portal knows."""
    lines = iter(lines)
    first = next(lines, "")
    if not first.strip():
        raise CardExportError(1, "exporten är tom (ingen rubrikrad)")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    header = tuple(column.strip().lower() for column in next(csv.reader([first], delimiter=delimiter)))
    if header != HEADER:
        raise CardExportError(1, f"fel rubrikrad: {';'.join(header)} (väntade {';'.join(HEADER)})")
    reader = csv.reader(_ended_lines(lines), delimiter=delimiter, strict=True)
    count = 0
    try:
        for fields in reader:
            line = reader.line_num + 1
            if not fields or fields == [""]:
                continue
            count += 1
            yield _row(line, fields, card_types)
    except csv.Error as exc:
        raise CardExportError(reader.line_num + 1, f"trasig rad ({exc})") from None
    if count == 0:
        raise CardExportError(2, "exporten har inga kort")


def _ended_lines(lines: Iterator[str]) -> Iterator[str]:
    """The lines, refusing a last line without its line end: a file cut off in the middle."""
    number = 1
    for text in lines:
        number += 1
        if not text.endswith("\n"):
            raise CardExportError(number, "sista raden saknar radslut: exporten är avkortad")
        yield text


def _row(line: int, fields: list[str], card_types: Collection[str]) -> CardRow:
    if len(fields) != len(HEADER):
        raise CardExportError(line, f"{len(fields)} kolumner, väntade {len(HEADER)}")
    number, card_type, holder, status, issued, valid_to = (field.strip() for field in fields)
    if not number.isdigit():
        raise CardExportError(line, f"ogiltigt kortnummer: {number!r}")
    if card_type not in card_types:
        raise CardExportError(line, f"okänd korttyp: {card_type!r}")
    if not holder:
        raise CardExportError(line, "innehavarens HSA-id saknas")
    if status.lower() not in STATUSES:
        raise CardExportError(line, f"okänd status: {status!r}")
    return CardRow(
        line=line,
        card_number=number,
        card_type=card_type,
        holder_hsa_id=holder,
        status=STATUSES[status.lower()],
        valid_from=_date(line, "utfärdat", issued),
        valid_to=_date(line, "giltigt_till", valid_to),
    )


def _date(line: int, column: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CardExportError(line, f"ogiltigt datum i {column}: {text!r}") from None
