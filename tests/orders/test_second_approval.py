"""When place_order asks for a second approver: the holder's earlier orders (cancelled ones
do not count) and the date the register gives for the address."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders import services
from orders.models import PukOrder
from orders.states import OrderState
from tests.factories import CardFactory, PukOrderFactory

pytestmark = pytest.mark.django_db


def place(card):
    return services.place_order(placed_by=card.holder.user, card=card, reason="lost_letter", blocked_codes="both")


def earlier_order(employee, state, days_ago=30):
    order = PukOrderFactory(card=CardFactory(holder=employee), state=state)
    PukOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return order


def test_the_third_order_within_twelve_months_needs_a_second_approver(employee, card):
    earlier_order(employee, OrderState.DELIVERED, days_ago=200)
    earlier_order(employee, OrderState.REJECTED, days_ago=20)
    order = place(card)
    assert order.needs_second_approval
    assert order.second_approval_reasons == ["repeat_orders"]


def test_cancelled_orders_do_not_count_towards_the_third(employee, card):
    earlier_order(employee, OrderState.DELIVERED)
    earlier_order(employee, OrderState.CANCELLED)
    order = place(card)
    assert not order.needs_second_approval
    assert order.second_approval_reasons == []


def test_orders_older_than_twelve_months_do_not_count(employee, card):
    earlier_order(employee, OrderState.DELIVERED, days_ago=400)
    earlier_order(employee, OrderState.DELIVERED, days_ago=100)
    assert not place(card).needs_second_approval


def test_the_limit_is_a_setting(employee, card, settings):
    settings.RSPORTAL_SECOND_APPROVAL_ORDER_LIMIT = 2
    earlier_order(employee, OrderState.DELIVERED)
    assert place(card).second_approval_reasons == ["repeat_orders"]


def test_an_address_registered_in_the_last_30_days_per_the_register_needs_a_second_approver(employee, card, register):
    since = timezone.localdate() - timedelta(days=10)
    register.add(employee, registered_since=since.isoformat())
    order = place(card)
    assert order.second_approval_reasons == ["recent_address_change"]
    assert order.address_registered_since == since


def test_an_address_registered_long_enough_ago_needs_no_second_approver(employee, card, register):
    since = timezone.localdate() - timedelta(days=31)
    register.add(employee, registered_since=since.isoformat())
    order = place(card)
    assert order.second_approval_reasons == []
    assert order.address_registered_since == since


def test_the_reasons_add_up(employee, card, register, contact_person):
    register.add(employee, registered_since=(timezone.localdate() - timedelta(days=1)).isoformat())
    earlier_order(employee, OrderState.DELIVERED)
    earlier_order(employee, OrderState.POSTED)
    order = services.place_order(placed_by=contact_person, card=card, reason="lost_letter", blocked_codes="both")
    assert order.second_approval_reasons == ["repeat_orders", "placed_on_behalf", "recent_address_change"]
