"""After sending, the employee is told who decides, whether two approvers are needed and
why, what happens next and how long it usually takes: on the order page and in the receipt
(issue 15, point 7)."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders import notifications, services
from orders.models import Letter, PukOrder
from orders.states import OrderState
from tests.factories import CardFactory, EmployeeFactory, ForvaltningFactory, PukOrderFactory

pytestmark = pytest.mark.django_db

DEFAULT = "Kodbrevet skickas vanligtvis inom 5 arbetsdagar från beställningen."


def place(card, by=None):
    return services.place_order(
        placed_by=by or card.holder.user, card=card, reason="lost_letter", blocked_codes="legitimering"
    )


def order_page(client, order):
    client.force_login(order.holder.user)
    return client.get(reverse("orders:detail", args=[order.pk])).content.decode()


def posted_orders(forvaltning, working_days):
    """Orders of `forvaltning`, each placed on a recent Monday and posted that many working
    days later (at most four: within the week)."""
    today = timezone.localdate()
    for weeks_ago, days in enumerate(working_days, start=1):
        monday = today - timedelta(days=today.weekday() + 7 * weeks_ago)
        order = PukOrderFactory(
            card=CardFactory(holder=EmployeeFactory(forvaltning=forvaltning)), state=OrderState.POSTED
        )
        created = timezone.make_aware(datetime.combine(monday, time(9)))
        PukOrder.objects.filter(pk=order.pk).update(created_at=created)
        Letter.objects.create(order=order, posted_at=created + timedelta(days=days))


def test_david_who_just_moved_is_told_two_approvers_are_needed_and_why(
    client, card, contact_person, second_contact_person, register
):
    register.add(card.holder, registered_since=(timezone.localdate() - timedelta(days=11)).isoformat())
    page = order_page(client, place(card))
    assert "Så går det vidare" in page
    assert "Kontaktpersonerna för Skånes universitetssjukvård beslutar om beställningen." in page
    assert "Två olika personer måste godkänna beställningen. Skäl: Folkbokföringsadressen är nyligen ändrad." in page
    assert "skickas som rekommenderat brev till din folkbokföringsadress" in page
    assert DEFAULT in page  # the förvaltning has no posted orders yet


def test_an_ordinary_order_needs_one_approval_and_says_so(client, card, contact_person):
    page = order_page(client, place(card))
    assert "Det räcker att en av dem godkänner den." in page
    assert "Två olika personer" not in page


def test_the_typical_time_is_the_median_of_the_forvaltnings_recent_posted_orders(client, card, contact_person):
    posted_orders(card.holder.forvaltning, [1, 2, 3, 3, 4])
    posted_orders(ForvaltningFactory(code="annan"), [1, 1, 1, 1, 1])  # another förvaltning's do not count
    page = order_page(client, place(card))
    assert "Kodbrevet skickas vanligtvis inom 3 arbetsdagar från beställningen (mittvärdet för din" in page
    assert "5 senaste skickade beställningar de senaste 90 dagarna" in page


def test_fewer_recent_orders_than_the_minimum_give_the_stated_default(client, card, contact_person, settings):
    posted_orders(card.holder.forvaltning, [1, 1, 1, 1])
    assert DEFAULT in order_page(client, place(card))
    settings.RSPORTAL_TYPICAL_TIME_MIN_ORDERS = 4
    assert "inom 1 arbetsdag från beställningen (mittvärdet" in order_page(
        client, PukOrder.objects.get(holder=card.holder)
    )


def test_the_order_page_asks_one_query_more_whatever_the_forvaltnings_history(client, card, contact_person):
    order = place(card)
    client.force_login(card.holder.user)
    url = reverse("orders:detail", args=[order.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    posted_orders(card.holder.forvaltning, [1, 2, 3, 4, 4, 2, 1])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_an_order_in_the_central_queue_says_who_handles_it(client, register):
    olle = EmployeeFactory(forvaltning=ForvaltningFactory(code="regionservice", name="Regionservice"))
    register.add(olle)
    page = order_page(client, place(CardFactory(holder=olle)))
    assert (
        "Beställningen hanteras av Region Skånes RS-kortadministratörer eftersom din förvaltning "
        "saknar tillräckligt många kontaktpersoner."
    ) in page
    assert "Din förvaltnings kontaktperson" not in page


def test_an_order_placed_on_behalf_says_the_placer_is_the_first_pair_of_eyes(
    client, card, contact_person, second_contact_person
):
    page = order_page(client, place(card, by=contact_person))
    assert "Karin Kontakt lade beställningen åt dig och räknas som den första av två granskare" in page


def test_a_decided_order_has_no_outlook(client, card, contact_person):
    order = place(card)
    services.approve_order(order=order, by=contact_person)
    assert "Så går det vidare" not in order_page(client, order)


def test_the_receipt_says_who_decides_what_happens_next_and_how_long_it_takes(
    card, contact_person, second_contact_person, register, mailoutbox
):
    register.add(card.holder, registered_since=(timezone.localdate() - timedelta(days=3)).isoformat())
    order = place(card)
    notifications.send_order_receipt(order.pk)
    (receipt,) = mailoutbox
    assert "Kontaktpersonerna för Skånes universitetssjukvård beslutar om beställningen." in receipt.body
    assert "Skäl: Folkbokföringsadressen är nyligen ändrad." in receipt.body
    assert "När beställningen är godkänd skapas kodbrevet" in receipt.body
    assert DEFAULT in receipt.body
    assert "Din förvaltnings kontaktperson går igenom" not in receipt.body


def test_the_order_page_says_it_in_english_too(client, card, contact_person, settings):
    order = place(card)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = order_page(client, order)
    assert "What happens next" in page
    assert "The contact persons of Skånes universitetssjukvård decide on the order." in page
    assert "The code letter is usually sent within 5 working days of the order." in page
