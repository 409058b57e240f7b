from celery import shared_task

from . import notifications


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_order_receipt(order_id):
    notifications.send_order_receipt(order_id)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_contact_persons_of_new_order(order_id):
    notifications.notify_contact_persons_of_new_order(order_id)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_holder_of_decision(order_id):
    notifications.notify_holder_of_decision(order_id)
