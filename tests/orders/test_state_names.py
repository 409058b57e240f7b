"""One set of names for an order's state (orders.states.OrderState), used by the badge, the
letter's steps on the order pages and the CSV, so the page never contradicts itself
(issue 15, point 8)."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from letters import services as letters
from letters import status as print_house_status
from orders.states import OrderState
from tests.factories import approved_order, give_puk

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_the_print_house(card, contact_person):
    give_puk(card)
    order = approved_order(card, contact_person)
    letters.produce_letter(order.pk)
    order.refresh_from_db()
    assert order.state == OrderState.LETTER_QUEUED
    return order


def badge(page):
    return re.search(r'<span class="state state-\w+">([^<]*)</span>', page).group(1)


def letter_steps(page):
    section = page[page.index('class="letter-status"') :]
    return re.findall(r"<dt>([^<]*)</dt>", section[: section.index("</section>")])


def csv_states(client):
    text = b"".join(client.get(reverse("orders:queue_export"), {"state": "all"}).streaming_content).decode()
    return [row[2] for row in list(csv.reader(io.StringIO(text[1:]), delimiter=";"))[1:]]


def test_a_letter_at_the_print_house_has_one_name_on_both_pages_and_in_the_csv(
    client, at_the_print_house, contact_person
):
    order = at_the_print_house
    client.force_login(order.holder.user)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert badge(page) == "Hos tryckeriet"
    assert letter_steps(page) == ["Hos tryckeriet"]
    assert "Kodbrevet skapas" not in page and "Skapat" not in page

    client.force_login(contact_person)
    page = client.get(reverse("orders:queue_detail", args=[order.pk])).content.decode()
    assert badge(page) == "Hos tryckeriet" and letter_steps(page) == ["Hos tryckeriet"]
    assert csv_states(client) == ["Hos tryckeriet"]


def test_each_step_of_the_letter_is_named_as_the_state_it_brought(client, at_the_print_house, contact_person):
    order = at_the_print_house
    letter = order.letters.get()
    for status, extra in (("printed", {}), ("posted", {"tracking_id": "RR123456789SE"})):
        print_house_status.apply_event(
            {"event_id": f"e-{status}", "letter_id": letter.letter_id, "status": status, **extra}
        )
    client.force_login(order.holder.user)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    posted = str(OrderState.POSTED.label)
    assert badge(page) == posted
    assert letter_steps(page) == [str(OrderState.LETTER_QUEUED.label), str(OrderState.PRINTED.label), posted]
    assert f"{timezone.localdate():%Y-%m-%d}, kolli-id RR123456789SE" in page
    client.force_login(contact_person)
    assert csv_states(client) == [posted]


def test_the_names_are_one_set_in_english_too(client, at_the_print_house, contact_person, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(at_the_print_house.holder.user)
    page = client.get(reverse("orders:detail", args=[at_the_print_house.pk])).content.decode()
    assert badge(page) == "At the print house" and letter_steps(page) == ["At the print house"]
    client.force_login(contact_person)
    assert csv_states(client) == ["At the print house"]
