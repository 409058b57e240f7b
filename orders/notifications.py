"""Emails about orders. They carry no address and no code, only what happened and a link."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from organisation.services import contact_person_emails

from .models import Notification, PukOrder


def send_order_receipt(order_id):
    order = _order(order_id)
    if order is not None:
        _send_once(order, Notification.Kind.RECEIPT, [order.holder.work_email], "email/order_receipt")


def notify_contact_persons_of_new_order(order_id):
    order = _order(order_id)
    if order is not None:
        recipients = contact_person_emails(order.forvaltning)
        _send_once(order, Notification.Kind.NEW_ORDER, recipients, "email/new_order_for_contact_person")


def notify_holder_of_decision(order_id):
    order = _order(order_id)
    if order is not None:
        _send_once(order, Notification.Kind.DECISION, [order.holder.work_email], "email/decision")


def _order(order_id):
    # A task may outlive its order's transaction being rolled back: nothing to say then.
    return PukOrder.objects.select_related("holder", "card__card_type", "forvaltning").filter(pk=order_id).first()


def _send_once(order, kind, recipients, template):
    for recipient in recipients:
        with transaction.atomic():
            notification, _ = Notification.objects.select_for_update().get_or_create(
                order=order, kind=kind, recipient=recipient
            )
            if notification.sent_at is not None:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                context = {"order": order, "order_url": settings.SITE_URL + _order_path(order, kind)}
                subject = render_to_string(f"{template}_subject.txt", context).strip()
                body = render_to_string(f"{template}.txt", context)
            send_mail(subject, body, None, [recipient])
            notification.sent_at = timezone.now()
            notification.save(update_fields=["sent_at"])


def _order_path(order, kind):
    if kind != Notification.Kind.NEW_ORDER:
        return reverse("orders:detail", args=[order.pk])
    return reverse("orders:queue_detail", args=[order.pk])
