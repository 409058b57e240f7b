"""Carrying the retention policy out (gallring): `carry_out` is what beat runs every hour and
what `manage.py gallra` runs, for real or (`dry_run`) counting only.

Every kind is taken in bounded batches, each in its own transaction, the rows chosen again
inside it, so a run can stop anywhere and the next goes on; a row done is never due again,
so running twice does nothing twice. Orders and employees are pseudonymised, never deleted:
the monthly figures (orders.reports) count the same afterwards. The audit trail loses a
whole year at a time, by dropping its partition (PostgreSQL), never a row. A run that did
something is recorded: a RetentionRun row, and in the audit trail `retention_carried_out`
(and `audit_year_removed` for each year, in the transaction that drops it).
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit import partitions
from audit.actions import AuditAction
from audit.services import record
from desk.models import DeskVisit, PukTicket, UnblockAttempt
from orders.models import Letter, PukOrder
from organisation.models import Employee, User

from . import policy, selectors
from .models import RetentionRun
from .policy import Kind, Periods

# A pseudonymised employee is "Gallrad #<id>": distinct per person (the row's id), with the
# personnummer X<id>X, never a valid one and ending in a letter, so no search for digits finds it.
PSEUDONYM_FIRST_NAME = "Gallrad"


@dataclass
class Outcome:
    """One kind's part of a run: how many rows of each sort it removed or pseudonymised (in a
    dry run: would), whether it stopped at the run's batch limit, and a note."""

    kind: Kind
    counts: Counter[str] = field(default_factory=Counter)
    more: bool = False
    note: str = ""


@dataclass
class Report:
    now: datetime
    dry_run: bool
    periods: Periods
    outcomes: dict[Kind, Outcome]
    audit_years: list[int] = field(default_factory=list)
    run: RetentionRun | None = None

    def counts(self) -> dict[str, dict[str, int]]:
        return {kind.value: dict(outcome.counts) for kind, outcome in self.outcomes.items()}

    @property
    def anything(self) -> bool:
        return bool(self.audit_years) or any(sum(o.counts.values()) for o in self.outcomes.values())


def carry_out(
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    batch_size: int | None = None,
    max_batches: int | None = None,
) -> Report:
    """Removes or pseudonymises what is due at `now` (default: now), kind by kind, at most
    `max_batches` batches of `batch_size` rows per kind (the settings' by default)."""
    now = now or timezone.now()
    periods = selectors.periods()
    batches = _Batches(
        size=batch_size or settings.RSPORTAL_RETENTION_BATCH_SIZE,
        limit=max_batches or settings.RSPORTAL_RETENTION_MAX_BATCHES,
        dry_run=dry_run,
    )
    report = Report(now=now, dry_run=dry_run, periods=periods, outcomes={})
    for kind, step in _STEPS:
        outcome = Outcome(kind)
        step(outcome, now, periods, batches)
        report.outcomes[kind] = outcome
    _audit_trail(report)
    if not dry_run and report.anything:
        _record(report)
    return report


class _Batches:
    def __init__(self, *, size: int, limit: int, dry_run: bool) -> None:
        if size < 1 or limit < 1:
            raise ValueError("a batch holds at least one row, and a run takes at least one batch")
        self.size, self.limit, self.dry_run = size, limit, dry_run

    def run(
        self,
        outcome: Outcome,
        due: Callable[[], QuerySet[Any]],
        act: Callable[[QuerySet[Any]], Counter[str]],
        counted_as: str,
    ) -> None:
        """`act` on the rows `due()` returns, a batch at a time; in a dry run, count them."""
        if self.dry_run:
            outcome.counts[counted_as] += due().count()
            return
        for _ in range(self.limit):
            with transaction.atomic():
                ids = list(due().order_by("pk").values_list("pk", flat=True)[: self.size])
                if ids:
                    # Chosen again by the due query itself: a row another run took is not done twice.
                    outcome.counts.update(act(due().filter(pk__in=ids)))
            if len(ids) < self.size:
                return
        outcome.more = True


