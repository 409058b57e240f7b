"""Celery beat schedules of the organisation; settings merges them with the others'.
Importable from settings: no models here."""

BEAT_SCHEDULE = {
    # Idempotent: an assignment's end is recorded once. The permission checks stop a right
    # the moment its period ends; this only takes the permissions away and records it.
    "organisation-end-expired-rights": {"task": "organisation.tasks.end_expired_rights", "schedule": 60.0},
}
