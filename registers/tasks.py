"""Register tasks: the nightly sync of each register, and the alert when one has not
succeeded for too long (beat)."""

from celery import shared_task

from . import mirror, services


@shared_task(acks_late=True)
def sync_register(register: str) -> str:
    return services.sync(register).outcome


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def alert_overdue_registers() -> list[str]:
    return mirror.alert_overdue_registers()
