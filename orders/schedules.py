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
    # No order waits on a person who does not exist: a contact person who left (deactivated,
    # or whose assignment went without the service) sends the orders nobody else can
    # approve to the central queue. Idempotent: an order goes there once.
    "orders-route-waiting-orders": {"task": "orders.tasks.route_waiting_orders", "schedule": crontab(minute="*/15")},
    "orders-send-daily-digests": {
        "task": "orders.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon-fri"),
    },
}
