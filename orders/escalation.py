"""Reminders for orders that wait too long for a decision.

An order waiting longer than its förvaltning's target (in working days) reminds the
contact persons; still waiting after one more target period, it reminds the substitutes
(ersättare). Each level happens once per order: an Escalation row is the proof.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record
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
    waiting = (
        PukOrder.objects.filter(state__in=AWAITING_DECISION)
        .select_related("forvaltning")
        .prefetch_related("escalations")
    )
    made = 0
    for order in waiting:
        waited = working_days_between(timezone.localdate(order.created_at), today)
        done = {escalation.level for escalation in order.escalations.all()}
        for level in due_levels(waited, order.forvaltning.approval_target_days):
            if level not in done and _escalate(order, level, waited):
                made += 1
    return made


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
