"""The queue's search finds an order by its number, as the notice mail gives it
(PUK-000006, or its six digits), and by the holder's personnummer in any usual form,
within the contact person's förvaltningar only, with no more queries than a name search."""

import pytest
from django.conf import settings
from django.urls import reverse

from orders.filters import order_pk_searched, personnummer_searched
from orders.models import PukOrder
from tests.factories import CardFactory, EmployeeFactory, PukOrderFactory
from tests.orders.test_queue_queries import queries_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("term", "pk"),
    [
        ("PUK-000006", 6),
        ("puk-000006", 6),
        (" PUK-000006 ", 6),
        ("PUK 000006", 6),
        ("PUK000006", 6),
        ("puk-6", 6),
        ("PUK-000006-1", 6),  # a letter's id: its order
        ("000006", 6),
        ("123456", 123456),
        ("PUK-1234567", 1234567),
        ("1234567", 1234567),
        ("6", None),  # a bare number names an order only as the reference writes it
        ("06", None),
        ("0000006", None),
        ("PUK-0", None),
        ("PUK-", None),
        ("PUK-1234567890", None),
        ("Anna", None),
        ("SE2321000289-T00001", None),
        ("9752270000010012", None),
        ("19811228-9874", None),
    ],
)
def test_an_order_number_is_recognised_as_the_mails_and_pages_write_it(term, pk):
    assert order_pk_searched(term) == pk


@pytest.mark.parametrize(
    ("term", "personnummer"),
    [
        ("19811228-9874", "198112289874"),
        ("811228-9874", "198112289874"),
        ("198112289874", "198112289874"),
        ("8112289874", "198112289874"),
        (" 19811228 9874 ", "198112289874"),
        ("19811228-9875", None),  # a wrong check digit: nobody's
        ("Anna", None),
        ("PUK-000006", None),
        ("9752270000010012", None),
    ],
)
def test_a_personnummer_is_recognised_in_its_usual_forms(term, personnummer):
    assert personnummer_searched(term) == personnummer


@pytest.fixture
def karin(client, contact_person):
    client.force_login(contact_person)
    return client


def found(client, q):
    """The orders the queue lists for the search `q`, by their links."""
    page = client.get(reverse("orders:queue"), {"q": q, "state": "all"}).content.decode()
    links = {order: f'href="{reverse("orders:queue_detail", args=[order.pk])}"' for order in PukOrder.objects.all()}
    return {order for order, link in links.items() if link in page}


def test_the_queue_finds_an_order_by_its_number(karin, card):
    order = PukOrderFactory(card=card)
    other = PukOrderFactory(card=CardFactory(holder=card.holder))
    digits = order.reference.removeprefix("PUK-")
    for term in (order.reference, order.reference.lower(), digits, f"puk-{order.pk}", f"{order.reference}-1"):
        assert found(karin, term) == {order}, term
    assert other in found(karin, "")


def test_the_queue_finds_an_order_by_the_holders_personnummer_in_any_form(karin, forvaltning, register):
    holder = EmployeeFactory(forvaltning=forvaltning, personnummer="198112289874")
    order = PukOrderFactory(card=CardFactory(holder=holder))
    other = PukOrderFactory(card=CardFactory(holder=EmployeeFactory(forvaltning=forvaltning)))
    for term in ("19811228-9874", "811228-9874", "198112289874", "8112289874"):
        assert found(karin, term) == {order}, term
    assert other in found(karin, "")


def test_the_queue_search_finds_no_order_of_another_forvaltning_by_number_or_personnummer(
    karin, card, other_forvaltning
):
    theirs = PukOrderFactory(
        card=CardFactory(holder=EmployeeFactory(forvaltning=other_forvaltning, personnummer="198112289874"))
    )
    mine = PukOrderFactory(card=card)
    assert found(karin, "") == {mine}
    for term in (theirs.reference, "19811228-9874"):
        assert found(karin, term) == set()


def test_the_search_box_says_what_it_finds(karin):
    page = karin.get(reverse("orders:queue")).content.decode()
    assert "personnummer" in page and "beställningsnummer" in page
    karin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = karin.get(reverse("orders:queue")).content.decode()
    assert "personal identity number" in page and "order number" in page


def test_a_search_by_number_or_personnummer_asks_no_more_than_a_search_by_name(karin, card):
    order = PukOrderFactory(card=card)
    url = reverse("orders:queue")
    by_name = queries_for(karin, url, {"q": card.holder.first_name, "state": "all"})
    assert queries_for(karin, url, {"q": order.reference, "state": "all"}) <= by_name
    assert queries_for(karin, url, {"q": card.holder.personnummer, "state": "all"}) <= by_name
