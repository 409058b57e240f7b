from django import template

from orders.events import ORDER_EVENT_LABELS

register = template.Library()


@register.filter
def event_label(event):
    return ORDER_EVENT_LABELS.get(event.action, event.action)
