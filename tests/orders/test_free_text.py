"""Free-text fields (the reason, the cancel reason, the rejection, the advice on a returned
letter) refuse what looks like a PIN or PUK (orders.free_text, tested on its own in
test_looks_like_code.py): such a code is never stored. They let order numbers, phone
numbers, dates and HSA-ids through, and a refused text is never lost: the page comes
back with what was typed."""

import html

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from orders.forms import validate_no_code
from orders.models import PukOrder
from orders.states import OrderState
from tests.factories import PukOrderFactory

REFUSED = "Skriv inga PIN- eller PUK-koder här."
REFUSED_EN = "Do not write PIN or PUK codes here."


def _page(response):
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("text", ["123456", "Min PUK är 12345678.", "pin:1234567", "1234 5678", "PIN 123 456"])
def test_what_looks_like_a_code_is_refused_with_a_plain_message(text):
    # Swedish by choice, not by whatever language an earlier test's request left active.
    with translation.override("sv"), pytest.raises(ValidationError, match=REFUSED):
        validate_no_code(text)
    with translation.override("en"), pytest.raises(ValidationError, match=REFUSED_EN):
        validate_no_code(text)


@pytest.mark.parametrize(
    "text",
    ["Dubblett, se PUK-000003.", "Ring 046-17 10 00", "+46 46 17 10 00", "2026-12-02", "SE2321000016-1A2B3"],
)
def test_order_numbers_phone_numbers_dates_and_hsa_ids_are_accepted(text):
    validate_no_code(text)


@pytest.mark.django_db
def test_an_order_whose_reason_holds_a_code_is_the_form_again_with_the_text_and_nothing_is_stored(
    employee_client, card
):
    typed = "Min PUK 12345678 går inte"
    data = {"blocked_codes": "both", "reason": "other", "reason_text": typed, "confirmed": "on"}
    response = employee_client.post(reverse("orders:new", args=[card.pk]), data)
    assert response.status_code == 200
    assert REFUSED in _page(response)
    assert typed in _page(response)
    assert not PukOrder.objects.exists()


@pytest.mark.django_db
def test_an_order_whose_reason_names_an_earlier_order_and_a_phone_number_is_placed(employee_client, card):
    data = {
        "blocked_codes": "both",
        "reason": "other",
        "reason_text": "Som PUK-000003, ring 046-17 10 00",
        "confirmed": "on",
    }
    employee_client.post(reverse("orders:new", args=[card.pk]), data)
    assert PukOrder.objects.get().reason_text == "Som PUK-000003, ring 046-17 10 00"


@pytest.mark.django_db
def test_a_cancel_reason_with_a_code_cancels_nothing_says_why_and_keeps_the_text(employee_client, card):
    order = PukOrderFactory(card=card)
    response = employee_client.post(reverse("orders:cancel", args=[order.pk]), {"reason": "PUK 12345678 fel"})
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED
    assert REFUSED in _page(response)
    assert "PUK 12345678 fel" in _page(response)
    assert not AuditEvent.objects.filter(reason__contains="12345678").exists()


@pytest.mark.django_db
def test_a_cancel_reason_naming_an_order_cancels(employee_client, card):
    order = PukOrderFactory(card=card)
    employee_client.post(reverse("orders:cancel", args=[order.pk]), {"reason": "Dubblett av PUK-000001"})
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED


@pytest.mark.django_db
def test_a_rejection_with_a_code_rejects_nothing_says_why_and_keeps_the_text(client, card, contact_person):
    order = PukOrderFactory(card=card)
    client.force_login(contact_person)
    typed = "Använd PUK 87654321 från förra brevet"
    response = client.post(reverse("orders:reject", args=[order.pk]), {"reason": typed, "state": "submitted"})
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED
    assert order.rejection_reason == ""
    assert REFUSED in _page(response)
    assert typed in _page(response)


@pytest.mark.django_db
def test_a_rejection_naming_another_order_rejects(client, card, contact_person):
    first = PukOrderFactory(card=card, state=OrderState.REJECTED)
    order = PukOrderFactory(card=card)
    client.force_login(contact_person)
    reason = f"Samma som {first.reference}; ring 0776-73 00 00."
    client.post(reverse("orders:reject", args=[order.pk]), {"reason": reason, "state": "submitted"})
    order.refresh_from_db()
    assert order.state == OrderState.REJECTED
    assert order.rejection_reason == reason


@pytest.mark.django_db
def test_a_refused_rejection_keeps_the_text_in_english_too(client, card, contact_person):
    order = PukOrderFactory(card=card)
    client.force_login(contact_person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    typed = "PIN 123 456"
    response = client.post(reverse("orders:reject", args=[order.pk]), {"reason": typed, "state": "submitted"})
    assert REFUSED_EN in _page(response)
    assert typed in _page(response)


@pytest.mark.django_db
def test_advice_with_a_code_on_a_returned_letter_closes_nothing_says_why_and_keeps_the_text(
    client, card, contact_person
):
    order = PukOrderFactory(card=card, state=OrderState.RETURNED)
    client.force_login(contact_person)
    typed = "Lås upp med PIN 123456 på kortstationen"
    response = client.post(reverse("letters:close_returned", args=[order.pk]), {"advice": typed})
    order.refresh_from_db()
    assert order.state == OrderState.RETURNED
    assert REFUSED in _page(response)
    assert typed in _page(response)


@pytest.mark.django_db
def test_advice_with_a_phone_number_closes_a_returned_letter(client, card, contact_person):
    order = PukOrderFactory(card=card, state=OrderState.RETURNED)
    client.force_login(contact_person)
    client.post(reverse("letters:close_returned", args=[order.pk]), {"advice": "Ring support på 0776-73 00 00."})
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED
