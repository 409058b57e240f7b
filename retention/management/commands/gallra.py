"""manage.py gallra [--dry-run [--as-of DAY]]: carry the retention policy out now, as beat
does every hour, or only say what it would remove or pseudonymise, per kind, now or on a
day to come (docs/retention.md)."""

from datetime import date, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from retention import services
from retention.policy import Kind
from retention.services import Report

_WHAT = {
    Kind.PUK_RECORDS: "PUK records of revoked or expired cards (deleted at once)",
    Kind.MAIL: "mail notifications and daily digests older than {mail} days (deleted)",
    Kind.SESSIONS: "login sessions that expired (deleted)",
    Kind.DESK: "desk visits and desk logins older than {desk} days (deleted, with unblock attempts and PUK tickets)",
    Kind.ORDERS: "orders closed more than {orders} days ago (pseudonymised; the figures stay)",
    Kind.EMPLOYEES: "employees nothing kept needs any more (pseudonymised, with their deactivated login)",
    Kind.AUDIT: "audit trail: whole years older than {audit_years} years (the year's partition dropped)",
}


class Command(BaseCommand):
    help = "Retention (gallring): remove or pseudonymise what is past its period; --dry-run only counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="change nothing: print what a run would do")
        parser.add_argument("--batch-size", type=int, help="rows per batch (RSPORTAL_RETENTION_BATCH_SIZE)")
        parser.add_argument("--max-batches", type=int, help="batches per kind (RSPORTAL_RETENTION_MAX_BATCHES)")
        parser.add_argument(
            "--as-of", type=date.fromisoformat, metavar="YYYY-MM-DD", help="with --dry-run: as at the start of that day"
        )

    def handle(
        self,
        *args: Any,
        dry_run: bool,
        batch_size: int | None,
        max_batches: int | None,
        as_of: date | None,
        **options: Any,
    ) -> None:
        if as_of is not None and not dry_run:
            raise CommandError("--as-of only with --dry-run: a run removes what is due now, never what will be")
        now = timezone.make_aware(datetime.combine(as_of, time())) if as_of else None
        report = services.carry_out(now=now, dry_run=dry_run, batch_size=batch_size, max_batches=max_batches)
        self.stdout.write("\n".join(lines(report)))


def lines(report: Report) -> list[str]:
    periods = report.periods
    words = {
        "orders": periods.orders.days,
        "mail": periods.mail.days,
        "desk": periods.desk.days,
        "audit_years": periods.audit_years,
    }
    at = timezone.localtime(report.now)
    head = "dry run, nothing changed: would remove or pseudonymise" if report.dry_run else "removed or pseudonymised"
    out = [f"Retention (gallring) at {at:%Y-%m-%d %H:%M %Z}, {head}:"]
    for kind, outcome in report.outcomes.items():
        counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in outcome.counts.items()) or "nothing"
        if kind is Kind.AUDIT:
            counts = (", ".join(str(y) for y in report.audit_years) or "no year") + f" ({counts})"
        out.append(f"  {kind.value}: {_WHAT[kind].format(**words)}: {counts}")
        if outcome.more:
            out.append("    stopped at the batch limit: the next run goes on")
        if outcome.note:
            out.append(f"    {outcome.note}")
    return out
