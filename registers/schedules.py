"""Celery beat schedules of the registers; settings merges them with the others'.
Importable from settings: no models here."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # After the card system's night export. Idempotent: a run with nothing changed writes
    # nothing but its own record; a broken export or one over the safety limit changes nothing.
    "registers-sync-cards": {
        "task": "registers.tasks.sync_register",
        "schedule": crontab(hour=5, minute=30),
        "args": ("cards",),
    },
    # Hourly; mails the administrators once per outage (recorded), not at every check.
    "registers-alert-overdue": {"task": "registers.tasks.alert_overdue_registers", "schedule": crontab(minute=15)},
}
