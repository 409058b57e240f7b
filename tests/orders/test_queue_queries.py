"""The queue at scale, in the small: a constant number of queries whatever the number of
orders, date ranges in whole local days, the search through holders and cards, and the
paginator that stops counting. The figures at a million orders: benchmarks/queue_pages.py."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record
from orders.models import Letter, PukOrder
from orders.states import OrderState
from orders.views import queue as queue_views
from organisation.services import assign_contact_person
from tests.factories import CardFactory, EmployeeFactory, PukOrderFactory, UserFactory

pytestmark = pytest.mark.django_db

QUERY_LIMIT = 10


@pytest.fixture
def karin(client, contact_person, other_forvaltning):
    # Two förvaltningar: the page then shows the förvaltning filter and names.
    assign_contact_person(user=contact_person, forvaltning=other_forvaltning)
    client.force_login(contact_person)
    return client


def some_orders(forvaltning, count, state=OrderState.SUBMITTED):
    """`count` orders of `count` different holders and cards; a posted one has its letter."""
    orders = [
        PukOrderFactory(card=CardFactory(holder=EmployeeFactory(forvaltning=forvaltning)), state=state)
        for _ in range(count)
    ]
    if state == OrderState.POSTED:
        Letter.objects.bulk_create(
            Letter(order=order, posted_at=timezone.now(), tracking_id=f"RR{order.pk:09d}SE") for order in orders
        )
    return orders


def queries_for(client, url, params=None):
    client.get(url, params)  # the process's caches (content types) filled first
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


QUEUE_VIEWS = [
    {},
    {"state": "all"},
    {"q": "Test"},
    {"q": "Test Person", "state": "all"},
    {"state": "posted", "created_from": "2020-01-01", "created_to": "2099-12-31"},
]


@pytest.mark.parametrize("params", QUEUE_VIEWS)
def test_queue_queries_do_not_grow_with_the_orders(karin, forvaltning, other_forvaltning, params):
    url = reverse("orders:queue")
    some_orders(forvaltning, 2)
    some_orders(other_forvaltning, 1, state=OrderState.POSTED)
    few = queries_for(karin, url, params)
    some_orders(forvaltning, 20)
    some_orders(other_forvaltning, 10, state=OrderState.POSTED)
    assert queries_for(karin, url, params) == few <= QUERY_LIMIT


def test_queue_with_a_chosen_forvaltning_stays_within_the_limit(karin, other_forvaltning):
    some_orders(other_forvaltning, 5)
    assert queries_for(karin, reverse("orders:queue"), {"forvaltning": other_forvaltning.pk}) <= QUERY_LIMIT


def test_order_page_queries_do_not_grow_with_its_history(karin, card, contact_person):
    order = PukOrderFactory(card=card, placed_by=contact_person, state=OrderState.SECOND_APPROVAL,
                            first_approved_by=UserFactory(), needs_second_approval=True,
                            second_approval_reasons=["placed_on_behalf"])  # fmt: skip
    url = reverse("orders:queue_detail", args=[order.pk])
    record(AuditAction.ORDER_SUBMITTED, order, actor=contact_person)
    short = queries_for(karin, url)
    for _ in range(10):
        record(AuditAction.ORDER_REMINDER_SENT, order)
    assert queries_for(karin, url) == short <= QUERY_LIMIT


def test_export_queries_are_few(karin, forvaltning):
    some_orders(forvaltning, 5)
    assert queries_for(karin, reverse("orders:queue_export"), {"state": "all"}) <= QUERY_LIMIT


def local(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute))


def test_a_date_range_is_whole_days_in_swedish_time(karin, forvaltning):
    """23:30 in Malmö on the 14th is 21:30 or 22:30 UTC: the 14th still, in the page's dates."""
    day = timezone.localdate() - timedelta(days=20)
    late, early_next = some_orders(forvaltning, 2)
    PukOrder.objects.filter(pk=late.pk).update(created_at=local(day, 23, 30))
    PukOrder.objects.filter(pk=early_next.pk).update(created_at=local(day + timedelta(days=1), 0, 30))

    def listed(**params):
        page = karin.get(reverse("orders:queue"), params).content.decode()
        return {order.reference for order in (late, early_next) if order.reference in page}

    assert listed(created_to=day.isoformat()) == {late.reference}
    assert listed(created_from=(day + timedelta(days=1)).isoformat()) == {early_next.reference}
    assert listed(created_from=day.isoformat(), created_to=day.isoformat()) == {late.reference}
    assert listed(created_to="2999-12-31") == {late.reference, early_next.reference}
    # Past the years the filter takes, a message (test_queue.py), not an overflow.
    assert listed(created_to="9999-12-31") == set()


