from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.models import AuditEvent
from orders.models import Letter, PukOrder, ReturnReason
from orders.states import OrderState

register = template.Library()

# Where current_letter keeps its answer on the order object.
_CURRENT_LETTER = "_rsportal_current_letter"


@register.simple_tag
def current_letter(order: PukOrder) -> Letter | None:
    """The order's latest code letter, or None; looked up once per order object (the order
    page and its letter status both ask)."""
    if not hasattr(order, _CURRENT_LETTER):
        setattr(order, _CURRENT_LETTER, order.letters.order_by("-generation").first())
    letter: Letter | None = getattr(order, _CURRENT_LETTER)
    return letter


@register.filter
def reason_in_words(event: AuditEvent) -> str:
    """An event's reason in the page's language where the system gave it (a returned
    letter's reason, from its code; a failed letter's message); a person's reason as they
    wrote it."""
    return_reason = event.data.get("return_reason")
    if event.action == AuditAction.LETTER_RETURNED and return_reason in ReturnReason.values:
        return str(ReturnReason(return_reason).label)
    if event.action == AuditAction.LETTER_FAILED and event.reason:
        return _(event.reason)  # the message's Swedish words are its id
    return event.reason


@register.simple_tag
def state_label(state: str) -> str:
    """The state's name (orders.states.OrderState), as the badge and the CSV give it."""
    return str(OrderState(state).label)


@register.filter
def duration(span: timedelta | None) -> str:
    """A timedelta in days, hours and minutes, coarse enough to read at a glance."""
    if span is None:
        return "–"
    minutes = int(span.total_seconds()) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
