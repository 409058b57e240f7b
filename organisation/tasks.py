"""Organisation tasks: end the contact-person assignments whose period has passed."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def end_expired_rights() -> int:
    return len(services.end_expired_rights())
