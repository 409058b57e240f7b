"""The self-help's one task: forget guide reads and feedback past the retention period."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def forget_old_guide_rows() -> int:
    return services.forget_old_rows()
