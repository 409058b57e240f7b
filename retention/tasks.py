"""Retention's one task: carry the policy out (retention.services.carry_out)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def carry_out_retention() -> dict[str, dict[str, int]]:
    return services.carry_out().counts()
