"""Celery beat schedule of the self-help; settings merges it with the others'.
Importable from settings: no models here."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Idempotent: what is past the retention period is deleted, whenever it runs.
    "selfhelp-forget-old-guide-rows": {
        "task": "selfhelp.tasks.forget_old_guide_rows",
        "schedule": crontab(hour=3, minute=30),
    },
}
