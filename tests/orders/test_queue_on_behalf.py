"""A contact person orders a PUK letter for an employee of their förvaltning who cannot log in."""

import pytest
from django.urls import reverse

from orders import services
from orders.models import PukOrder
from orders.states import OrderState
from tests.factories import CardFactory, CardTypeFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

VALID = {"blocked_codes": "both", "reason": "never_received"}


@pytest.fixture
def karin(client, contact_person):
    client.force_login(contact_person)
    return client


@pytest.fixture
def logless_card(forvaltning, register):
    """The card of an employee without a login."""
    employee = EmployeeFactory(user=None, forvaltning=forvaltning, first_name="Olle", last_name="Utanlogin")
    register.add(employee)
    return CardFactory(holder=employee)


def test_search_finds_employees_of_own_forvaltning_only(karin, logless_card, other_forvaltning):
    EmployeeFactory(user=None, forvaltning=other_forvaltning, first_name="Olle", last_name="Annanstans")
    page = karin.get(reverse("orders:on_behalf"), {"q": "olle"}).content.decode()
    assert "Utanlogin" in page
    assert "Annanstans" not in page
    assert reverse("orders:on_behalf_order", args=[logless_card.pk]) in page


def test_search_by_hsa_id_or_personnummer(karin, logless_card):
    holder = logless_card.holder
    for query in (holder.hsa_id, holder.personnummer[2:], f"{holder.personnummer[:8]}-{holder.personnummer[8:]}"):
        assert "Utanlogin" in karin.get(reverse("orders:on_behalf"), {"q": query}).content.decode()


def test_a_one_letter_search_asks_for_more(karin, logless_card):
    response = karin.get(reverse("orders:on_behalf"), {"q": "o"})
    assert response.status_code == 200
    assert "Utanlogin" not in response.content.decode()


def test_contact_person_orders_on_behalf_and_sees_only_the_address_status(karin, logless_card, contact_person):
    url = reverse("orders:on_behalf_order", args=[logless_card.pk])
    assert karin.get(url).status_code == 200

    confirm = karin.post(url, VALID).content.decode()
    assert "Folkbokföringsadress finns" in confirm
    assert "Storgatan" not in confirm and "MALMÖ" not in confirm and "S*****" not in confirm
    assert PukOrder.objects.count() == 0

    response = karin.post(url, {**VALID, "confirmed": "on"})
    order = PukOrder.objects.get()
    assert response.url == reverse("orders:queue_detail", args=[order.pk])
    assert order.placed_by == contact_person
    assert order.holder == logless_card.holder
    # karin, who placed it, is the first pair of eyes: one approval by someone else completes it.
    assert not order.needs_second_approval and "placed_on_behalf" in order.second_approval_reasons


def test_the_one_who_placed_it_cannot_approve_it_but_another_contact_person_can(
    karin, logless_card, contact_person, second_contact_person
):
    karin.post(reverse("orders:on_behalf_order", args=[logless_card.pk]), {**VALID, "confirmed": "on"})
    order = PukOrder.objects.get()
    response = karin.post(reverse("orders:approve", args=[order.pk]), {"state": order.state}, follow=True)
    assert "annan kontaktperson måste godkänna" in response.content.decode()
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED
    services.approve_order(order=order, by=second_contact_person)
    assert order.state == OrderState.APPROVED  # the placer and sara: four eyes


def test_protected_holder_is_ordered_for_without_any_address(karin, logless_card, register):
    register.add(logless_card.holder, status="protected")
    page = karin.post(reverse("orders:on_behalf_order", args=[logless_card.pk]), VALID).content.decode()
    assert "Skyddade personuppgifter" in page


def test_an_ineligible_card_is_refused_as_in_the_employee_flow(karin, forvaltning, register):
    reserve = CardFactory(
        holder=EmployeeFactory(user=None, forvaltning=forvaltning),
        card_type=CardTypeFactory(code="reserv", name="Reservkort", is_reserve_card=True),
    )
    response = karin.post(reverse("orders:on_behalf_order", args=[reserve.pk]), {**VALID, "confirmed": "on"})
    assert "reservkort kan inte få någon ny PUK-kod" in response.content.decode()
    assert PukOrder.objects.count() == 0


def test_a_card_with_an_open_order_links_to_it_in_the_queue(karin, logless_card, contact_person):
    url = reverse("orders:on_behalf_order", args=[logless_card.pk])
    karin.post(url, {**VALID, "confirmed": "on"})
    order = PukOrder.objects.get()
    page = karin.get(url).content.decode()
    assert reverse("orders:queue_detail", args=[order.pk]) in page
    assert PukOrder.objects.count() == 1


def test_holder_without_registered_address_is_refused_and_nothing_written(karin, logless_card, register):
    register.add(logless_card.holder, status="missing")
    response = karin.post(reverse("orders:on_behalf_order", args=[logless_card.pk]), VALID)
    page = response.content.decode()
    assert "Hänvisa medarbetaren till en kortstation" in page
    assert "Du saknar" not in page  # spoken to the contact person, not to the holder
    assert PukOrder.objects.count() == 0


def test_another_forvaltnings_card_is_404_and_nothing_written(karin, other_forvaltning):
    theirs = CardFactory(holder=EmployeeFactory(user=None, forvaltning=other_forvaltning))
    url = reverse("orders:on_behalf_order", args=[theirs.pk])
    assert karin.get(url).status_code == 404
    assert karin.post(url, {**VALID, "confirmed": "on"}).status_code == 404
    assert PukOrder.objects.count() == 0
