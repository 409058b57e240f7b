"""Approval rules, pure: no database, no clock of their own.

Who may decide an order, and how many approvals it needs before the letter goes. Four
eyes means two different contact persons: the one who placed an order on an employee's
behalf counts as one of them, the holder never does. So an order the holder placed needs
one approval, or two by different people when something about it looks wrong (the
reasons below); an order placed on behalf always needs exactly one approval, by someone
who is neither its placer nor its holder. An order whose förvaltning has too few such
people goes to the central queue of the RS-kort administrators: no order waits on a
person who does not exist.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # what gettext_lazy gives, named in django-stubs only
    from django.utils.functional import _StrPromise

# Why an order needs four eyes. For an order placed on behalf, the placer is the first pair.
SECOND_APPROVAL_REASONS = {
    "repeat_orders": _("Innehavarens tredje beställning inom tolv månader"),
    "placed_on_behalf": _("Beställd av en kontaktperson för innehavarens räkning"),
    "recent_address_change": _("Folkbokföringsadressen är nyligen ändrad"),
}


@dataclass(frozen=True)
class SecondApprovalPolicy:
    repeat_order_limit: int = 3  # this order is the n:th within the window
    repeat_window_days: int = 365
    recent_address_days: int = 30


def second_approval_reasons(
    *,
    policy: SecondApprovalPolicy,
    orders_in_window_before: int,
    placed_on_behalf: bool,
    address_registered_since: date | None,
    today: date,
) -> list[str]:
    """The keys of SECOND_APPROVAL_REASONS that apply to a new order: why it needs four eyes."""
    reasons: list[str] = []
    if orders_in_window_before + 1 >= policy.repeat_order_limit:
        reasons.append("repeat_orders")
    if placed_on_behalf:
        reasons.append("placed_on_behalf")
    if address_registered_since and today - address_registered_since < timedelta(days=policy.recent_address_days):
        reasons.append("recent_address_change")
    return reasons


def approvals_required(*, four_eyes_reasons: Sequence[str], placed_on_behalf: bool) -> int:
    """How many approvals an order needs from contact persons who are neither its holder
    nor its placer. Placed on behalf, the placer is the first pair of eyes: one more
    approval makes four, whatever else applies. Placed by the holder, who never counts: one,
    or two different approvers when there is a reason for four eyes."""
    if placed_on_behalf:
        return 1
    return 2 if four_eyes_reasons else 1


def approvals_still_needed(*, required: int, first_approved: bool) -> int:
    """The approvals an order waiting for a decision still needs."""
    return max(required - (1 if first_approved else 0), 0)


def eligible_approvers(
    approver_ids: Iterable[int], *, holder_user_id: int | None, placed_by_id: int, first_approved_by_id: int | None
) -> set[int]:
    """Those of `approver_ids` (the förvaltning's active contact persons and ersättare) who
    may still approve the order: not its holder, not its placer, not its first approver."""
    excluded = {holder_user_id, placed_by_id, first_approved_by_id}
    return {approver for approver in approver_ids if approver not in excluded}


def needs_central_queue(*, eligible: int, still_needed: int) -> bool:
    """Too few people in the förvaltning to give the approvals still needed: the order
    goes to the RS-kort administrators' central queue."""
    return eligible < still_needed


class DecisionRefusal:
    OWN_ORDER = _("Du kan inte besluta om en beställning som gäller dig själv.")
    PLACED_BY_YOU = _("Du har själv lagt beställningen; en annan kontaktperson måste godkänna den.")
    SAME_APPROVER = _("Beställningen kräver två olika godkännare och du har redan godkänt den.")


def decision_refusal(
    *, approver_id: int, holder_user_id: int | None, placed_by_id: int, first_approved_by_id: int | None
) -> "_StrPromise | None":
    """None when `approver_id` may approve or reject the order, else the reason in words.
    The service refuses with it, and the pages show the decision only where it is None."""
    if holder_user_id == approver_id:
        return DecisionRefusal.OWN_ORDER
    if placed_by_id == approver_id:
        return DecisionRefusal.PLACED_BY_YOU
    if first_approved_by_id == approver_id:
        return DecisionRefusal.SAME_APPROVER
    return None


@dataclass(frozen=True)
class TypicalTime:
    """How long an order usually takes, from order to the letter posted, in working days."""

    working_days: int
    orders_counted: int  # 0: too few recent orders, so the stated default


def typical_time(working_days_per_order: Sequence[int], *, minimum_orders: int, default_days: int) -> TypicalTime:
    """The median of the recent orders' working days from order to posted letter, rounded
    up; the default when there are fewer than `minimum_orders` of them."""
    if len(working_days_per_order) < max(minimum_orders, 1):
        return TypicalTime(default_days, 0)
    return TypicalTime(max(math.ceil(median(working_days_per_order)), 1), len(working_days_per_order))