def _deleted(rows: QuerySet[Any], counted_as: str) -> Counter[str]:
    deleted, _ = rows.delete()
    return Counter({counted_as: deleted})


def _puk_records(outcome: Outcome, now: datetime, periods: Periods, batches: _Batches) -> None:
    batches.run(
        outcome, lambda: selectors.puk_records_due(now), lambda rows: _deleted(rows, "puk_records"), "puk_records"
    )


def _mail(outcome: Outcome, now: datetime, periods: Periods, batches: _Batches) -> None:
    batches.run(
        outcome,
        lambda: selectors.notifications_due(now, periods),
        lambda rows: _deleted(rows, "notifications"),
        "notifications",
    )
    batches.run(outcome, lambda: selectors.digests_due(now, periods), lambda rows: _deleted(rows, "digests"), "digests")


def _sessions(outcome: Outcome, now: datetime, periods: Periods, batches: _Batches) -> None:
    batches.run(outcome, lambda: selectors.sessions_due(now), lambda rows: _deleted(rows, "sessions"), "sessions")


def _desk(outcome: Outcome, now: datetime, periods: Periods, batches: _Batches) -> None:
    batches.run(outcome, lambda: selectors.desk_visits_due(now, periods), _delete_visits, "visits")
    if batches.dry_run:
        visits = selectors.desk_visits_due(now, periods)
        outcome.counts["unblock_attempts"] += UnblockAttempt.objects.filter(visit__in=visits).count()
        outcome.counts["puk_tickets"] += PukTicket.objects.filter(attempt__visit__in=visits).count()
    batches.run(
        outcome,
        lambda: selectors.desk_sessions_due(now, periods),
        lambda rows: _deleted(rows, "desk_logins"),
        "desk_logins",
    )
    batches.run(
        outcome,
        lambda: selectors.station_faults_due(now),
        lambda rows: _deleted(rows, "station_faults"),
        "station_faults",
    )


def _delete_visits(visits: QuerySet[DeskVisit]) -> Counter[str]:
    """A visit with its unblock attempts and their tickets (each protects the one before)."""
    ids = list(visits.values_list("pk", flat=True))
    tickets, _ = PukTicket.objects.filter(attempt__visit_id__in=ids).delete()
    attempts, _ = UnblockAttempt.objects.filter(visit_id__in=ids).delete()
    deleted, _ = DeskVisit.objects.filter(pk__in=ids).delete()
    return Counter({"visits": deleted, "unblock_attempts": attempts, "puk_tickets": tickets})


def _orders(outcome: Outcome, now: datetime, periods: Periods, batches: _Batches) -> None:
    batches.run(
        outcome, lambda: selectors.orders_due(now, periods), lambda rows: _pseudonymise_orders(rows, now), "orders"
    )
    if batches.dry_run:
        due = selectors.orders_due(now, periods)
        outcome.counts["letters"] += Letter.objects.filter(order__in=due).exclude(tracking_id="").count()
    left_open = selectors.orders_left_open(now, periods).count()
    if left_open:
        outcome.note = f"{left_open} open orders unchanged for longer than the period are left alone: close them"


def _pseudonymise_orders(orders: QuerySet[PukOrder], now: datetime) -> Counter[str]:
    """Empties what in an order tells about the person beyond the figures: the free texts
    (the holder's other reason, the contact person's reasons for a rejection), the words of
    a letter error, when the holder moved and why a second approval was asked for, and the
    letter's registered-mail tracking id. The förvaltning, the card and holder links, the
    reason and blocked codes as chosen, states, dates and letters stay: the monthly report
    counts them. `update` leaves updated_at (the closing) as it was."""
    ids = list(orders.values_list("pk", flat=True))
    # Through the due query: a run at the same time that did one already leaves it out here.
    done = orders.update(
        reason_text="",
        rejection_reason="",
        letter_error="",
        address_registered_since=None,
        second_approval_reasons=[],
        pseudonymised_at=now,
    )
    letters = Letter.objects.filter(order_id__in=ids).exclude(tracking_id="").update(tracking_id="")
    return Counter({"orders": done, "letters": letters})


