"""The one place an order's state changes: one function per transition, each a django-fsm
transition on PukOrder saved together with its audit event in one transaction.
orders.services (the decision) and letters (the letter's journey) call these; nothing
else sets state.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from audit.actions import AuditAction
from audit.services import record

from .models import PukOrder
from .states import OrderState

if TYPE_CHECKING:  # what gettext_lazy gives, named in django-stubs only
    from django.utils.functional import _StrPromise


class OrderRefused(Exception):
    """The order cannot be placed or changed; `message` says why and what to do instead.
    `to_desk`: what to do instead is to visit a card station (the page then lists them)."""

    def __init__(
        self, message: "str | _StrPromise", existing_order: PukOrder | None = None, *, to_desk: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.existing_order = existing_order
        self.to_desk = to_desk


# The decision (orders.services).


def cancel(order: PukOrder, *, by: Any, reason: str = "") -> None:
    _take(order, order.cancel, by, AuditAction.ORDER_CANCELLED, reason=reason)


def approve_first(order: PukOrder, *, by: Any) -> None:
    """The first approval: final, or (for an order that needs two) waiting for a second."""
    action = AuditAction.ORDER_FIRST_APPROVAL if order.needs_second_approval else AuditAction.ORDER_APPROVED
    _take(order, lambda: order.approve_first(by), by, action)


def approve_second(order: PukOrder, *, by: Any) -> None:
    _take(order, lambda: order.approve_second(by), by, AuditAction.ORDER_APPROVED)


def reject(order: PukOrder, *, by: Any, reason: str) -> None:
    _take(order, lambda: order.reject(by, reason), by, AuditAction.ORDER_REJECTED, reason=reason)


def handle_at_desk(order: PukOrder, *, by: Any, station_name: str) -> None:
    _take(order, order.handle_at_desk, by, AuditAction.ORDER_HANDLED_AT_DESK, station=station_name)


def cancel_card_ended(order: PukOrder, *, reason: str) -> None:
    """The card ended in the card system (registers): the system withdraws the order."""
    _take(order, order.cancel_card_ended, None, AuditAction.ORDER_CANCELLED, reason=reason)


def cancel_holder_left(order: PukOrder, *, reason: str) -> None:
    """The holder left (registers: the HSA directory): the system withdraws the order."""
    _take(order, order.cancel_holder_left, None, AuditAction.ORDER_CANCELLED, reason=reason)


# The letter's journey (letters): `by` is None where the system acts.


def queue_letter(order: PukOrder, *, letter_id: str) -> None:
    _take(order, order.queue_letter, None, AuditAction.LETTER_QUEUED, letter=letter_id)


def fail_letter(order: PukOrder, *, error: str, letter_id: str | None = None) -> None:
    """`error` is a Swedish message id (gettext_noop): the pages translate it for their reader."""
    data = {"letter": letter_id} if letter_id else {}
    _take(order, lambda: order.fail_letter(error), None, AuditAction.LETTER_FAILED, reason=error, **data)


def retry_letter(order: PukOrder, *, by: Any) -> None:
    _take(order, order.retry_letter, by, AuditAction.LETTER_RETRIED)


def send_letter_again(order: PukOrder, *, by: Any) -> None:
    _take(order, order.send_again, by, AuditAction.LETTER_SENT_AGAIN)


def close_returned(order: PukOrder, *, by: Any, reason: str) -> None:
    _take(order, order.close, by, AuditAction.ORDER_CLOSED, reason=reason)


def mark_printed(order: PukOrder, *, letter_id: str) -> None:
    _take(order, order.mark_printed, None, AuditAction.LETTER_PRINTED, letter=letter_id)


def mark_posted(order: PukOrder, *, letter_id: str, forwarded: bool, tracking_id: str) -> None:
    _take(
        order,
        lambda: order.mark_posted(forwarded),
        None,
        AuditAction.LETTER_POSTED,
        letter=letter_id,
        tracking_id=tracking_id,
    )


def mark_delivered(order: PukOrder, *, letter_id: str) -> None:
    _take(order, order.mark_delivered, None, AuditAction.LETTER_DELIVERED, letter=letter_id)


def mark_returned(order: PukOrder, *, letter_id: str, return_reason: str, reason_in_words: str) -> None:
    _take(
        order,
        order.mark_returned,
        None,
        AuditAction.LETTER_RETURNED,
        reason=reason_in_words,
        letter=letter_id,
        return_reason=return_reason,
    )


def _take(
    order: PukOrder, transition: Callable[[], object], by: Any, action: AuditAction, *, reason: str = "", **data: Any
) -> None:
    """Run one transition and record it, or raise OrderRefused saying what the order's
    state is now (another request or task may have moved it meanwhile)."""
    from_state = order.state
    try:
        with transaction.atomic():
            transition()
            order.save()
            record(action, order, actor=by, reason=reason, from_state=from_state, to_state=order.state, **data)
    except (TransitionNotAllowed, ConcurrentTransition):
        order.refresh_from_db()
        raise OrderRefused(changed_meanwhile_message(order)) from None


def changed_meanwhile_message(order: PukOrder) -> str:
    """What happened to `order` (as it is now) since someone last saw it, in words."""
    if order.decided_by is not None:
        return _("Beställningen är redan beslutad av %(name)s (status: %(state)s).") % {
            "state": order.get_state_display(),
            "name": order.decided_by.get_full_name() or order.decided_by.get_username(),
        }
    if order.state == OrderState.SECOND_APPROVAL and order.first_approved_by is not None:
        return _(
            "Beställningen har under tiden fått ett första godkännande av %(name)s och väntar nu på "
            "ett andra godkännande. Öppna den igen och bedöm den innan du godkänner."
        ) % {"name": order.first_approved_by.get_full_name() or order.first_approved_by.get_username()}
    return _("Beställningen har ändrats under tiden och har nu status: %(state)s.") % {
        "state": order.get_state_display()
    }
