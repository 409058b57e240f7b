"""Celery tasks. Each is idempotent (safe to run twice), acknowledged only when done
(late acks: a worker killed mid-task leaves the message for another), and enqueued only
after the transaction that asked for it has committed. Modules that enqueue tasks are
imported inside the task that calls them, not at load."""

from celery import shared_task
from django.utils import timezone

from . import notifications

LETTER_RETRIES = 5

_MAIL_TASK = {"acks_late": True, "autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**_MAIL_TASK)
def send_order_receipt(order_id):
    notifications.send_order_receipt(order_id)


@shared_task(**_MAIL_TASK)
def notify_contact_persons_of_new_order(order_id):
    notifications.notify_contact_persons_of_new_order(order_id)


@shared_task(**_MAIL_TASK)
def notify_holder_of_decision(order_id):
    notifications.notify_holder_of_decision(order_id)


@shared_task(**_MAIL_TASK)
def send_escalation(escalation_id):
    notifications.send_escalation(escalation_id)


@shared_task(acks_late=True)
def escalate_overdue_orders():
    from .escalation import escalate_overdue_orders as escalate  # escalation enqueues tasks from here

    return escalate()


@shared_task(**_MAIL_TASK)
def send_daily_digests():
    """Beat, once a day. Sent digests are skipped, so a retry after a failed mail is safe."""
    today = timezone.localdate()
    for user_id in notifications.digest_recipient_ids():
        notifications.send_daily_digest(user_id, today)


@shared_task(bind=True, acks_late=True, max_retries=LETTER_RETRIES)
def produce_letter(self, order_id):
    """Every failure is tried again with a growing wait; after the last attempt the order
    is `failed`, with the error in words and a retry button."""
    from . import letters

    countdown = letters.attempt_letter(order_id, max_attempts=self.max_retries + 1)
    if countdown is not None:
        raise self.retry(countdown=countdown)  # no exc=: its text would go to the log


@shared_task(acks_late=True)
def sweep_unsent_mail():
    from . import mail_sweep

    return mail_sweep.sweep_unsent_mail()


@shared_task(acks_late=True)
def sweep_approved_orders():
    from . import letters

    return letters.sweep_approved_orders()


@shared_task(acks_late=True)
def form_print_batch():
    from . import letters

    return letters.form_print_batch()


@shared_task(acks_late=True)
def clean_print_spool():
    from . import letters

    return letters.clean_print_spool()


@shared_task(acks_late=True)
def import_print_house_statuses():
    from . import print_house_status

    return print_house_status.import_inbox()
