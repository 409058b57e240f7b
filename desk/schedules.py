"""Celery beat schedules of the card stations; settings merges them with the others'."""

BEAT_SCHEDULE = {
    "desk-record-lapsed-tickets": {"task": "desk.tasks.record_lapsed_tickets", "schedule": 60.0},
    # Idempotent: each end is recorded once; the station API refused the right at once.
    "desk-end-expired-operator-rights": {"task": "desk.tasks.end_expired_operator_rights", "schedule": 60.0},
}
