"""Reads of the self-help rows, for the monthly report (orders.reports) and retention."""

from datetime import date, datetime

from django.db.models import Count, Q, QuerySet

from organisation.models import Forvaltning

from .models import GuideFeedback, GuideRead

# Guide reads and feedback are kept for the current month and the twelve before it, so
# the report can set a month beside the same month a year before; then beat deletes them.
RETENTION_MONTHS = 13


def kept_since(today: date) -> date:
    """The first day of the oldest month whose reads and feedback are still kept."""
    months = today.year * 12 + today.month - 1 - (RETENTION_MONTHS - 1)
    return date(months // 12, months % 12 + 1, 1)


def employee_reads(forvaltningar: QuerySet[Forvaltning], start: datetime, end: datetime) -> QuerySet[GuideRead]:
    """The reads in [start, end) of employees who were logged in, counted in `forvaltningar`."""
    return GuideRead.objects.filter(
        forvaltning__in=forvaltningar, employee__isnull=False, read_at__gte=start, read_at__lt=end
    )


def reads_without_login(start: datetime, end: datetime) -> int:
    """The reads in [start, end) by someone not logged in as an employee, in the whole region."""
    return GuideRead.objects.filter(employee__isnull=True, read_at__gte=start, read_at__lt=end).count()


def feedback_counts(forvaltningar: QuerySet[Forvaltning], start: datetime, end: datetime) -> dict[int, tuple[int, int]]:
    """{förvaltning id: (answers "yes, it helped", answers "no")} for the feedback given in
    [start, end) by employees of `forvaltningar`."""
    counts = (
        GuideFeedback.objects.filter(forvaltning__in=forvaltningar, created_at__gte=start, created_at__lt=end)
        .values("forvaltning")
        .order_by()
        .annotate(yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False)))
    )
    return {count["forvaltning"]: (count["yes"], count["no"]) for count in counts}
