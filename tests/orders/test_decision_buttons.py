"""The queue shows a person the decisions they may take, and says why the others are not
theirs, by the same rule the service refuses with (issue 15, point 5)."""

import pytest
from django.urls import reverse
from django.utils import translation

from orders import services
from orders.rules import DecisionRefusal
from orders.states import OrderState
from organisation.services import assign_contact_person
from tests.factories import CardFactory, EmployeeFactory, PukOrderFactory

pytestmark = pytest.mark.django_db


def detail(client, user, order):
    client.force_login(user)
    return client.get(reverse("orders:queue_detail", args=[order.pk])).content.decode()


def has_decision(page, order):
    return reverse("orders:approve", args=[order.pk]) in page or reverse("orders:reject", args=[order.pk]) in page


def test_the_placer_sees_no_decision_but_why_and_another_contact_person_sees_it(
    client, card, contact_person, second_contact_person
):
    order = services.place_order(placed_by=contact_person, card=card, reason="lost_letter", blocked_codes="both")

    page = detail(client, contact_person, order)
    assert not has_decision(page, order)
    assert str(DecisionRefusal.PLACED_BY_YOU) in page
    assert has_decision(detail(client, second_contact_person, order), order)


def test_the_holder_who_is_a_contact_person_sees_no_decision_on_their_own_order(
    client, forvaltning, contact_person, second_contact_person, register
):
    own_card = CardFactory(holder=EmployeeFactory(user=contact_person, forvaltning=forvaltning))
    register.add(own_card.holder)
    order = services.place_order(placed_by=contact_person, card=own_card, reason="lost_letter", blocked_codes="both")
    page = detail(client, contact_person, order)
    assert not has_decision(page, order) and "gäller dig själv" in page


def test_the_first_approver_sees_no_second_decision(client, card, contact_person, second_contact_person):
    order = PukOrderFactory(card=card, needs_second_approval=True, second_approval_reasons=["repeat_orders"])
    services.approve_order(order=order, by=contact_person)
    assert order.state == OrderState.SECOND_APPROVAL
    page = detail(client, contact_person, order)
    assert not has_decision(page, order) and "du har redan godkänt den" in page
    assert has_decision(detail(client, second_contact_person, order), order)


def test_the_reason_is_given_in_english_too(client, card, contact_person, settings):
    order = services.place_order(placed_by=contact_person, card=card, reason="lost_letter", blocked_codes="both")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = detail(client, contact_person, order)
    with translation.override("en"):
        english = str(DecisionRefusal.PLACED_BY_YOU)
    with translation.override("sv"):
        assert english != str(DecisionRefusal.PLACED_BY_YOU)
    assert english in page
    assert not has_decision(page, order)


def test_the_queue_list_offers_no_checkbox_for_an_order_one_may_not_decide(
    client, card, forvaltning, contact_person, second_contact_person
):
    mine = services.place_order(placed_by=contact_person, card=card, reason="lost_letter", blocked_codes="both")
    other = PukOrderFactory(card=CardFactory(holder=EmployeeFactory(forvaltning=forvaltning)))
    client.force_login(contact_person)
    page = client.get(reverse("orders:queue")).content.decode()

    assert f'name="order" value="{other.pk}"' in page
    assert f'name="order" value="{mine.pk}"' not in page
    assert str(DecisionRefusal.PLACED_BY_YOU) in page

    client.force_login(second_contact_person)
    assert f'name="order" value="{mine.pk}"' in client.get(reverse("orders:queue")).content.decode()


def test_a_substitute_assigned_to_two_forvaltningar_is_refused_the_same_way_everywhere(
    client, card, contact_person, other_forvaltning
):
    assign_contact_person(user=contact_person, forvaltning=other_forvaltning)
    order = services.place_order(placed_by=contact_person, card=card, reason="lost_letter", blocked_codes="both")
    client.force_login(contact_person)
    response = client.post(reverse("orders:approve", args=[order.pk]), {"state": order.state}, follow=True)
    assert str(DecisionRefusal.PLACED_BY_YOU) in response.content.decode()
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED
