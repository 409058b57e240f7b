"""The letter's Celery tasks. Like every task here: idempotent, late-acknowledged, and
enqueued by name after commit (rsportal.queueing)."""

from celery import shared_task

from . import services, status

LETTER_RETRIES = 5


@shared_task(bind=True, acks_late=True, max_retries=LETTER_RETRIES)
def produce_letter(self, order_id: int) -> None:
    """Every failure is tried again with a growing wait; after the last attempt the order
    is `failed`, with the error in words and a retry button."""
    countdown = services.attempt_letter(order_id, max_attempts=self.max_retries + 1)
    if countdown is not None:
        raise self.retry(countdown=countdown)  # no exc=: its text would go to the log


@shared_task(acks_late=True)
def sweep_approved_orders() -> int:
    return services.sweep_approved_orders()


@shared_task(acks_late=True)
def form_print_batch() -> list[str]:
    return services.form_print_batch()


@shared_task(acks_late=True)
def clean_print_spool() -> int:
    return services.clean_print_spool()


@shared_task(acks_late=True)
def import_print_house_statuses() -> int:
    return status.import_inbox()
