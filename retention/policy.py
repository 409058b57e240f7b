"""The retention policy (gallringsregler), as pure functions: given a record's dates and
`now`, is it due? No Django and no database here; retention.selectors asks the same
questions of the database with the same cut-offs, and docs/retention.md says them in words.

Each kind of record and what happens to it when it is due:

- PUK records (the encrypted PUK of a card): deleted as soon as the card cannot use them,
  revoked or past its last valid day.
- Mail notifications and daily digests: deleted after the mail period (90 days).
- Login sessions: deleted once expired.
- Desk visits with their unblock attempts and PUK tickets, and the operators' desk logins:
  deleted after the desk period (2 years). The desk report counts the audit trail, not them.
- The stations' fault log: deleted after RSPORTAL_RETENTION_STATION_FAULT_DAYS (90).
- Orders: pseudonymised after the order period (2 years) from their closing (the last change
  of an order in a final state): the free text and the holder's address facts are emptied;
  what the monthly figures count stays. An order still open is never due.
- Employees: pseudonymised once nothing kept needs them (a leaver, no usable card, no order
  or desk visit left in its period).
- The audit trail: a whole UTC year is dropped once its last day is older than the audit
  period (10 years); never a single row.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

# orders.mail_sweep sends again the mail of the last day that did not go, so a notification
# must be kept longer than that, or it would be mailed twice.
MAIL_SWEEP_WINDOW = timedelta(days=1)


class Kind(StrEnum):
    """The kinds of record, in the order a run takes them: the employees come after every
    record that may keep them, the audit trail last."""

    PUK_RECORDS = "puk_records"
    MAIL = "mail"
    SESSIONS = "sessions"
    DESK = "desk"
    ORDERS = "orders"
    EMPLOYEES = "employees"
    AUDIT = "audit"


@dataclass(frozen=True)
class Periods:
    """How long each kind is kept (the settings RSPORTAL_RETENTION_*)."""

    orders: timedelta
    mail: timedelta
    desk: timedelta
    audit_years: int

    def __post_init__(self) -> None:
        for name in ("orders", "desk"):
            if getattr(self, name) <= timedelta(0):
                raise ValueError(f"the retention period of {name} must be positive")
        if self.mail < 2 * MAIL_SWEEP_WINDOW:
            raise ValueError("mail must be kept at least two days: the mail sweep looks one day back")
        if self.audit_years < 1:
            raise ValueError("the audit trail must be kept at least one year")

    @classmethod
    def of_days(cls, *, orders: int, mail: int, desk: int, audit_years: int) -> "Periods":
        return cls(
            orders=timedelta(days=orders), mail=timedelta(days=mail), desk=timedelta(days=desk), audit_years=audit_years
        )


def cutoff(now: datetime, period: timedelta) -> datetime:
    """What happened before this is past the period."""
    return now - period


def puk_record_is_due(*, revoked: bool, valid_to: date, today: date) -> bool:
    """The card can no longer use its PUK: revoked, or its last valid day has passed."""
    return revoked or valid_to < today


def notification_is_due(
    *, sent_at: datetime | None, order_placed_at: datetime, now: datetime, periods: Periods
) -> bool:
    """A mail about an order, from when it was sent (one never sent: from the order)."""
    return (sent_at or order_placed_at) < cutoff(now, periods.mail)


def digest_is_due(*, day: date, today: date, periods: Periods) -> bool:
    """A daily digest's record, by its day."""
    return day < today - periods.mail


def session_is_due(*, expires_at: datetime, now: datetime) -> bool:
    return expires_at < now


def desk_record_is_due(*, started_at: datetime, now: datetime, periods: Periods) -> bool:
    """A desk visit (with its unblock attempts and tickets) or an operator's desk login."""
    return started_at < cutoff(now, periods.desk)


def station_fault_is_due(*, occurred_at: datetime, now: datetime, fault_days: int) -> bool:
    """A station's fault (its health log, desk.StationFault): technical words, no person;
    kept a while for support to see a pattern."""
    return occurred_at < cutoff(now, timedelta(days=fault_days))


def order_is_due(*, closed: bool, last_changed: datetime, now: datetime, periods: Periods) -> bool:
    """An order in a final state, unchanged since longer than the period. An open order is
    still being worked on, however old."""
    return closed and last_changed < cutoff(now, periods.orders)


def employee_is_due(*, login_in_use: bool, usable_card: bool, kept_records: bool) -> bool:
    """Nothing kept needs the person: no login in use (a leaver's is deactivated), no card
    that can still be used, and no order, desk visit or act of theirs left in its period."""
    return not (login_in_use or usable_card or kept_records)


def audit_year_is_due(year: int, *, now: datetime, periods: Periods) -> bool:
    """The whole UTC year is older than the period: its last moment too."""
    return datetime(year + 1 + periods.audit_years, 1, 1, tzinfo=UTC) <= now


def audit_years_due(years: Iterable[int], *, now: datetime, periods: Periods) -> list[int]:
    return sorted(year for year in years if audit_year_is_due(year, now=now, periods=periods))


def audit_years_ahead(now: datetime) -> list[int]:
    """The years the audit trail needs a partition for now: this UTC year and the next."""
    year = now.astimezone(UTC).year
    return [year, year + 1]
