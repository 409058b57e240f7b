"""The monthly report per förvaltning: orders, decisions, time to approval, letters and
their cost. Counted in the database (three queries whatever the volume); the median is
taken in Python over the month's approval durations, which works on every database.
Letters are the Letter rows made in the month: a letter sent again is paid for again, and
an approved order whose letter is not made yet has cost nothing so far."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import median

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from organisation.models import Forvaltning

from .models import Letter, PukOrder
from .states import OrderState


@dataclass
class ForvaltningMonth:
    forvaltning: object
    orders: int = 0
    approvals: int = 0
    rejections: int = 0
    median_time_to_approval: timedelta | None = None
    letters: int = 0
    letter_cost: Decimal = Decimal(0)


def letter_price() -> Decimal:
    return Decimal(str(settings.RSPORTAL_LETTER_PRICE_SEK))


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month of `month` as an aware [start, end) in local time."""
    start = timezone.make_aware(datetime(month.year, month.month, 1))
    next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, timezone.make_aware(datetime(next_month.year, next_month.month, 1))


def monthly_report(forvaltningar: QuerySet[Forvaltning], month: date) -> list[ForvaltningMonth]:
    """One row per förvaltning in `forvaltningar` (a queryset), zeros included. Orders count
    by the day they were placed, approvals and rejections by the day of the decision,
    letters by the day they were made."""
    start, end = month_bounds(month)
    created = Q(created_at__gte=start, created_at__lt=end)
    decided = Q(decided_at__gte=start, decided_at__lt=end)
    approved = decided & ~Q(state=OrderState.REJECTED)
    orders = PukOrder.objects.filter(forvaltning__in=forvaltningar)
    letters_made = (
        Letter.objects.filter(order__forvaltning=OuterRef("pk"), created_at__gte=start, created_at__lt=end)
        .order_by()
        .values("order__forvaltning")
        .annotate(count=Count("pk"))
        .values("count")
    )

    price = letter_price()
    rows = {}
    for forvaltning in forvaltningar.annotate(letters_made=Coalesce(Subquery(letters_made), 0)):
        letters = forvaltning.letters_made
        rows[forvaltning.pk] = ForvaltningMonth(forvaltning, letters=letters, letter_cost=letters * price)
    counts = (
        orders.filter(created | decided)
        .values("forvaltning")
        .order_by()
        .annotate(
            orders=Count("pk", filter=created),
            approvals=Count("pk", filter=approved),
            rejections=Count("pk", filter=decided & Q(state=OrderState.REJECTED)),
        )
    )
    for count in counts:
        row = rows[count["forvaltning"]]
        row.orders, row.approvals, row.rejections = count["orders"], count["approvals"], count["rejections"]

    durations: dict[int, list[timedelta]] = {}
    for forvaltning_id, created_at, decided_at in orders.filter(approved).values_list(
        "forvaltning", "created_at", "decided_at"
    ):
        if decided_at is not None:  # always: `approved` asks for a decided_at in the month
            durations.setdefault(forvaltning_id, []).append(decided_at - created_at)
    for forvaltning_id, spans in durations.items():
        # statistics.median takes timedeltas (it adds and halves); typeshed allows numbers only.
        rows[forvaltning_id].median_time_to_approval = median(spans)  # type: ignore[type-var]
    return list(rows.values())


def totals(rows: list[ForvaltningMonth]) -> ForvaltningMonth:
    """The sums over `rows`; a median does not add up, so the total has none."""
    return ForvaltningMonth(
        forvaltning=None,
        orders=sum(row.orders for row in rows),
        approvals=sum(row.approvals for row in rows),
        rejections=sum(row.rejections for row in rows),
        letters=sum(row.letters for row in rows),
        letter_cost=sum((row.letter_cost for row in rows), Decimal(0)),
    )
