"""Mina beställningar: the employee's orders as the list shows them.

Each row is made here from the order's values, with one reverse() per page, and the
template only prints it. Drawn by the template from model objects (a {% url %}, three
related objects and get_state_display per row), the 25 orders a holder has in a register
of a million orders made the list cost one and a half times Mina kort.
"""

from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

from django.urls import reverse
from django.utils import timezone

from cards.models import in_page_language, masked_card_number
from organisation.models import Employee

from .exports import choice_labels
from .models import PukOrder, order_reference


class MyOrderRow(TypedDict):
    reference: str
    url: str
    card: str
    created: str
    state: str
    state_label: str


def my_order_values(employee: Employee) -> Iterable[Mapping[str, Any]]:
    """Newest first, as PukOrder's ordering."""
    return PukOrder.objects.filter(holder=employee).values(
        "pk", "state", "created_at", "card__card_number", "card__card_type__name", "card__card_type__name_en"
    )


def my_order_rows(orders: Iterable[Mapping[str, Any]]) -> list[MyOrderRow]:
    """`orders`: my_order_values(); in the active language and time zone."""
    states = choice_labels()["state"]
    tz = timezone.get_current_timezone()
    # An order's page is the list's child (/mina-bestallningar/<pk>/), as in queue_table.
    detail_url = reverse("orders:mine") + "{}/"
    return [
        {
            "reference": order_reference(order["pk"]),
            "url": detail_url.format(order["pk"]),
            "card": f"{in_page_language(order['card__card_type__name'], order['card__card_type__name_en'])}, "
            f"{masked_card_number(order['card__card_number'])}",
            "created": f"{order['created_at'].astimezone(tz):%Y-%m-%d %H:%M}",
            "state": order["state"],
            "state_label": states.get(order["state"], order["state"]),
        }
        for order in orders
    ]
