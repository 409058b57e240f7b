"""The order workflow. The one owner of PukOrder's state transitions: views and tasks
call these functions; nothing else changes an order's state.

Each transition is saved in a transaction together with its audit event, and anything it
triggers (mail, letters) is enqueued only once that transaction has committed.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from audit.services import record
from cards.eligibility import REFUSAL_MESSAGES, CardFacts, Refusal, letter_refusal
from organisation.population_register import (
    AddressStatus,
    RegisterAnswer,
    RegisterUnavailable,
    get_population_register,
    masked_address_hint,
)

from . import tasks
from .models import PukOrder, Reason
from .rules import SecondApprovalPolicy, decision_refusal, second_approval_reasons
from .selectors import open_order_for_card
from .states import OrderState


class OrderRefused(Exception):
    """The order cannot be placed or changed; `message` says why and what to do instead."""

    def __init__(self, message, existing_order=None):
        super().__init__(message)
        self.message = message
        self.existing_order = existing_order


@dataclass(frozen=True)
class AddressPreview:
    status: AddressStatus
    hint: str  # empty unless REGISTERED
    answer: RegisterAnswer


def card_facts(card, *, has_open_order):
    return CardFacts(
        has_region_logo=card.card_type.has_region_logo,
        is_reserve_card=card.card_type.is_reserve_card,
        puk_route=card.card_type.puk_route,
        revoked=card.status == card.Status.REVOKED,
        valid_to=card.valid_to,
        has_open_order=has_open_order,
    )


def check_card_may_get_letter(card):
    """Raise OrderRefused unless a PUK letter may be ordered for `card` right now."""
    existing = open_order_for_card(card)
    refusal = letter_refusal(card_facts(card, has_open_order=existing is not None), timezone.localdate())
    if refusal is not None:
        raise OrderRefused(REFUSAL_MESSAGES[refusal], existing if refusal is Refusal.OPEN_ORDER else None)


def preview_address(employee):
    """Look the holder up in the population register. Never returns the address itself."""
    try:
        answer = get_population_register().lookup(employee.personnummer)
    except RegisterUnavailable:
        raise OrderRefused(_("Folkbokföringsregistret svarar inte just nu. Försök igen om en stund."))
    if answer.status == AddressStatus.MISSING:
        raise OrderRefused(
            _(
                "Du saknar folkbokföringsadress i Sverige, så kodbrevet kan inte skickas. "
                "Besök en kortstation eller support med giltig id-handling, så låser vi upp kortet där."
            )
        )
    hint = masked_address_hint(answer.address) if answer.status == AddressStatus.REGISTERED else ""
    return AddressPreview(answer.status, hint, answer)


def place_order(*, placed_by, card, reason, blocked_codes, reason_text=""):
    """Create a submitted order for `card`. Raises OrderRefused when it may not be placed."""
    if reason == Reason.OTHER and not reason_text.strip():
        raise OrderRefused(_("Beskriv orsaken när du väljer Annat."))
    check_card_may_get_letter(card)
    preview = preview_address(card.holder)
    reasons = _second_approval_reasons(card.holder, placed_by, preview.answer.registered_since)
    try:
        with transaction.atomic():
            order = PukOrder.objects.create(
                card=card,
                holder=card.holder,
                forvaltning=card.holder.forvaltning,
                placed_by=placed_by,
                reason=reason,
                reason_text=reason_text.strip() if reason == Reason.OTHER else "",
                blocked_codes=blocked_codes,
                address_status=preview.status,
                address_registered_since=preview.answer.registered_since,
                needs_second_approval=bool(reasons),
                second_approval_reasons=reasons,
            )
            record("order_submitted", order, actor=placed_by, to_state=order.state)
            transaction.on_commit(lambda: tasks.send_order_receipt.delay(order.pk))
            transaction.on_commit(lambda: tasks.notify_contact_persons_of_new_order.delay(order.pk))
    except IntegrityError:
        # Lost a race with a concurrent request: the database's partial unique index holds.
        raise OrderRefused(REFUSAL_MESSAGES[Refusal.OPEN_ORDER], open_order_for_card(card))
    return order


def _second_approval_reasons(holder, placed_by, address_registered_since):
    policy = SecondApprovalPolicy(
        repeat_order_limit=settings.RSPORTAL_SECOND_APPROVAL_ORDER_LIMIT,
        repeat_window_days=settings.RSPORTAL_SECOND_APPROVAL_WINDOW_DAYS,
        recent_address_days=settings.RSPORTAL_RECENT_ADDRESS_DAYS,
    )
    since = timezone.now() - timedelta(days=policy.repeat_window_days)
    earlier = PukOrder.objects.filter(holder=holder, created_at__gte=since).exclude(state=OrderState.CANCELLED)
    return second_approval_reasons(
        policy=policy,
        orders_in_window_before=earlier.count(),
        placed_on_behalf=placed_by.pk != holder.user_id,
        address_registered_since=address_registered_since,
        today=timezone.localdate(),
    )


def approve_order(*, order, by):
    """Approve, as a contact person with approve rights on the order's förvaltning (the
    caller's queryset has checked that). A second approval, where needed, must come from
    someone else; the final approval triggers the letter and tells the holder."""
    _check_may_decide(order, by)
    if order.state == OrderState.SECOND_APPROVAL:
        _take(order, "approve_second", by, action="order_approved", args=(by,))
    elif order.needs_second_approval:
        _take(order, "approve_first", by, action="order_first_approval", args=(by,))
    else:
        _take(order, "approve_first", by, action="order_approved", args=(by,))
    if order.state == OrderState.APPROVED:
        transaction.on_commit(lambda: tasks.notify_holder_of_decision.delay(order.pk))
    return order


def reject_order(*, order, by, reason):
    if not reason.strip():
        raise OrderRefused(_("Skriv ett skäl till avslaget; innehavaren får se det."))
    _check_may_decide(order, by)
    _take(order, "reject", by, action="order_rejected", reason=reason.strip(), args=(by, reason.strip()))
    transaction.on_commit(lambda: tasks.notify_holder_of_decision.delay(order.pk))
    return order


def _check_may_decide(order, by):
    refusal = decision_refusal(
        approver_id=by.pk,
        holder_user_id=order.holder.user_id,
        placed_by_id=order.placed_by_id,
        first_approved_by_id=order.first_approved_by_id,
    )
    if refusal is not None:
        raise OrderRefused(str(refusal))


def cancel_order(*, order, by, reason=""):
    """The holder (or whoever placed it) withdraws an order that is not yet approved."""
    _take(order, "cancel", by, action="order_cancelled", reason=reason)
    return order


def _take(order, transition_name, by, *, action, reason="", args=()):
    """Run one transition, save it and its audit event atomically, or raise OrderRefused
    saying what the order's state is now (another request may have moved it)."""
    from_state = order.state
    try:
        with transaction.atomic():
            getattr(order, transition_name)(*args)
            order.save()
            record(action, order, actor=by, reason=reason, from_state=from_state, to_state=order.state)
    except (TransitionNotAllowed, ConcurrentTransition):
        order.refresh_from_db()
        raise OrderRefused(_changed_meanwhile_message(order))


def _changed_meanwhile_message(order):
    if order.decided_by is not None:
        return _("Beställningen är redan %(state)s av %(name)s.") % {
            "state": order.get_state_display().lower(),
            "name": order.decided_by.get_full_name() or order.decided_by.get_username(),
        }
    return _("Beställningen har ändrats under tiden och har nu status: %(state)s.") % {
        "state": order.get_state_display()
    }
