"""Celery beat schedules of the card stations; settings merges them with the others'."""

BEAT_SCHEDULE = {
    "desk-record-lapsed-tickets": {"task": "desk.tasks.record_lapsed_tickets", "schedule": 60.0},
}
