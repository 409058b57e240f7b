"""The order workflow up to the decision: place, cancel, approve, reject.

Views call these functions; the state changes themselves are the functions of
orders.transitions, and anything they trigger (mail, letters) is
enqueued only once the transaction has committed.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.actions import AuditAction
from audit.services import record
from cards.eligibility import REFUSAL_MESSAGES, Refusal, letter_refusal
from cards.models import Card
from organisation.models import Employee, Forvaltning, User
from organisation.population_register import (
    AddressStatus,
    RegisterAnswer,
    RegisterUnavailable,
    get_population_register,
    masked_address_hint,
)
from organisation.services import approver_ids
from rsportal.queueing import enqueue_on_commit

from . import transitions
from .models import PukOrder, Reason
from .rules import (
    SecondApprovalPolicy,
    approvals_required,
    decision_refusal,
    eligible_approvers,
    needs_central_queue,
    second_approval_reasons,
)
from .selectors import open_order_for_card
from .states import AWAITING_DECISION, BEFORE_POSTING, OPEN_STATES, OrderState
from .transitions import OrderRefused, changed_meanwhile_message

_NO_ADDRESS_TO_HOLDER = gettext_lazy(
    "Du saknar folkbokföringsadress i Sverige, så kodbrevet kan inte skickas. "
    "Besök en kortstation eller support med giltig id-handling, så låser vi upp kortet där."
)
_NO_ADDRESS_TO_CONTACT_PERSON = gettext_lazy(
    "Medarbetaren saknar folkbokföringsadress i Sverige, så kodbrevet kan inte skickas. "
    "Hänvisa medarbetaren till en kortstation eller support med giltig id-handling."
)


@dataclass(frozen=True)
class AddressPreview:
    status: AddressStatus
    hint: str  # empty unless REGISTERED
    answer: RegisterAnswer


def check_card_may_get_letter(card: Card) -> None:
    """Raise OrderRefused unless a PUK letter may be ordered for `card` right now."""
    existing = open_order_for_card(card)
    refusal = letter_refusal(card.eligibility_facts(has_open_order=existing is not None), timezone.localdate())
    if refusal is not None:
        raise OrderRefused(
            REFUSAL_MESSAGES[refusal],
            existing if refusal is Refusal.OPEN_ORDER else None,
            to_desk=refusal is Refusal.DESK_ONLY,
        )


def preview_address(holder: Employee, *, asked_by_holder: bool = True) -> AddressPreview:
    """Look the holder up in the population register. Never returns the address itself."""
    try:
        answer = get_population_register().lookup(holder.personnummer)
    except RegisterUnavailable:
        raise OrderRefused(_("Folkbokföringsregistret svarar inte just nu. Försök igen om en stund.")) from None
    if answer.status == AddressStatus.MISSING:
        raise OrderRefused(_NO_ADDRESS_TO_HOLDER if asked_by_holder else _NO_ADDRESS_TO_CONTACT_PERSON, to_desk=True)
    if answer.status != AddressStatus.REGISTERED:
        return AddressPreview(answer.status, "", answer)
    if answer.address is None:
        raise RuntimeError("the population register answered REGISTERED without an address")
    return AddressPreview(answer.status, masked_address_hint(answer.address), answer)


def place_order(*, placed_by: User, card: Card, reason: str, blocked_codes: str, reason_text: str = "") -> PukOrder:
    """Create a submitted order for `card`. Raises OrderRefused when it may not be placed."""
    if reason == Reason.OTHER and not reason_text.strip():
        raise OrderRefused(_("Beskriv orsaken när du väljer Annat."))
    check_card_may_get_letter(card)
    preview = preview_address(card.holder, asked_by_holder=placed_by.pk == card.holder.user_id)
    reasons = _second_approval_reasons(card.holder, placed_by, preview.answer.registered_since)
    required = approvals_required(four_eyes_reasons=reasons, placed_on_behalf=placed_by.pk != card.holder.user_id)
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
                needs_second_approval=required == 2,
                second_approval_reasons=reasons,
            )
            record(AuditAction.ORDER_SUBMITTED, order, actor=placed_by, to_state=order.state)
            route_to_central_queue(order, notify=False)  # the notice below goes to its administrators too
            # robust: a broker that is down must not turn a committed order into an error page;
            # orders.mail_sweep enqueues the mail once it is back.
            enqueue_on_commit("orders.tasks.send_order_receipt", order.pk)
            enqueue_on_commit("orders.tasks.notify_contact_persons_of_new_order", order.pk)
    except IntegrityError:
        # Lost a race with a concurrent request: the database's partial unique index holds.
        raise OrderRefused(REFUSAL_MESSAGES[Refusal.OPEN_ORDER], open_order_for_card(card)) from None
    return order


def _second_approval_reasons(holder: Employee, placed_by: User, address_registered_since: date | None) -> list[str]:
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


def approve_order(*, order: PukOrder, by: User, expected_state: str | None = None) -> PukOrder:
    """Approve, as a contact person with approve rights on the order's förvaltning (the
    caller's queryset has checked that). A second approval, where needed, must come from
    someone else; the final approval triggers the letter and tells the holder.

    `expected_state` is the state the approver's page showed: if the order has moved on
    since (say another contact person gave it its first approval), nothing is done and the
    refusal says what happened, so a click meant as a first approval never becomes the
    second."""
    _check_unchanged(order, expected_state)
    _check_may_decide(order, by)
    if order.state == OrderState.SECOND_APPROVAL:
        transitions.approve_second(order, by=by)
    else:
        transitions.approve_first(order, by=by)
        # The second approval must come from someone else: if the förvaltning has nobody
        # left for it, the RS-kort administrators give it.
        route_to_central_queue(order)
    if order.state == OrderState.APPROVED:
        # If the broker is down, letters.services.sweep_approved_orders enqueues the letter
        # later, and orders.mail_sweep the mail.
        enqueue_on_commit("letters.tasks.produce_letter", order.pk)
        enqueue_on_commit("orders.tasks.notify_holder_of_decision", order.pk)
    return order


def reject_order(*, order: PukOrder, by: User, reason: str, expected_state: str | None = None) -> PukOrder:
    if not reason.strip():
        raise OrderRefused(_("Skriv ett skäl till avslaget; innehavaren får se det."))
    _check_unchanged(order, expected_state)
    _check_may_decide(order, by)
    transitions.reject(order, by=by, reason=reason.strip())
    enqueue_on_commit("orders.tasks.notify_holder_of_decision", order.pk)
    return order


def route_to_central_queue(order: PukOrder, approvers: set[int] | None = None, *, notify: bool = True) -> bool:
    """Send an order waiting for a decision to the central queue when its förvaltning has
    fewer people who may approve it (`approvers`: its active contact persons and ersättare,
    looked up when not given; not the holder, the placer or the first approver) than the
    approvals it still needs. True when it was sent now."""
    if order.central_queue or order.state not in AWAITING_DECISION:
        return False
    if approvers is None:
        approvers = approver_ids([order.forvaltning_id]).get(order.forvaltning_id, set())
    eligible = eligible_approvers(
        approvers,
        holder_user_id=order.holder.user_id,
        placed_by_id=order.placed_by_id,
        first_approved_by_id=order.first_approved_by_id,
    )
    still_needed = order.approvals_still_needed
    if not needs_central_queue(eligible=len(eligible), still_needed=still_needed):
        return False
    with transaction.atomic():
        # Once only, and only while it still waits: a concurrent decision or sweep wins.
        sent = PukOrder.objects.filter(pk=order.pk, central_queue=False, state__in=AWAITING_DECISION).update(
            central_queue=True
        )
        if not sent:
            return False
        order.central_queue = True
        record(
            AuditAction.ORDER_SENT_TO_CENTRAL_QUEUE,
            order,
            state=order.state,
            approvers_in_forvaltning=len(eligible),
            approvals_still_needed=still_needed,
        )
        if notify:  # the administrators' notice; the contact persons who had it get nothing twice
            enqueue_on_commit("orders.tasks.notify_contact_persons_of_new_order", order.pk)
    return True


def decided_centrally(holder: Employee) -> bool:
    """Whether any order of `holder` goes to the central queue: their förvaltning has no
    contact person or ersättare other than the holder. (With one, an order that needs two
    approvers, or that this one places, goes there too: known once it is placed.)"""
    approvers = approver_ids([holder.forvaltning_id]).get(holder.forvaltning_id, set())
    return not approvers - {holder.user_id}


def route_waiting_orders(forvaltning_id: int | None = None) -> int:
    """Every order waiting for a decision (of one förvaltning, or of all) that nobody in
    its förvaltning can approve any more goes to the central queue: after an assignment
    was removed or moved, and from beat, for a contact person who left (deactivated) or
    an order whose rule changed. Idempotent; returns how many were sent now."""
    waiting = PukOrder.objects.filter(state__in=AWAITING_DECISION, central_queue=False).select_related("holder")
    if forvaltning_id is not None:
        waiting = waiting.filter(forvaltning_id=forvaltning_id)
    orders = list(waiting)
    approvers = approver_ids(sorted({order.forvaltning_id for order in orders}))
    return sum(route_to_central_queue(order, approvers.get(order.forvaltning_id, set())) for order in orders)


def _check_unchanged(order: PukOrder, expected_state: str | None) -> None:
    if expected_state is None or expected_state == order.state:
        return
    if expected_state not in AWAITING_DECISION:  # only those pages offer a decision: a tampered form
        raise OrderRefused(_("Formuläret var ofullständigt. Ladda om sidan och försök igen."))
    raise OrderRefused(changed_meanwhile_message(order))


def _check_may_decide(order: PukOrder, by: User) -> None:
    refusal = decision_refusal(
        approver_id=by.pk,
        holder_user_id=order.holder.user_id,
        placed_by_id=order.placed_by_id,
        first_approved_by_id=order.first_approved_by_id,
    )
    if refusal is not None:
        raise OrderRefused(str(refusal))


def cancel_order(*, order: PukOrder, by: User, reason: str = "") -> PukOrder:
    """The holder (or whoever placed it) withdraws an order that is not yet approved."""
    transitions.cancel(order, by=by, reason=reason)
    return order


def close_order_handled_at_desk(*, order: PukOrder, by: User, station_name: str) -> PukOrder:
    """The holder was helped at a card station, so the letter is not needed. Only before
    the letter is on its way (BEFORE_POSTING); the caller has checked the operator's
    station rights and that the order is the holder's at the desk."""
    transitions.handle_at_desk(order, by=by, station_name=station_name)
    return order


