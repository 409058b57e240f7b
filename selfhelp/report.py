"""The self-help figures of the contact person's monthly report, per förvaltning: how
many employees read a guide, how many of them did without a new PUK letter afterwards
(selfhelp.rate defines the figure), and the feedback's answers. The report page shows them
with the {% self_help_figures %} tag, so orders, below selfhelp, imports none of this.
Five queries whatever the volume."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from orders.models import PukOrder
from orders.reports import month_bounds
from organisation.models import Forvaltning

from .rate import ORDER_WINDOW, SelfHelp, self_help
from .selectors import employee_reads, feedback_counts, kept_since, reads_without_login


@dataclass(frozen=True)
class SelfHelpRow:
    forvaltning: Forvaltning | None  # None: the total
    self_help: SelfHelp
    helpful: int = 0  # feedback answered "yes, it helped"
    not_helpful: int = 0


@dataclass(frozen=True)
class SelfHelpMonth:
    kept: bool  # False: the month is past the retention period, its reads are deleted
    final: bool  # False: an order can still come within the window after a read of the month
    rows: list[SelfHelpRow]
    total: SelfHelpRow
    reads_without_login: int = 0  # in the whole region


def self_help_month(forvaltningar: QuerySet[Forvaltning], month: date, *, now: datetime | None = None) -> SelfHelpMonth:
    """The figures of `month` for each of `forvaltningar`, zeros included."""
    now = now or timezone.now()
    start, end = month_bounds(month)
    final = now >= end + ORDER_WINDOW
    if month.replace(day=1) < kept_since(timezone.localdate(now)):
        return SelfHelpMonth(kept=False, final=final, rows=[], total=SelfHelpRow(None, SelfHelp()))

    reads = employee_reads(forvaltningar, start, end)
    reads_by_forvaltning: defaultdict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for forvaltning_id, employee_id, read_at in reads.values_list("forvaltning", "employee", "read_at"):
        reads_by_forvaltning[forvaltning_id].append((employee_id, read_at))
    # Each reader's orders, whoever placed them, up to the window after the month's last read.
    orders = list(
        PukOrder.objects.filter(
            holder__in=reads.values("employee"), created_at__gte=start, created_at__lt=end + ORDER_WINDOW
        ).values_list("holder", "created_at")
    )
    feedback = feedback_counts(forvaltningar, start, end)

    rows = []
    for forvaltning in forvaltningar.order_by("name"):
        helpful, not_helpful = feedback.get(forvaltning.pk, (0, 0))
        figure = self_help(reads_by_forvaltning.get(forvaltning.pk, []), orders)
        rows.append(SelfHelpRow(forvaltning, figure, helpful, not_helpful))
    total = SelfHelpRow(
        None,
        sum((row.self_help for row in rows), SelfHelp()),
        sum(row.helpful for row in rows),
        sum(row.not_helpful for row in rows),
    )
    return SelfHelpMonth(
        kept=True, final=final, rows=rows, total=total, reads_without_login=reads_without_login(start, end)
    )
