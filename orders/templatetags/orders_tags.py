from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

from orders.models import Letter, PukOrder

register = template.Library()


@register.simple_tag
def current_letter(order: PukOrder) -> Letter | None:
    """The order's latest code letter, or None."""
    return order.letters.order_by("-generation").first()


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
