"""Read-side queries for orders. Every list of orders a user sees starts here."""

from organisation.permissions import VIEW_ORDERS, forvaltningar_for

from .models import PukOrder
from .states import OPEN_STATES


def orders_of_employee(employee):
    return PukOrder.objects.filter(holder=employee).select_related("card__card_type")


def open_order_for_card(card):
    return PukOrder.objects.filter(card=card, state__in=OPEN_STATES).first()


def open_orders_by_card(cards):
    """{card_id: order} for the cards that have an open order, in one query."""
    orders = PukOrder.objects.filter(card__in=cards, state__in=OPEN_STATES).only("id", "card_id", "state")
    return {order.card_id: order for order in orders}


def orders_for_contact_person(user, perm=VIEW_ORDERS):
    """The orders of the förvaltningar `user` holds `perm` on: the queue's only source."""
    return PukOrder.objects.filter(forvaltning__in=forvaltningar_for(user, perm))


def queue_rows(queryset):
    return queryset.select_related("holder", "card__card_type", "forvaltning").order_by("-created_at")
