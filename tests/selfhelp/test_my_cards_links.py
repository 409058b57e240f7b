"""Mina kort leads to the guides: an orderable card first offers "Har du kvar PUK-brevet?
Lås upp själv" and only then the order button; a card that cannot get a letter links the
guide that says what to do instead."""

import pytest
from django.urls import reverse

from cards.models import Card, CardType
from tests.factories import CardFactory, CardTypeFactory

pytestmark = pytest.mark.django_db

UNBLOCK_GUIDE = 'href="/hjalp/las-upp-med-puk/"'


def card_row(page, card):
    """The page's list item of `card` (each row holds its masked number)."""
    (row,) = [row for row in page.split('<li class="card-row">')[1:] if card.masked_number in row]
    return row


def test_an_orderable_card_offers_unblocking_yourself_before_the_order_button(employee_client, card):
    row = card_row(employee_client.get(reverse("orders:my_cards")).content.decode(), card)
    order_button = f'href="{reverse("orders:new", args=[card.pk])}"'
    assert "Har du kvar PUK-brevet?" in row
    assert UNBLOCK_GUIDE in row and order_button in row
    assert row.index(UNBLOCK_GUIDE) < row.index(order_button)


@pytest.mark.parametrize(
    ("card_type", "status", "guide"),
    [
        ({"code": "reserv", "name": "Reservkort", "is_reserve_card": True}, Card.Status.ACTIVE, "reservkort"),
        ({"code": "gen1", "name": "RS-kort gen 1", "puk_route": CardType.PukRoute.DESK_ONLY}, Card.Status.ACTIVE,
         "kortstationer"),
        ({"code": "utan-puk", "name": "Kort utan PUK", "puk_route": CardType.PukRoute.NONE}, Card.Status.ACTIVE,
         "puk-sparrad"),
        ({"code": "rs-kort"}, Card.Status.REVOKED, "puk-sparrad"),
    ],
)  # fmt: skip
def test_a_card_that_cannot_get_a_letter_links_its_guide(employee_client, employee, card_type, status, guide):
    card = CardFactory(holder=employee, card_type=CardTypeFactory(**card_type), status=status)
    row = card_row(employee_client.get(reverse("orders:my_cards")).content.decode(), card)
    assert f'href="/hjalp/{guide}/"' in row
    assert reverse("orders:new", args=[card.pk]) not in row


def test_the_help_section_links_the_guides(employee_client, card):
    assert f'href="{reverse("selfhelp:index")}"' in employee_client.get(reverse("orders:my_cards")).content.decode()
