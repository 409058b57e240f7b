"""The report per station and operator per day, counted from the audit trail."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

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
_BY_ACTION = {
    "desk_card_read": "read",
    "desk_id_checked": "id",
    "desk_ticket_used": "assisted",
    "desk_ticket_refused": "refused",
    "desk_ticket_expired": "refused",
    "desk_refused": "refused",
    "desk_limit_reached": "refused",
    "order_handled_at_desk": "orders",
}
ACTIONS = {*_BY_ACTION, "desk_unblock_outcome", "desk_pin_changed"}


@dataclass
class Row:
    day: date
    station: str
    operator: str
    counts: dict = field(default_factory=lambda: defaultdict(int))

    def cells(self):
        return [self.counts[key] for key, _ in COLUMNS]


def column_for(action: str, result: str | None) -> str | None:
    """Pure: the column one audit event counts in."""
    if action == "desk_unblock_outcome":
        return "unblocked" if result == "done" else "failed"
    if action == "desk_pin_changed":
        return "pin_changes" if result == "done" else None
    return _BY_ACTION.get(action)


def pivot(groups) -> list[Row]:
    """Pure: (day, station, operator, action, result, n) groups into one row per day, station, operator."""
    rows = {}
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