def test_search_needs_every_word_to_start_a_name_of_the_holder(karin, forvaltning):
    def order_of(**holder):
        employee = EmployeeFactory(forvaltning=forvaltning, user=None, **holder)
        return PukOrderFactory(card=CardFactory(holder=employee), placed_by=UserFactory())

    anna = order_of(first_name="Anna", last_name="Lindqvist")
    other_anna = order_of(first_name="Anna", last_name="Berg", hsa_id="SE-LIND-1")

    def found(query):
        page = karin.get(reverse("orders:queue"), {"q": query, "state": "all"}).content.decode()
        return {order.reference for order in (anna, other_anna) if order.reference in page}

    assert found("ANNA lind") == {anna.reference}
    assert found("lindqvist") == {anna.reference}
    assert found("anna") == {anna.reference, other_anna.reference}
    assert found("se-lind-1") == {other_anna.reference}
    assert found("nna") == set()
    card_number = anna.card.card_number
    assert found(f"{card_number[:4]} {card_number[4:]}") == {anna.reference}


def test_search_keeps_to_the_contact_persons_forvaltningar(client, contact_person, forvaltning, other_forvaltning):
    mine = PukOrderFactory(card=CardFactory(holder=EmployeeFactory(forvaltning=forvaltning, last_name="Ek")))
    theirs = PukOrderFactory(card=CardFactory(holder=EmployeeFactory(forvaltning=other_forvaltning, last_name="Ek")))
    client.force_login(contact_person)
    page = client.get(reverse("orders:queue"), {"q": "Ek"}).content.decode()
    assert mine.reference in page and theirs.reference not in page


def test_the_paginator_stops_counting_at_the_cap_and_counts_on_for_a_later_page(karin, forvaltning, monkeypatch):
    monkeypatch.setattr(queue_views, "COUNT_CAP", 30)
    some_orders(forvaltning, 60)
    first = karin.get(reverse("orders:queue")).content.decode()
    assert "Sida 1 av 2+" in first and "page=2" in first
    second = karin.get(reverse("orders:queue"), {"page": 2}).content.decode()
    assert "Sida 2 av 3+" in second and "page=3" in second
    third = karin.get(reverse("orders:queue"), {"page": 3}).content.decode()
    assert "Sida 3 av 3" in third and "page=4" not in third
    assert third.count('name="order"') == 10
    assert "Sida 3 av 3" in karin.get(reverse("orders:queue"), {"page": 99}).content.decode()


def test_below_the_cap_the_pages_are_counted_exactly(karin, forvaltning):
    some_orders(forvaltning, 30)
    assert "Sida 2 av 2" in karin.get(reverse("orders:queue"), {"page": 2}).content.decode()


@pytest.mark.parametrize("merge_from_row", [0, queue_views.MERGE_FROM_ROW])
def test_the_pages_over_two_forvaltningar_list_every_order_once_newest_first(
    karin, forvaltning, other_forvaltning, monkeypatch, merge_from_row
):
    monkeypatch.setattr(queue_views, "MERGE_FROM_ROW", merge_from_row)  # 0: every page merged, as deep ones are
    # Placed in turn in the two förvaltningar, a minute apart: every page takes from both.
    orders = []
    for minute in range(60):
        order = some_orders(forvaltning if minute % 3 else other_forvaltning, 1)[0]
        PukOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=minute))
        orders.append(order.reference)

    pages = [karin.get(reverse("orders:queue"), {"page": number}).content.decode() for number in (1, 2, 3)]

    listed = [ref for page in pages for ref in re.findall(r">(PUK-\d{6})</a>", page)]
    assert listed == orders  # newest first
