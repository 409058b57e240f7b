"""The order form speaks to whoever fills it in: the holder in the first person, a contact
person ordering on behalf in the third ("Varför behöver medarbetaren …"), with the same
stored values. Its description box has a label of its own, and is shown only for Annat by
the stylesheet, with no inline script or style (a Content-Security-Policy forbids them)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from orders.forms import OnBehalfOrderForm, PukOrderForm
from orders.models import PukOrder, Reason
from tests.factories import CardFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def karin(client, contact_person):
    client.force_login(contact_person)
    return client


@pytest.fixture
def logless_card(forvaltning, register):
    employee = EmployeeFactory(user=None, forvaltning=forvaltning, first_name="Olle", last_name="Utanlogin")
    register.add(employee)
    return CardFactory(holder=employee)


def test_the_on_behalf_form_asks_about_the_employee_not_you(karin, logless_card):
    page = karin.get(reverse("orders:on_behalf_order", args=[logless_card.pk])).content.decode()
    assert "Varför behöver medarbetaren en ny PUK-kod?" in page
    assert "Medarbetaren har tappat bort PUK-brevet" in page
    assert "Medarbetaren har aldrig fått något PUK-brev" in page
    assert "Varför behöver du" not in page and "Jag har" not in page


def test_the_on_behalf_form_asks_about_the_employee_in_english_too(karin, logless_card):
    karin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = karin.get(reverse("orders:on_behalf_order", args=[logless_card.pk])).content.decode()
    assert "Why does the employee need a new PUK code?" in page
    assert "The employee has lost the code letter" in page
    assert "The employee has never received a code letter" in page
    assert "Why do you need" not in page and "I have" not in page


def test_the_employees_own_form_still_speaks_to_them(employee_client, card):
    page = employee_client.get(reverse("orders:new", args=[card.pk])).content.decode()
    assert "Varför behöver du en ny PUK-kod?" in page
    assert "Jag har tappat bort PUK-brevet" in page


def test_the_on_behalf_confirmation_repeats_the_third_person_reason(karin, logless_card):
    url = reverse("orders:on_behalf_order", args=[logless_card.pk])
    page = karin.post(url, {"blocked_codes": "both", "reason": "lost_letter"}).content.decode()
    assert "Medarbetaren har tappat bort PUK-brevet" in page


def test_both_forms_store_the_same_values():
    assert [value for value, _ in OnBehalfOrderForm().fields["reason"].choices] == Reason.values
    assert [value for value, _ in PukOrderForm().fields["reason"].choices] == Reason.values


def test_an_on_behalf_order_stores_the_reason_value(karin, logless_card):
    url = reverse("orders:on_behalf_order", args=[logless_card.pk])
    karin.post(url, {"blocked_codes": "both", "reason": "never_received", "confirmed": "on"})
    assert PukOrder.objects.get().reason == Reason.NEVER_RECEIVED


@pytest.mark.parametrize("who", ["employee", "contact_person"])
def test_the_description_box_has_its_own_label_and_no_inline_script_or_style(
    client, who, card, logless_card, contact_person
):
    if who == "employee":
        client.force_login(card.holder.user)
        url = reverse("orders:new", args=[card.pk])
    else:
        client.force_login(contact_person)
        url = reverse("orders:on_behalf_order", args=[logless_card.pk])
    page = client.get(url).content.decode()
    assert re.search(r'<label for="id_reason_text">[^<]+</label>', page)
    assert re.search(r'<textarea [^>]*id="id_reason_text"', page)
    assert 'class="field field-reason_text' in page
    assert " style=" not in page and "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # every script is a file
    assert not re.search(r" on[a-z]+=", page)  # no inline event handlers
