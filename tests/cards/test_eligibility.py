"""May a PUK letter be ordered for a card? The pure rules, then what the employee sees."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.urls import reverse

from cards.eligibility import REFUSAL_MESSAGES, REFUSAL_MESSAGES_TO_CONTACT_PERSON, CardFacts, Refusal, letter_refusal
from cards.models import Card, CardType
from desk.models import Station
from orders.models import PukOrder
from tests.factories import CardFactory, CardTypeFactory, PukOrderFactory

TODAY = date(2026, 3, 2)
ORDERABLE = CardFacts(
    has_region_logo=True,
    is_reserve_card=False,
    puk_route="letter",
    revoked=False,
    valid_to=TODAY + timedelta(days=30),
    has_open_order=False,
)


def test_an_active_rs_card_with_the_letter_route_may_get_a_letter():
    assert letter_refusal(ORDERABLE, TODAY) is None


def test_a_card_valid_through_today_may_still_get_a_letter():
    assert letter_refusal(replace(ORDERABLE, valid_to=TODAY), TODAY) is None


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"puk_route": "desk_only"}, Refusal.DESK_ONLY),
        ({"has_region_logo": False}, Refusal.NO_REGION_LOGO),
        ({"revoked": True}, Refusal.REVOKED),
        ({"valid_to": TODAY - timedelta(days=1)}, Refusal.EXPIRED),
        ({"puk_route": "none"}, Refusal.NO_NEW_PUK),
        ({"is_reserve_card": True}, Refusal.RESERVE_CARD),
        ({"has_open_order": True}, Refusal.OPEN_ORDER),
    ],
)
def test_each_reason_a_letter_may_not_be_ordered(change, refusal):
    assert letter_refusal(replace(ORDERABLE, **change), TODAY) is refusal


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        # A reservkort is cut whatever else holds: the most useful thing to say first.
        ({"is_reserve_card": True, "has_region_logo": False, "revoked": True}, Refusal.RESERVE_CARD),
        # A card from another issuer: its issuer is the one to ask, even when it is revoked.
        ({"has_region_logo": False, "revoked": True, "puk_route": "desk_only"}, Refusal.NO_REGION_LOGO),
        # A revoked or expired card needs a new card, not a visit to the desk.
        ({"revoked": True, "puk_route": "desk_only"}, Refusal.REVOKED),
        ({"valid_to": TODAY - timedelta(days=1), "puk_route": "desk_only"}, Refusal.EXPIRED),
        # An open order matters only for a card that could get a letter at all.
        ({"puk_route": "desk_only", "has_open_order": True}, Refusal.DESK_ONLY),
    ],
)
def test_the_first_reason_that_applies_is_the_one_given(change, refusal):
    assert letter_refusal(replace(ORDERABLE, **change), TODAY) is refusal


def test_every_refusal_has_a_message():
    assert set(REFUSAL_MESSAGES) == set(Refusal)


def test_every_refusal_has_a_message_for_a_contact_person_that_sends_them_to_no_contact_person():
    assert set(REFUSAL_MESSAGES_TO_CONTACT_PERSON) == set(Refusal)
    for message in REFUSAL_MESSAGES_TO_CONTACT_PERSON.values():
        assert "kontaktperson" not in str(message) and " du " not in f" {message} ".lower()


# --- What the employee sees -------------------------------------------------------------

CARDS = {
    Refusal.DESK_ONLY: lambda holder: CardFactory(
        holder=holder, card_type=CardTypeFactory(code="gen1", name="RS-kort generation 1", puk_route="desk_only")
    ),
    Refusal.NO_REGION_LOGO: lambda holder: CardFactory(
        holder=holder, card_type=CardTypeFactory(code="siths", name="SITHS-kort", has_region_logo=False)
    ),
    Refusal.REVOKED: lambda holder: CardFactory(holder=holder, status=Card.Status.REVOKED),
    Refusal.EXPIRED: lambda holder: CardFactory(holder=holder, valid_to=date.today() - timedelta(days=1)),
    Refusal.NO_NEW_PUK: lambda holder: CardFactory(
        holder=holder, card_type=CardTypeFactory(code="besok", name="Besökskort", puk_route=CardType.PukRoute.NONE)
    ),
    Refusal.RESERVE_CARD: lambda holder: CardFactory(
        holder=holder,
        card_type=CardTypeFactory(code="reserv", name="Reservkort", is_reserve_card=True, puk_route="none"),
    ),
    Refusal.OPEN_ORDER: lambda holder: PukOrderFactory(card=CardFactory(holder=holder)).card,
}


@pytest.fixture
def stations(db):
    return [
        Station.objects.create(name="Kortstation Lund", location="Entréhallen, SUS Lund", credential_hash="a" * 64),
        Station.objects.create(name="Kortstation Malmö", location="Hus 74, SUS Malmö", credential_hash="b" * 64),
        Station.objects.create(name="Stängd station", location="Ingenstans", credential_hash="c" * 64, active=False),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("refusal", list(CARDS))
def test_the_order_page_refuses_with_the_message_and_writes_nothing(employee_client, employee, refusal, stations):
    card = CARDS[refusal](employee)
    orders_before = PukOrder.objects.count()
    url = reverse("orders:new", args=[card.pk])
    order_form = {"blocked_codes": "both", "reason": "lost_letter", "confirmed": "on"}
    for response in (employee_client.get(url), employee_client.post(url, order_form)):
        page = response.content.decode()
        assert response.status_code == 200
        assert str(REFUSAL_MESSAGES[refusal]) in page
        assert "0776-73 00 00" in page
        assert ("Kortstation Lund" in page) is (refusal is Refusal.DESK_ONLY)
    assert PukOrder.objects.count() == orders_before


@pytest.mark.django_db
def test_a_desk_only_card_lists_the_active_card_stations_where_to_go(employee_client, employee, stations):
    card = CARDS[Refusal.DESK_ONLY](employee)
    for url in (reverse("orders:new", args=[card.pk]), reverse("orders:my_cards")):
        page = employee_client.get(url).content.decode()
        assert "Kortstationer där kortet kan låsas upp" in page
        assert "Kortstation Lund</strong>, Entréhallen, SUS Lund" in page
        assert "Kortstation Malmö</strong>, Hus 74, SUS Malmö" in page
        assert "Stängd station" not in page


@pytest.mark.django_db
def test_an_open_order_refusal_links_to_that_order(employee_client, employee):
    card = CARDS[Refusal.OPEN_ORDER](employee)
    page = employee_client.get(reverse("orders:new", args=[card.pk])).content.decode()
    assert reverse("orders:detail", args=[card.puk_orders.get().pk]) in page


@pytest.mark.django_db
@pytest.mark.parametrize("refusal", [r for r in CARDS if r is not Refusal.OPEN_ORDER])
def test_mina_kort_says_why_instead_of_offering_an_order(employee_client, employee, refusal, stations):
    card = CARDS[refusal](employee)
    page = employee_client.get(reverse("orders:my_cards")).content.decode()
    assert str(REFUSAL_MESSAGES[refusal]) in page
    assert reverse("orders:new", args=[card.pk]) not in page


@pytest.mark.django_db
def test_a_holder_without_a_registered_address_is_shown_the_card_stations(employee_client, card, register, stations):
    register.add(card.holder, status="missing")
    page = employee_client.post(
        reverse("orders:new", args=[card.pk]), {"blocked_codes": "both", "reason": "lost_letter"}
    ).content.decode()
    assert "saknar folkbokföringsadress" in page
    assert "Kortstation Malmö" in page


@pytest.mark.django_db
def test_mina_kort_shows_a_revoked_card_as_revoked_even_when_it_has_also_expired(employee_client, employee):
    CardFactory(holder=employee, status=Card.Status.REVOKED, valid_to=date(2025, 1, 31))
    page = employee_client.get(reverse("orders:my_cards")).content.decode()
    assert "<dd>Spärrat</dd>" in page
    assert "Utgånget" not in page