def _employees(outcome: Outcome, now: datetime, periods: Periods, batches: _Batches) -> None:
    # In a dry run too, what the run would pseudonymise after the kinds before it: the due
    # query asks which records are kept at `now`, not whether the others are done yet.
    batches.run(
        outcome,
        lambda: selectors.employees_due(now, periods),
        lambda rows: _pseudonymise_employees(rows, now),
        "employees",
    )
    if batches.dry_run:
        outcome.counts["logins"] += User.objects.filter(employee__in=selectors.employees_due(now, periods)).count()


def _pseudonymise_employees(employees: QuerySet[Employee], now: datetime) -> Counter[str]:
    """Replaces name, personnummer, HSA-id and e-mail by a pseudonym; the row stays with its
    förvaltning, so the old orders still count where they did. A login of theirs (already
    deactivated: that is what makes a leaver) loses its name, e-mail and password too."""
    # Locked, and the due query asked again of the locked rows (PostgreSQL): one run at a time.
    rows = list(employees.select_related("user").select_for_update(of=("self",)))
    users: list[User] = []
    for employee in rows:
        employee.first_name = PSEUDONYM_FIRST_NAME
        employee.last_name = f"#{employee.pk}"
        employee.personnummer = f"X{employee.pk:010d}X"
        employee.hsa_id = f"gallrad-{employee.pk}"
        employee.work_email = ""
        employee.pseudonymised_at = now
        if employee.user is not None:
            user = employee.user
            user.username = f"gallrad-{user.pk}"
            user.first_name = user.last_name = user.email = ""
            user.password = make_password(None)
            users.append(user)
    fields = ["first_name", "last_name", "personnummer", "hsa_id", "work_email", "pseudonymised_at"]
    Employee.objects.bulk_update(rows, fields)
    User.objects.bulk_update(users, ["username", "first_name", "last_name", "email", "password"])
    return Counter({"employees": len(rows), "logins": len(users)})


def _audit_trail(report: Report) -> None:
    """Next year's partition made ahead; the whole years past the period dropped, each in a
    transaction with its record in the trail. Never a row changed or deleted."""
    outcome = report.outcomes[Kind.AUDIT] = Outcome(Kind.AUDIT)
    if not partitions.partitioned():
        outcome.note = f"not partitioned by year ({connection.vendor}): the trail is kept whole"
        return
    if not report.dry_run:
        for year in policy.audit_years_ahead(report.now):
            partitions.prepare_year(year)
    years = {partition.year: partition for partition in partitions.year_partitions()}
    due = policy.audit_years_due(years, now=report.now, periods=report.periods)
    outside = partitions.rows_in_default()
    if outside:
        outcome.note = f"{outside} events outside a year partition (the default one): kept"
    if report.dry_run:
        report.audit_years = due
        outcome.counts["events"] = sum(partitions.rows_in(years[year].name) for year in due)
        return
    for year in due:
        with transaction.atomic():
            rows = partitions.drop_year(year)
            record(
                AuditAction.AUDIT_YEAR_REMOVED,
                _run(report),
                year=year,
                events=rows,
                kept_years=report.periods.audit_years,
            )
        outcome.counts["events"] += rows
        report.audit_years.append(year)


def _run(report: Report) -> RetentionRun:
    if report.run is None:
        report.run = RetentionRun.objects.create()
    return report.run


def _record(report: Report) -> None:
    run = _run(report)
    run.counts = {kind: counts for kind, counts in report.counts().items() if any(counts.values())}
    run.audit_years_removed = report.audit_years
    run.save(update_fields=["counts", "audit_years_removed"])
    record(AuditAction.RETENTION_CARRIED_OUT, run, **run.counts, audit_years_removed=report.audit_years)


_Step = Callable[[Outcome, datetime, Periods, _Batches], None]
_STEPS: Sequence[tuple[Kind, _Step]] = [
    (Kind.PUK_RECORDS, _puk_records),
    (Kind.MAIL, _mail),
    (Kind.SESSIONS, _sessions),
    (Kind.DESK, _desk),
    (Kind.ORDERS, _orders),
    (Kind.EMPLOYEES, _employees),
]
