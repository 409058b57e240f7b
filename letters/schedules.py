"""Celery beat schedules of the letter's journey; settings merges them into
CELERY_BEAT_SCHEDULE. Importable from settings: no models here."""

BEAT_SCHEDULE = {
    # A lost letter task is enqueued again, batches go to the print
    # house by count or age, status files in the print house's inbox are applied, and
    # letter files nothing waits for any more are deleted.
    "letters-sweep-approved-orders": {"task": "letters.tasks.sweep_approved_orders", "schedule": 60.0},
    "letters-form-print-batch": {"task": "letters.tasks.form_print_batch", "schedule": 300.0},
    "letters-import-print-house-statuses": {"task": "letters.tasks.import_print_house_statuses", "schedule": 60.0},
    "letters-clean-print-spool": {"task": "letters.tasks.clean_print_spool", "schedule": 900.0},
}
