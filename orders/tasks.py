"""The order's Celery tasks: mail about orders, reminders and the sweep of lost mail.

Each is idempotent (safe to run twice), acknowledged only when done (late acks: a worker
killed mid-task leaves the message for another), and enqueued only after the transaction
that asked for it has committed (rsportal.queueing). Tasks call services; services name
tasks, never import them.
"""

from typing import Any

from celery import shared_task
from django.utils import timezone

from . import escalation, mail_sweep, notifications, services

_MAIL_TASK: dict[str, Any] = {"acks_late": True, "autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**_MAIL_TASK)
def send_order_receipt(order_id: int) -> None:
    notifications.send_order_receipt(order_id)


@shared_task(**_MAIL_TASK)
def notify_contact_persons_of_new_order(order_id: int) -> None:
    notifications.notify_contact_persons_of_new_order(order_id)


@shared_task(**_MAIL_TASK)
def notify_contact_persons_of_cancellation(order_id: int, reason: str) -> None:
    notifications.notify_contact_persons_of_cancellation(order_id, reason)


@shared_task(**_MAIL_TASK)
def notify_holder_of_decision(order_id: int) -> None:
    notifications.notify_holder_of_decision(order_id)


@shared_task(**_MAIL_TASK)
def send_escalation(escalation_id: int) -> None:
    notifications.send_escalation(escalation_id)


@shared_task(acks_late=True)
def escalate_overdue_orders() -> int:
    return escalation.escalate_overdue_orders()


@shared_task(**_MAIL_TASK)
def send_daily_digests() -> None:
    """Beat, once a day. Sent digests are skipped, so a retry after a failed mail is safe."""
    today = timezone.localdate()
    for user_id in notifications.digest_recipient_ids():
        notifications.send_daily_digest(user_id, today)


@shared_task(acks_late=True)
def sweep_unsent_mail() -> int:
    return mail_sweep.sweep_unsent_mail()


@shared_task(acks_late=True)
def route_waiting_orders(forvaltning_id: int | None = None) -> int:
    """After an assignment was removed (one förvaltning) and from beat (all): the waiting
    orders that nobody left in their förvaltning can approve go to the central queue."""
    return services.route_waiting_orders(forvaltning_id)
