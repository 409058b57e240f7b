"""Mina beställningar: the holder's own orders, newest first, each row as the list shows
it (orders.my_orders, made from values rather than model objects)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from orders.models import PukOrder
from orders.states import OrderState
from tests.factories import CardFactory, CardTypeFactory, PukOrderFactory

pytestmark = pytest.mark.django_db


def my_orders_page(client, employee, language="sv"):
    client.force_login(employee.user)
    client.cookies["django_language"] = language
    return client.get(reverse("orders:mine")).content.decode()


def test_my_orders_lists_each_order_with_its_link_card_local_time_and_state(client):
    card = CardFactory(card_number="9752270012345678")
    order = PukOrderFactory(card=card, state=OrderState.POSTED)
    PukOrder.objects.filter(pk=order.pk).update(created_at=datetime(2026, 6, 1, 22, 30, tzinfo=ZoneInfo("UTC")))

    page = my_orders_page(client, card.holder)

    assert f'<a href="/mina-bestallningar/{order.pk}/">{order.reference}</a>' in page
    assert "RS-kort, •••• 5678" in page
    assert "2026-06-02 00:30" in page  # Swedish summer time
    assert '<span class="state state-posted">Skickat som rekommenderat brev</span>' in page


def test_my_orders_names_the_card_type_in_english_on_an_english_page(client):
    card_type = CardTypeFactory(code="reserv", name="Reservkort", name_en="Spare card")
    card = CardFactory(card_type=card_type)
    PukOrderFactory(card=card)

    assert "Spare card, ••••" in my_orders_page(client, card.holder, language="en")
    assert "Reservkort, ••••" in my_orders_page(client, card.holder, language="sv")


def test_my_orders_shows_newest_first_and_none_of_anyone_elses(client):
    card = CardFactory()
    older, newer = PukOrderFactory(card=card, state=OrderState.DELIVERED), PukOrderFactory(card=card)
    PukOrder.objects.filter(pk=older.pk).update(created_at=datetime(2025, 1, 1, tzinfo=ZoneInfo("UTC")))
    someone_else = PukOrderFactory()

    page = my_orders_page(client, card.holder)

    assert page.index(newer.reference) < page.index(older.reference)
    assert someone_else.reference not in page


def test_my_orders_escapes_a_card_type_name(client):
    card_type = CardTypeFactory(code="x", name="<script>alert(1)</script>")
    PukOrderFactory(card=CardFactory(card_type=card_type))
    card = PukOrder.objects.get().card

    page = my_orders_page(client, card.holder)

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
