"""The order form's description box is there only when Annat is chosen: shown and hidden
by the stylesheet alone (no script), on the employee's form and the contact person's."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, CardFactory, EmployeeFactory

pytestmark = pytest.mark.browser


def log_in(page, username):
    page.goto("/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def test_the_employees_description_box_appears_with_annat(page, card):
    log_in(page, card.holder.user.username)
    page.goto(reverse("orders:new", args=[card.pk]))
    description = page.get_by_label("Beskriv orsaken")
    assert description.is_hidden()
    page.get_by_label("Jag har tappat bort PUK-brevet").check()
    assert description.is_hidden()
    page.get_by_label("Annat").check()
    assert description.is_visible()
    description.fill("Kortet gick sönder i tvätten")
    page.get_by_label("Jag har aldrig fått något PUK-brev").check()
    assert description.is_hidden()


def test_the_contact_persons_description_box_appears_with_annat_and_its_error_stays_in_sight(
    page, contact_person, forvaltning, register
):
    employee = EmployeeFactory(user=None, forvaltning=forvaltning)
    register.add(employee)
    card = CardFactory(holder=employee)
    log_in(page, contact_person.username)
    page.goto(reverse("orders:on_behalf_order", args=[card.pk]))
    description = page.get_by_label("Beskriv orsaken")
    assert description.is_hidden()
    page.get_by_label("Båda PIN-koderna är spärrade").check()
    page.get_by_label("Annat").check()
    description.fill("PIN 123456")
    page.get_by_role("button", name="Fortsätt").click()
    assert page.get_by_role("alert").get_by_text("Skriv inga PIN- eller PUK-koder här.").is_visible()
    assert page.get_by_label("Beskriv orsaken").input_value() == "PIN 123456"
    assert page.get_by_label("Beskriv orsaken").is_visible()
