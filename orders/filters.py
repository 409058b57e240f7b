import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Lookup, Q, QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cards.models import Card
from organisation.identity import normalise_personnummer
from organisation.models import Employee, Forvaltning

from .forms import DATE_FORMAT_ERROR, DATE_INPUT_FORMATS, validate_plausible_year
from .models import PukOrder, order_reference
from .states import NEEDS_ACTION, OrderState

STATE_CHOICES = [("action", _("Att hantera")), ("all", _("Alla")), *OrderState.choices]


class _InSubquery(Lookup):
    """`column IN (subquery)`, written on PostgreSQL as `column = ANY(ARRAY(subquery))`:
    the subquery then runs once, first, and its ids go through the column's index, also
    inside an OR (where `IN (subquery)` becomes a test on every row the other conditions
    leave: every order of the förvaltningar)."""

    lookup_name = "in_subquery"

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, tuple[str | int, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[str | int, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


# An order's number as the pages and mails write it: PUK-000006 (any case, the hyphen may be
# a space or left out, the zeros too), or a letter's PUK-000006-1. Up to nine digits: a
# number beyond the primary key's range is no order.
_ORDER_REFERENCE = re.compile(r"PUK[- ]?(\d{1,9})(?:-\d{1,3})?", re.IGNORECASE)
# Without PUK-, only the reference's own digits, zero-padded to six (000006).
_REFERENCE_DIGITS = re.compile(r"\d{6,7}")


def order_pk_searched(term: str) -> int | None:
    """The order a search term names by its number, or None."""
    term = term.strip()
    if match := _ORDER_REFERENCE.fullmatch(term):
        return int(match[1]) or None
    if _REFERENCE_DIGITS.fullmatch(term) and order_reference(int(term)) == f"PUK-{term}":
        return int(term)
    return None


def personnummer_searched(term: str) -> str | None:
    """The 12-digit personnummer (or samordningsnummer) a search term is, in any usual
    form (19811228-9874, 811228-9874, 198112289874, 8112289874), or None."""
    digits = term.replace(" ", "")
    if len(digits.replace("-", "").replace("+", "")) not in (10, 12):
        return None
    try:
        return normalise_personnummer(digits)
    except ValidationError:
        return None


def _local_midnight(day: date) -> datetime:
    """The start of `day` in the current time zone, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


class QueueFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATE_CHOICES, method="filter_state", empty_label=None
    )
    # Choices from the förvaltningar the request has already looked up (see __init__): a
    # model choice would ask the database again to validate the one chosen.
    forvaltning = django_filters.ChoiceFilter(
        label=_("Förvaltning"), field_name="forvaltning_id", empty_label=_("Alla")
    )
    # Whole days in the current time zone, as the dates the page shows. Compared with
    # created_at itself (from the day's first instant, up to the next day's), not with
    # created_at's date, so that an index on created_at serves the range.
    created_from = django_filters.DateFilter(
        label=_("Från"),
        method="filter_created_from",
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": DATE_FORMAT_ERROR},
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"inputmode": "numeric", "autocomplete": "off"}),
        validators=[validate_plausible_year],
    )
    created_to = django_filters.DateFilter(
        label=_("Till"),
        method="filter_created_to",
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": DATE_FORMAT_ERROR},
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"inputmode": "numeric", "autocomplete": "off"}),
        validators=[validate_plausible_year],
    )
    q = django_filters.CharFilter(
        label=_("Sök namn, personnummer, HSA-id, kortnummer eller beställningsnummer"), method="search"
    )

    class Meta:
        model = PukOrder
        fields: list[str] = []

    def __init__(
        self, data: QueryDict | None = None, *args: Any, forvaltningar: Iterable[Forvaltning], **kwargs: Any
    ) -> None:
        values: QueryDict | dict[str, Any] = data.copy() if data is not None else {}
        values.setdefault("state", "action")
        super().__init__(values, *args, **kwargs)
        choices = [(forvaltning.pk, forvaltning.name) for forvaltning in forvaltningar]
        self.filters["forvaltning"].extra["choices"] = choices

    def filter_state(self, queryset: QuerySet[PukOrder], name: str, value: str) -> QuerySet[PukOrder]:
        if value == "action":
            return queryset.filter(state__in=NEEDS_ACTION)
        if value == "all":
            return queryset
        return queryset.filter(state=value)

    def filter_created_from(self, queryset: QuerySet[PukOrder], name: str, value: date) -> QuerySet[PukOrder]:
        return queryset.filter(created_at__gte=_local_midnight(value))

    def filter_created_to(self, queryset: QuerySet[PukOrder], name: str, value: date) -> QuerySet[PukOrder]:
        return queryset.filter(created_at__lt=_local_midnight(value + timedelta(days=1)))

    def search(self, queryset: QuerySet[PukOrder], name: str, value: str) -> QuerySet[PukOrder]:
        """The order with the number (PUK-000006, see order_pk_searched); else orders whose
        holder has every word starting a first or last name, or has the HSA-id or the
        personnummer, or whose card has the card number. The holders and cards are found
        first (an index on each name, the HSA-id, the personnummer), then their orders (by
        holder and by card). `queryset` is the contact person's orders: a number of
        another förvaltning's finds nothing."""
        value = value.strip()
        if not value:
            return queryset
        order_pk = order_pk_searched(value)
        if order_pk is not None:
            return queryset.filter(pk=order_pk)
        every_word_names_the_holder = Q()
        for word in value.split():
            every_word_names_the_holder &= Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
        holder = every_word_names_the_holder | Q(hsa_id__iexact=value)
        personnummer = personnummer_searched(value)
        if personnummer is not None:
            holder |= Q(personnummer=personnummer)
        holders = Employee.objects.filter(holder).values("pk")
        cards = Card.objects.filter(card_number=value.replace(" ", "")).values("pk")
        return queryset.filter(_InSubquery(F("holder_id"), holders) | _InSubquery(F("card_id"), cards))
