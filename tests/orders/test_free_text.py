"""Free-text fields (the reason, the cancel reason, the rejection, the advice on a returned
letter) refuse a run of 6-8 digits: a PIN or PUK typed there is never stored."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from orders.forms import validate_no_code
from orders.models import PukOrder
from orders.states import OrderState
from tests.factories import PukOrderFactory

REFUSED = "Skriv inga koder här"


@pytest.mark.parametrize("text", ["123456", "Min PUK är 12345678.", "pin:1234567", "a654321b", "PUK 1234 och 87654321"])
def test_a_run_of_six_to_eight_digits_is_refused(text):
    with pytest.raises(ValidationError, match=REFUSED):
        validate_no_code(text)


@pytest.mark.parametrize(
    "text",
    ["", "Brevet kom bort i flytten 2024", "ring 0776-73 00 00 eller 30000", "12345", "rum 12 34 56", "8001011234"],
)
def test_other_text_with_digits_is_accepted(text):
    validate_no_code(text)


@pytest.mark.django_db
def test_an_order_whose_reason_holds_a_code_is_the_form_again_and_nothing_is_stored(employee_client, card):
    data = {"blocked_codes": "both", "reason": "other", "reason_text": "Min PUK 12345678 går inte", "confirmed": "on"}
    response = employee_client.post(reverse("orders:new", args=[card.pk]), data)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not PukOrder.objects.exists()


@pytest.mark.django_db
def test_a_cancel_reason_with_a_code_cancels_nothing_and_says_why(employee_client, card):
    order = PukOrderFactory(card=card)
    response = employee_client.post(reverse("orders:cancel", args=[order.pk]), {"reason": "PUK 12345678"}, follow=True)
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED
    assert REFUSED in response.content.decode()
    assert not AuditEvent.objects.filter(reason__contains="12345678").exists()


@pytest.mark.django_db
def test_a_rejection_with_a_code_rejects_nothing_and_says_why(client, card, contact_person):
    order = PukOrderFactory(card=card)
    client.force_login(contact_person)
    response = client.post(
        reverse("orders:reject", args=[order.pk]), {"reason": "Använd PUK 87654321", "state": "submitted"}, follow=True
    )
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED
    assert order.rejection_reason == ""
    assert REFUSED in response.content.decode()


@pytest.mark.django_db
def test_advice_with_a_code_on_a_returned_letter_closes_nothing_and_says_why(client, card, contact_person):
    order = PukOrderFactory(card=card, state=OrderState.RETURNED)
    client.force_login(contact_person)
    response = client.post(reverse("letters:close_returned", args=[order.pk]), {"advice": "PIN 123456"}, follow=True)
    order.refresh_from_db()
    assert order.state == OrderState.RETURNED
    assert REFUSED in response.content.decode()
