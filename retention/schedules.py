"""Celery beat schedule of retention; settings merges it with the others'.
Importable from settings: no models here."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Idempotent, in bounded batches: what is past its period is removed or pseudonymised,
    # whenever it runs; a backlog (the first run on years of records) goes on the next hour.
    "retention-carry-out": {"task": "retention.tasks.carry_out_retention", "schedule": crontab(minute=45)},
}