# What follows from the HSA directory (registers.acts).


def cancel_orders_of_leaver(holder: Employee, *, reason: str) -> list[PukOrder]:
    """The holder left: each of their orders whose letter is not made yet is cancelled with
    `reason` in words, and the contact persons who had it in their queue are told. Returns
    the orders cancelled (one a concurrent decision moved on is left as it is now)."""
    cancelled = []
    for order in PukOrder.objects.filter(holder=holder, state__in=BEFORE_POSTING).order_by("pk"):
        try:
            transitions.cancel_holder_left(order, reason=reason)
        except OrderRefused:
            continue
        enqueue_on_commit("orders.tasks.notify_contact_persons_of_cancellation", order.pk, reason)
        cancelled.append(order)
    return cancelled


def move_open_orders(holder: Employee, forvaltning: Forvaltning, *, reason: str = "") -> list[PukOrder]:
    """The holder moved to `forvaltning`: their open orders go with them, into its queue
    (ORDER_MOVED), and out of the old förvaltning's, whose contact persons see them no more
    (the queue is by förvaltning: orders.selectors.orders_for_contact_person). One still
    waiting for a decision is announced to the new contact persons, or goes to the central
    queue when the new förvaltning has too few. Returns the orders moved."""
    moved = []
    for order in PukOrder.objects.filter(holder=holder, state__in=OPEN_STATES).exclude(forvaltning=forvaltning):
        with transaction.atomic():
            order = PukOrder.objects.select_for_update(of=("self",)).select_related("holder").get(pk=order.pk)
            if order.state not in OPEN_STATES or order.forvaltning_id == forvaltning.pk:
                continue
            before = order.forvaltning_id
            order.forvaltning = forvaltning
            order.save(update_fields=["forvaltning", "updated_at"])
            record(
                AuditAction.ORDER_MOVED,
                order,
                reason=reason,
                state=order.state,
                from_forvaltning_id=before,
                to_forvaltning_id=forvaltning.pk,
            )
            if order.state in AWAITING_DECISION:
                route_to_central_queue(order, notify=False)  # the notice below goes to its administrators too
                enqueue_on_commit("orders.tasks.notify_contact_persons_of_new_order", order.pk)
        moved.append(order)
    return moved
