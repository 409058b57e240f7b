"""Reminders for orders that wait too long for a decision.

An order waiting longer than its förvaltning's target (in working days) reminds the
contact persons; still waiting after one more target period, it reminds the substitutes
(ersättare). Each level happens once per order: an Escalation row is the proof.
"""

from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, Min, OuterRef, QuerySet
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record
from organisation.models import Forvaltning
from rsportal.queueing import enqueue_on_commit

from .models import Escalation, PukOrder
from .states import AWAITING_DECISION
from .working_days import working_days_between

AUDIT_ACTIONS = {
    Escalation.Level.CONTACT_PERSONS: AuditAction.ORDER_REMINDER_SENT,
    Escalation.Level.SUBSTITUTES: AuditAction.ORDER_ESCALATED_TO_SUBSTITUTES,
}


def due_levels(waited_working_days: int, target_days: int) -> list[Escalation.Level]:
    """The levels whose threshold `waited_working_days` has passed: level n after n targets."""
    return [level for level in Escalation.Level if waited_working_days > level * target_days]


def escalate_overdue_orders(today=None):
    """Escalate every waiting order that is due; returns how many escalations were made."""
    today = today or timezone.localdate()
    made = 0
    for order in orders_that_may_be_due(today):
        waited = working_days_between(timezone.localdate(order.created_at), today)
        done = {escalation.level for escalation in order.escalations.all()}
        for level in due_levels(waited, order.forvaltning.approval_target_days):
            if level not in done and _escalate(order, level, waited):
                made += 1
    return made


def orders_that_may_be_due(today: date) -> QuerySet[PukOrder]:
    """The waiting orders that may have a level due, not every waiting order (at a million
    orders the hourly run read twelve thousand): those not yet at the last level, placed
    before today minus the shortest target. More working days waited than the target
    means more calendar days too."""
    shortest_target = Forvaltning.objects.aggregate(days=Min("approval_target_days"))["days"]
    if shortest_target is None:
        return PukOrder.objects.none()
    placed_before = timezone.make_aware(datetime.combine(today - timedelta(days=shortest_target), time.min))
    at_last_level = Escalation.objects.filter(order=OuterRef("pk"), level=max(Escalation.Level))
    return (
        PukOrder.objects.filter(state__in=AWAITING_DECISION, created_at__lt=placed_before)
        .exclude(Exists(at_last_level))
        .select_related("forvaltning")
        .prefetch_related("escalations")
    )


def _escalate(order, level, waited):
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(order=order, level=level)
            record(
                AUDIT_ACTIONS[level],
                order,
                working_days_waited=waited,
                target_days=order.forvaltning.approval_target_days,
            )
            # robust: a broker that is down must not stop the other escalations of this run;
            # orders.mail_sweep enqueues the reminder once it is back.
            enqueue_on_commit("orders.tasks.send_escalation", escalation.pk)
    except IntegrityError:
        return False  # a concurrent run escalated it first
    return True
