"""Approval rules, pure: no database, no clock of their own.

Who may decide an order, and when an order needs a second, different approver before
the letter goes (issue: "second approver when it looks wrong").
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # what gettext_lazy gives, named in django-stubs only
    from django.utils.functional import _StrPromise

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
    """The keys of SECOND_APPROVAL_REASONS that apply to a new order."""
    reasons: list[str] = []
    if orders_in_window_before + 1 >= policy.repeat_order_limit:
        reasons.append("repeat_orders")
    if placed_on_behalf:
        reasons.append("placed_on_behalf")
    if address_registered_since and today - address_registered_since < timedelta(days=policy.recent_address_days):
        reasons.append("recent_address_change")
    return reasons


class DecisionRefusal:
    OWN_ORDER = _("Du kan inte besluta om en beställning som gäller dig själv.")
    PLACED_BY_YOU = _("Du har själv lagt beställningen; en annan kontaktperson måste godkänna den.")
    SAME_APPROVER = _("Beställningen kräver två olika godkännare och du har redan godkänt den.")


def decision_refusal(
    *, approver_id: int, holder_user_id: int | None, placed_by_id: int, first_approved_by_id: int | None
) -> "_StrPromise | None":
    """None when `approver_id` may approve or reject the order, else the reason in words."""
    if holder_user_id == approver_id:
        return DecisionRefusal.OWN_ORDER
    if placed_by_id == approver_id:
        return DecisionRefusal.PLACED_BY_YOU
    if first_approved_by_id == approver_id:
        return DecisionRefusal.SAME_APPROVER
    return None
