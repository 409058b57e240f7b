"""Celery beat schedules of the order workflow; settings sets CELERY_BEAT_SCHEDULE to this.
Importable from settings: no models here."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Idempotent: each escalation level happens once per order, so hourly is safe.
    "orders-escalate-overdue-orders": {
        "task": "orders.tasks.escalate_overdue_orders",
        "schedule": crontab(minute=5),
    },
    # Mail whose task was lost (a broker that was down) is enqueued again; sent mail is not.
    "orders-sweep-unsent-mail": {"task": "orders.tasks.sweep_unsent_mail", "schedule": 60.0},
    "orders-send-daily-digests": {
        "task": "orders.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon-fri"),
    },
    # The letter's journey: a lost letter task is enqueued again, batches go to the print
    # house by count or age, status files in the print house's inbox are applied, and
    # letter files nothing waits for any more are deleted.
    "orders-sweep-approved-orders": {"task": "orders.tasks.sweep_approved_orders", "schedule": 60.0},
    "orders-form-print-batch": {"task": "orders.tasks.form_print_batch", "schedule": 300.0},
    "orders-import-print-house-statuses": {"task": "orders.tasks.import_print_house_statuses", "schedule": 60.0},
    "orders-clean-print-spool": {"task": "orders.tasks.clean_print_spool", "schedule": 900.0},
}
