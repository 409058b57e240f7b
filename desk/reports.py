"""The report per station and operator per day, counted from the audit trail."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from audit.actions import AuditAction
from audit.models import AuditEvent

COLUMNS = [
    ("read", _("Avlästa kort")),
    ("id", _("ID-kontroller")),
    ("unblocked", _("Upplåsta")),
    ("failed", _("Misslyckade upplåsningar")),
    ("assisted", _("Assisterade (PUK-biljetter använda)")),
    ("refused", _("Nekade (biljett, ID-kontroll, gräns)")),
    ("pin_changes", _("Ändrade PIN-koder")),
    ("orders", _("Beställningar stängda")),
]
# Keyed by str: an AuditAction is one, and the report looks events' actions up as read.
_BY_ACTION: dict[str, str] = {
    AuditAction.DESK_CARD_READ: "read",
    AuditAction.DESK_ID_CHECKED: "id",
    AuditAction.DESK_TICKET_USED: "assisted",
    AuditAction.DESK_TICKET_REFUSED: "refused",
    AuditAction.DESK_TICKET_EXPIRED: "refused",
    AuditAction.DESK_REFUSED: "refused",
    AuditAction.DESK_LIMIT_REACHED: "refused",
    AuditAction.ORDER_HANDLED_AT_DESK: "orders",
}
ACTIONS = {*_BY_ACTION, AuditAction.DESK_UNBLOCK_OUTCOME, AuditAction.DESK_PIN_CHANGED}


@dataclass
class Row:
    day: date
    station: str
    operator: str
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def cells(self) -> list[int]:
        return [self.counts[key] for key, _ in COLUMNS]

    def labelled_cells(self) -> list[tuple[str, int]]:
        """Each count with its column's heading (in the active language)."""
        return [(str(heading), self.counts[key]) for key, heading in COLUMNS]


def column_for(action: str, result: str | None) -> str | None:
    """Pure: the column one audit event counts in."""
    if action == AuditAction.DESK_UNBLOCK_OUTCOME:
        return "unblocked" if result == "done" else "failed"
    if action == AuditAction.DESK_PIN_CHANGED:
        return "pin_changes" if result == "done" else None
    return _BY_ACTION.get(action)


def pivot(groups: Iterable[tuple[date, str, str, str, str | None, int]]) -> list[Row]:
    """Pure: (day, station, operator, action, result, n) groups into one row per day, station, operator."""
    rows: dict[tuple[date, str, str], Row] = {}
    for day, station, operator, action, result, n in groups:
        key = column_for(action, result)
        if key is None:
            continue
        row = rows.setdefault((day, station, operator), Row(day, station, operator))
        row.counts[key] += n
    return sorted(rows.values(), key=lambda r: (-r.day.toordinal(), r.station, r.operator))


def daily_report(first: date, last: date) -> list[Row]:
    groups = (
        AuditEvent.objects.filter(action__in=ACTIONS, at__date__gte=first, at__date__lte=last)
        .annotate(day=TruncDate("at"), station=KT("data__station"), result=KT("data__result"))
        .values_list("day", "station", "actor_label", "action", "result")
        .annotate(n=Count("id"))
        .order_by()
    )
    return pivot(groups)
