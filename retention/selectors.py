"""What is due, per kind of record: the policy's questions (retention.policy) asked of the
database, with the same cut-offs. Each returns a queryset of the rows due at `now`; the
service takes them in batches and the dry run counts them."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from cards.models import Card, PukRecord
from desk.models import DeskSession, DeskVisit, PukTicket, StationFault, UnblockAttempt
from orders.models import DigestSent, Notification, PukOrder
from orders.states import OPEN_STATES
from organisation.models import Employee

from .policy import Periods, cutoff

# The session engines that keep sessions in the database's table.
_DATABASE_SESSIONS = {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"}


def periods() -> Periods:
    """The periods the settings give (RSPORTAL_RETENTION_*, docs/retention.md)."""
    return Periods.of_days(
        orders=settings.RSPORTAL_RETENTION_ORDER_DAYS,
        mail=settings.RSPORTAL_RETENTION_MAIL_DAYS,
        desk=settings.RSPORTAL_RETENTION_DESK_DAYS,
        audit_years=settings.RSPORTAL_RETENTION_AUDIT_YEARS,
    )


def puk_records_due(now: datetime) -> QuerySet[PukRecord]:
    """policy.puk_record_is_due: the card revoked, or its last valid day passed."""
    today = timezone.localdate(now)
    return PukRecord.objects.filter(Q(card__status=Card.Status.REVOKED) | Q(card__valid_to__lt=today))


def notifications_due(now: datetime, periods: Periods) -> QuerySet[Notification]:
    """policy.notification_is_due."""
    before = cutoff(now, periods.mail)
    return Notification.objects.filter(Q(sent_at__lt=before) | Q(sent_at__isnull=True, order__created_at__lt=before))


def digests_due(now: datetime, periods: Periods) -> QuerySet[DigestSent]:
    """policy.digest_is_due."""
    return DigestSent.objects.filter(date__lt=timezone.localdate(now) - periods.mail)


def sessions_due(now: datetime) -> QuerySet[Session]:
    """policy.session_is_due; none where the sessions are not kept in the database."""
    if settings.SESSION_ENGINE not in _DATABASE_SESSIONS:
        return Session.objects.none()
    return Session.objects.filter(expire_date__lt=now)


def desk_visits_due(now: datetime, periods: Periods) -> QuerySet[DeskVisit]:
    """policy.desk_record_is_due, by when the ID check was made."""
    return DeskVisit.objects.filter(started_at__lt=cutoff(now, periods.desk))


def desk_sessions_due(now: datetime, periods: Periods) -> QuerySet[DeskSession]:
    """policy.desk_record_is_due, by when the operator logged in (a desk login lasts hours)."""
    return DeskSession.objects.filter(started_at__lt=cutoff(now, periods.desk))


def station_faults_due(now: datetime) -> QuerySet[StationFault]:
    """policy.station_fault_is_due, with RSPORTAL_RETENTION_STATION_FAULT_DAYS (at least one day)."""
    days = max(1, settings.RSPORTAL_RETENTION_STATION_FAULT_DAYS)
    return StationFault.objects.filter(occurred_at__lt=cutoff(now, timedelta(days=days)))


def orders_due(now: datetime, periods: Periods) -> QuerySet[PukOrder]:
    """policy.order_is_due, not yet pseudonymised. An order in a final state is not changed
    again, so its last change (updated_at) is its closing."""
    return PukOrder.objects.filter(pseudonymised_at__isnull=True, updated_at__lt=cutoff(now, periods.orders)).exclude(
        state__in=OPEN_STATES
    )


def orders_left_open(now: datetime, periods: Periods) -> QuerySet[PukOrder]:
    """Open orders unchanged for longer than the order period: never due (an open order is
    worked on), shown by the dry run so that someone closes them."""
    return PukOrder.objects.filter(state__in=OPEN_STATES, updated_at__lt=cutoff(now, periods.orders))


def employees_due(now: datetime, periods: Periods) -> QuerySet[Employee]:
    """policy.employee_is_due, not yet pseudonymised: no login in use, no usable card, and
    nothing kept of theirs: no order of theirs, nor one they placed or decided, that is open
    or in its period, and no desk visit to their cards, or by them as operator, in its period."""
    today = timezone.localdate(now)
    desk_since = cutoff(now, periods.desk)
    kept_orders = PukOrder.objects.filter(Q(state__in=OPEN_STATES) | Q(updated_at__gte=cutoff(now, periods.orders)))
    kept_visits = DeskVisit.objects.filter(started_at__gte=desk_since)
    holder, user = OuterRef("pk"), OuterRef("user")
    return (
        Employee.objects.filter(pseudonymised_at__isnull=True)
        .filter(Q(user__isnull=True) | Q(user__is_active=False))
        .exclude(Exists(Card.objects.filter(holder=holder, status=Card.Status.ACTIVE, valid_to__gte=today)))
        .exclude(Exists(kept_orders.filter(holder=holder)))
        .exclude(Exists(kept_visits.filter(card__holder=holder)))
        .exclude(Exists(kept_orders.filter(Q(placed_by=user) | Q(first_approved_by=user) | Q(decided_by=user))))
        .exclude(Exists(kept_visits.filter(operator=user)))
        .exclude(Exists(UnblockAttempt.objects.filter(visit__started_at__gte=desk_since, second_operator=user)))
        .exclude(Exists(PukTicket.objects.filter(attempt__visit__started_at__gte=desk_since, operator=user)))
        .exclude(Exists(DeskSession.objects.filter(started_at__gte=desk_since, operator=user)))
    )
