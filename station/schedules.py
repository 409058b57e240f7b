"""Celery beat schedules of the card stations; settings merges them with the orders'."""

BEAT_SCHEDULE = {
    "station-record-lapsed-tickets": {"task": "station.tasks.record_lapsed_tickets", "schedule": 60.0},
}
