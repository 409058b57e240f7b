"""The queue as CSV: one query, streamed in chunks, so memory and query count stay flat
however many orders the filter matches."""

import csv
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cards.models import in_page_language, masked_card_number

from .models import BlockedCodes, PukOrder, Reason, order_reference
from .states import OrderState

# Excel and LibreOffice read a leading one of these as the start of a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FIELDS = [
    "pk",
    "created_at",
    "state",
    "forvaltning__name",
    "holder__first_name",
    "holder__last_name",
    "holder__hsa_id",
    "card__card_type__name",
    "card__card_type__name_en",
    "card__card_number",
    "reason",
    "reason_text",
    "blocked_codes",
    "decided_by__first_name",
    "decided_by__last_name",
    "decided_by__username",
    "decided_at",
]


def header() -> list[str]:
    return [
        _("Beställning"),
        _("Skapad"),
        _("Status"),
        _("Förvaltning"),
        _("Kortinnehavare"),
        _("HSA-id"),
        _("Korttyp"),
        _("Kortnummer"),
        _("Orsak"),
        _("Spärrade koder"),
        _("Beslutad av"),
        _("Beslutad"),
    ]


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text, never evaluates (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


# {field: {value: label}}
ChoiceLabels = dict[str, dict[str, str]]


def choice_labels() -> ChoiceLabels:
    """{field: {value: label}} of an order's choice fields, in the current language: one
    look-up per label and request, instead of get_FOO_display's walk over every choice for
    every row."""
    return {
        "state": {value: str(label) for value, label in OrderState.choices},
        "reason": {value: str(label) for value, label in Reason.choices},
        "blocked_codes": {value: str(label) for value, label in BlockedCodes.choices},
    }


# Rows fetched per round trip: memory holds one chunk, whatever the number of rows.
CHUNK_SIZE = 500


def csv_lines(queryset: QuerySet[PukOrder]) -> Iterator[str]:
    """Yield the CSV lines of `queryset` (orders), header first. Labels are resolved now, in
    the request's language, because the lines are produced after the view has returned."""
    labels = choice_labels()
    writer = csv.writer(_Echo(), delimiter=";")
    rows = queryset.order_by("-created_at", "-pk").values(*_FIELDS).iterator(chunk_size=CHUNK_SIZE)

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([safe_cell(cell) for cell in header()])
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in _cells(row, labels)])

    return lines()


def _cells(row: dict[str, Any], labels: ChoiceLabels) -> list[str]:
    reason = labels["reason"].get(row["reason"], row["reason"])
    if row["reason_text"]:
        reason = f"{reason}: {row['reason_text']}"
    return [
        order_reference(row["pk"]),
        _local(row["created_at"]),
        labels["state"].get(row["state"], row["state"]),
        row["forvaltning__name"],
        f"{row['holder__first_name']} {row['holder__last_name']}",
        row["holder__hsa_id"],
        in_page_language(row["card__card_type__name"], row["card__card_type__name_en"]),
        masked_card_number(row["card__card_number"]),
        reason,
        labels["blocked_codes"].get(row["blocked_codes"], row["blocked_codes"]),
        _decider(row),
        _local(row["decided_at"]),
    ]


def _decider(row: dict[str, Any]) -> str:
    full_name = f"{row['decided_by__first_name'] or ''} {row['decided_by__last_name'] or ''}".strip()
    return full_name or row["decided_by__username"] or ""


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
