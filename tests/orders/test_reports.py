"""The monthly report per förvaltning: counted in the database, own förvaltningar only."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Letter, PukOrder
from orders.reports import month_bounds, monthly_report
from orders.states import OrderState
from organisation.models import Forvaltning
from tests.factories import CardFactory, EmployeeFactory, PukOrderFactory

pytestmark = pytest.mark.django_db

MARCH = date(2025, 3, 1)


def at(day, hour=9):
    return timezone.make_aware(datetime(2025, 3, 1, hour) + timedelta(days=day - 1))


def make_order(forvaltning, state, created, decided=None, decided_by=None):
    card = CardFactory(holder=EmployeeFactory(forvaltning=forvaltning))
    order = PukOrderFactory(card=card, forvaltning=forvaltning, state=state, decided_at=decided, decided_by=decided_by)
    PukOrder.objects.filter(pk=order.pk).update(created_at=created)
    return order


def test_month_bounds_are_local_midnights_and_december_rolls_over():
    start, end = month_bounds(date(2024, 12, 15))
    assert (timezone.localtime(start).date(), timezone.localtime(end).date()) == (date(2024, 12, 1), date(2025, 1, 1))
    assert timezone.localtime(start).hour == 0


def test_monthly_report_counts_orders_decisions_and_time_to_approval(forvaltning, other_forvaltning, contact_person):
    make_order(forvaltning, OrderState.POSTED, at(2), at(2, 11), contact_person)  # 2 h
    make_order(forvaltning, OrderState.DELIVERED, at(3), at(4, 9), contact_person)  # 24 h
    make_order(forvaltning, OrderState.APPROVED, at(5), at(7, 9), contact_person)  # 48 h
    make_order(forvaltning, OrderState.REJECTED, at(6), at(6, 10), contact_person)
    make_order(forvaltning, OrderState.SUBMITTED, at(20))
    make_order(forvaltning, OrderState.POSTED, at(-3), at(1, 10), contact_person)  # placed in February
    make_order(forvaltning, OrderState.POSTED, at(30), at(33), contact_person)  # decided in April
    make_order(other_forvaltning, OrderState.POSTED, at(2), at(2, 10), contact_person)

    (row,) = monthly_report(Forvaltning.objects.filter(pk=forvaltning.pk), MARCH)
    assert row.forvaltning == forvaltning
    assert (row.orders, row.approvals, row.rejections) == (6, 4, 1)
    assert row.median_time_to_approval == timedelta(hours=36)  # of 2, 24, 48 and 73 hours


def make_letter(order, made, generation=1):
    letter = Letter.objects.create(order=order, generation=generation)
    Letter.objects.filter(pk=letter.pk).update(created_at=made)
    return letter


def test_monthly_report_counts_the_letters_made_in_the_month_and_their_cost(
    forvaltning, other_forvaltning, contact_person, settings
):
    settings.RSPORTAL_LETTER_PRICE_SEK = 150
    make_letter(make_order(forvaltning, OrderState.POSTED, at(2), at(2, 11), contact_person), at(2, 12))
    make_letter(make_order(forvaltning, OrderState.DELIVERED, at(3), at(4, 9), contact_person), at(4, 10))
    # Decided in February, its letter made in March: March pays for it.
    make_letter(make_order(forvaltning, OrderState.POSTED, at(-2), at(0, 16), contact_person), at(1, 1))
    # Returned and sent again: two letters, both paid for.
    sent_again = make_order(forvaltning, OrderState.POSTED, at(5), at(5, 10), contact_person)
    make_letter(sent_again, at(5, 11))
    make_letter(sent_again, at(20), generation=2)
    # Approved, but no letter made yet: nothing to pay for so far.
    make_order(forvaltning, OrderState.APPROVED, at(7), at(7, 9), contact_person)
    # Decided in March, its letter made in April.
    make_letter(make_order(forvaltning, OrderState.POSTED, at(31), at(31, 23), contact_person), at(32, 1))
    make_letter(make_order(other_forvaltning, OrderState.POSTED, at(2), at(2, 10), contact_person), at(2, 11))

    (row,) = monthly_report(Forvaltning.objects.filter(pk=forvaltning.pk), MARCH)
    assert row.letters == 5
    assert row.letter_cost == Decimal(750)


def test_monthly_report_keeps_a_row_for_a_forvaltning_without_orders(forvaltning):
    (row,) = monthly_report(Forvaltning.objects.all(), MARCH)
    assert (row.orders, row.letters, row.median_time_to_approval) == (0, 0, None)


def test_monthly_report_query_count_does_not_grow_with_the_orders(
    forvaltning, contact_person, django_assert_max_num_queries
):
    for day in range(1, 20):
        make_letter(make_order(forvaltning, OrderState.POSTED, at(day), at(day, 12), contact_person), at(day, 13))
    with django_assert_max_num_queries(3):
        (row,) = monthly_report(Forvaltning.objects.all(), MARCH)
    assert row.letters == 19


def test_report_page_shows_only_the_contact_persons_forvaltningar(
    client, contact_person, forvaltning, other_forvaltning
):
    make_order(forvaltning, OrderState.POSTED, at(2), at(2, 11), contact_person)
    client.force_login(contact_person)
    page = client.get(reverse("orders:report"), {"month": "2025-03"}).content.decode()
    assert forvaltning.name in page
    assert other_forvaltning.name not in page
    assert "150" in page


def test_report_page_with_a_nonsense_month_asks_for_a_real_one(client, contact_person):
    client.force_login(contact_person)
    response = client.get(reverse("orders:report"), {"month": "2025-13"})
    assert response.status_code == 200
    assert "Välj en månad" in response.content.decode()


def test_report_page_defaults_to_this_month(client, contact_person):
    client.force_login(contact_person)
    page = client.get(reverse("orders:report")).content.decode()
    assert f"{timezone.localdate():%Y-%m}" in page


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1899-12", "3000-01"])
def test_report_page_with_a_month_out_of_range_says_which_years_and_does_not_fail(client, contact_person, month):
    client.force_login(contact_person)
    response = client.get(reverse("orders:report"), {"month": month})
    assert response.status_code == 200
    assert "Ange ett år mellan 1900 och 2999." in response.content.decode()


def test_report_page_with_an_empty_month_asks_for_one(client, contact_person):
    client.force_login(contact_person)
    response = client.get(reverse("orders:report"), {"month": ""})
    assert response.status_code == 200
    assert "Välj en månad" in response.content.decode()
