"""Emails about orders. They carry no address and no code, only what happened and a link."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from organisation.models import ContactPersonAssignment
from organisation.permissions import central_administrators
from organisation.services import contact_person_emails

from .models import DigestSent, Escalation, Notification, PukOrder
from .outlook import outlook_for
from .selectors import queue_rows
from .states import AWAITING_DECISION, NEEDS_ACTION, OrderState

Role = ContactPersonAssignment.Role
EmailPreference = ContactPersonAssignment.EmailPreference

_CONTACT_PERSON_KINDS = {
    Notification.Kind.NEW_ORDER,
    Notification.Kind.REMINDER,
    Notification.Kind.ESCALATION,
    Notification.Kind.HOLDER_LEFT,
}
# Who an escalation level reminds, as which kind of notification, with which template.
ESCALATION_MAIL: dict[int, tuple[str, str, str]] = {
    Escalation.Level.CONTACT_PERSONS: (Role.CONTACT_PERSON, Notification.Kind.REMINDER, "email/reminder"),
    Escalation.Level.SUBSTITUTES: (Role.SUBSTITUTE, Notification.Kind.ESCALATION, "email/escalation"),
}


def send_order_receipt(order_id: int) -> None:
    """The holder's receipt, saying who decides, what happens next and how long it usually takes."""
    order = _order(order_id)
    if order is not None:
        extra = {"outlook": outlook_for(order)}
        _send_once(order, Notification.Kind.RECEIPT, [order.holder.work_email], "email/order_receipt", extra)


def notify_contact_persons_of_new_order(order_id: int) -> None:
    """Mail the contact persons who want one mail per order (the others get the daily
    digest) and, for an order in the central queue, the RS-kort administrators."""
    order = _order(order_id)
    if order is not None:
        recipients = contact_person_emails(order.forvaltning, email_preference=EmailPreference.IMMEDIATE)
        if order.central_queue:
            recipients += central_administrator_emails()
        _send_once(order, Notification.Kind.NEW_ORDER, dict.fromkeys(recipients), "email/new_order_for_contact_person")


def notify_contact_persons_of_cancellation(order_id: int, reason: str) -> None:
    """The system cancelled the order because its holder left: the contact persons and
    ersättare of its förvaltning (and, for one in the central queue, the RS-kort
    administrators) hear that it needs them no more, and why (`reason`, in words)."""
    order = _order(order_id)
    if order is None or order.state != OrderState.CANCELLED:
        return
    recipients = contact_person_emails(order.forvaltning) + contact_person_emails(order.forvaltning, Role.SUBSTITUTE)
    if order.central_queue:
        recipients += central_administrator_emails()
    template = "email/order_cancelled_holder_left"
    _send_once(order, Notification.Kind.HOLDER_LEFT, dict.fromkeys(recipients), template, {"reason": reason})


def central_administrator_emails() -> list[str]:
    return list(central_administrators().exclude(email="").values_list("email", flat=True))


def notify_holder_of_decision(order_id: int) -> None:
    order = _order(order_id)
    if order is not None:
        _send_once(order, Notification.Kind.DECISION, [order.holder.work_email], "email/decision")


def send_escalation(escalation_id: int) -> None:
    escalation = Escalation.objects.filter(pk=escalation_id).first()
    order = _order(escalation.order_id) if escalation else None
    if escalation is None or order is None or order.state not in AWAITING_DECISION:
        return  # decided meanwhile: nobody needs reminding
    role, kind, template = ESCALATION_MAIL[escalation.level]
    _send_once(order, kind, contact_person_emails(order.forvaltning, role=role), template)


def digest_recipient_ids() -> QuerySet[ContactPersonAssignment, int]:
    return (
        ContactPersonAssignment.objects.in_force()
        .filter(role=Role.CONTACT_PERSON, email_preference=EmailPreference.DAILY_DIGEST, user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", flat=True)
        .distinct()
    )


def send_daily_digest(user_id: int, today: date) -> None:
    """One mail listing the orders that wait in the förvaltningar where `user_id` chose the
    digest; at most one per person and day, none when nothing waits."""
    # Only the assignments in force: a right that ended (organisation.models.RightPeriod)
    # gets no more of the förvaltning's orders, by mail neither.
    assignments = list(
        ContactPersonAssignment.objects.in_force()
        .filter(user_id=user_id, role=Role.CONTACT_PERSON, email_preference=EmailPreference.DAILY_DIGEST)
        .select_related("user")
    )
    if not assignments:
        return
    orders = list(
        queue_rows(
            PukOrder.objects.filter(forvaltning__in=[a.forvaltning_id for a in assignments], state__in=NEEDS_ACTION)
        )
    )
    if not orders:
        return
    user = assignments[0].user
    with transaction.atomic():
        digest, _ = DigestSent.objects.select_for_update().get_or_create(user_id=user_id, date=today)
        if digest.sent_at is not None:
            return
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "orders": orders,
                "queue_url": settings.SITE_URL + reverse("orders:queue"),
                "today": today,
            }
            subject = render_to_string("email/daily_digest_subject.txt", context).strip()
            body = render_to_string("email/daily_digest.txt", context)
        send_mail(subject, body, None, [user.email])
        digest.order_count = len(orders)
        digest.sent_at = timezone.now()
        digest.save(update_fields=["order_count", "sent_at"])


def _order(order_id: int) -> PukOrder | None:
    # A task may outlive its order's transaction being rolled back: nothing to say then.
    return (
        PukOrder.objects.select_related("holder", "card__card_type", "forvaltning", "placed_by")
        .filter(pk=order_id)
        .first()
    )


def _send_once(
    order: PukOrder, kind: str, recipients: Iterable[str], template: str, extra: dict[str, Any] | None = None
) -> None:
    for recipient in recipients:
        with transaction.atomic():
            notification, _ = Notification.objects.select_for_update().get_or_create(
                order=order, kind=kind, recipient=recipient
            )
            if notification.sent_at is not None:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                context = {"order": order, "order_url": settings.SITE_URL + _order_path(order, kind), **(extra or {})}
                subject = render_to_string(f"{template}_subject.txt", context).strip()
                body = render_to_string(f"{template}.txt", context)
            send_mail(subject, body, None, [recipient])
            notification.sent_at = timezone.now()
            notification.save(update_fields=["sent_at"])


def _order_path(order: PukOrder, kind: str) -> str:
    if kind in _CONTACT_PERSON_KINDS:
        return reverse("orders:queue_detail", args=[order.pk])
    return reverse("orders:detail", args=[order.pk])
