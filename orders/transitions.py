"""The one place an order's state changes: a django-fsm transition, saved together with
its audit event in one transaction. orders.services (the decision) and letters.services
(the letter's journey) call it; nothing else sets state."""

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from audit.services import record

from .states import OrderState


class OrderRefused(Exception):
    """The order cannot be placed or changed; `message` says why and what to do instead.
    `to_desk`: what to do instead is to visit a card station (the page then lists them)."""

    def __init__(self, message, existing_order=None, *, to_desk=False):
        super().__init__(message)
        self.message = message
        self.existing_order = existing_order
        self.to_desk = to_desk


def take_transition(order, transition_name, by, *, action, reason="", args=(), **data):
    """Run one transition and record it, or raise OrderRefused saying what the order's
    state is now (another request or task may have moved it meanwhile)."""
    from_state = order.state
    try:
        with transaction.atomic():
            getattr(order, transition_name)(*args)
            order.save()
            record(action, order, actor=by, reason=reason, from_state=from_state, to_state=order.state, **data)
    except (TransitionNotAllowed, ConcurrentTransition):
        order.refresh_from_db()
        raise OrderRefused(changed_meanwhile_message(order))


def changed_meanwhile_message(order):
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
