import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from audit.models import AuditEvent
from orders import services
from orders.models import PukOrder
from orders.services import AddressPreview
from orders.states import OrderState
from organisation.population_register import RegisterAnswer
from tests.factories import PukOrderFactory

VALID = {"blocked_codes": "legitimering", "reason": "lost_letter"}


def flat_context(response):
    """Every value the templates of `response` were given, nested dicts and lists opened."""
    values = [value for context in response.context for layer in context.dicts for value in layer.values()]
    opened = []
    while values:
        value = values.pop()
        opened.append(value)
        if isinstance(value, dict):
            values.extend(value.values())
        elif isinstance(value, (list, tuple)):
            values.extend(value)
    return opened


def confirm(data):
    return {**data, "confirmed": "on"}


@pytest.mark.django_db
def test_employee_orders_a_puk_letter_after_seeing_a_masked_address_hint(
    employee_client, card, contact_person, django_capture_on_commit_callbacks
):
    url = reverse("orders:new", args=[card.pk])
    preview = employee_client.post(url, VALID)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "S******** …, MALMÖ" in page
    assert "Storgatan" not in page
    assert PukOrder.objects.count() == 0
    assert not [value for value in flat_context(preview) if isinstance(value, (RegisterAnswer, AddressPreview))]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = employee_client.post(url, confirm(VALID))

    order = PukOrder.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("orders:detail", args=[order.pk])
    assert order.state == OrderState.SUBMITTED
    assert order.blocked_codes == "legitimering"
    assert order.placed_by == card.holder.user
    assert len(callbacks) == 2  # receipt and contact-person notice, only after commit
    assert AuditEvent.objects.for_object(order).get().action == "order_submitted"


@pytest.mark.django_db
def test_order_form_tells_how_personal_data_is_processed(employee_client, card):
    page = employee_client.get(reverse("orders:new", args=[card.pk])).content.decode()
    assert "behandla dina personuppgifter" in page
    assert "allmän handling" in page


@pytest.mark.django_db
def test_someone_elses_card_is_404_and_nothing_is_written(employee_client):
    from tests.factories import CardFactory

    stranger_card = CardFactory()
    url = reverse("orders:new", args=[stranger_card.pk])
    assert employee_client.get(url).status_code == 404
    assert employee_client.post(url, confirm(VALID)).status_code == 404
    assert PukOrder.objects.count() == 0


@pytest.mark.django_db
def test_other_reason_without_text_shows_the_form_again_and_writes_nothing(employee_client, card):
    response = employee_client.post(reverse("orders:new", args=[card.pk]), confirm({**VALID, "reason": "other"}))
    assert response.status_code == 200
    assert "Beskriv orsaken" in response.content.decode()
    assert PukOrder.objects.count() == 0


@pytest.mark.django_db
def test_second_order_for_the_same_card_links_to_the_open_one(employee_client, card):
    url = reverse("orders:new", args=[card.pk])
    employee_client.post(url, confirm(VALID))
    order = PukOrder.objects.get()
    response = employee_client.post(url, confirm(VALID))
    assert PukOrder.objects.count() == 1
    assert reverse("orders:detail", args=[order.pk]) in response.content.decode()


@pytest.mark.django_db
def test_protected_holder_sees_no_address_and_is_told_about_forwarding(employee_client, card, register):
    register.add(card.holder, status="protected")
    page = employee_client.post(reverse("orders:new", args=[card.pk]), VALID).content.decode()
    assert "Skatteverkets förmedlingstjänst" in page
    employee_client.post(reverse("orders:new", args=[card.pk]), confirm(VALID))
    assert PukOrder.objects.get().address_status == "protected"


@pytest.mark.django_db
def test_holder_without_registered_address_is_sent_to_a_support_desk(employee_client, card, register):
    register.add(card.holder, status="missing")
    page = employee_client.post(reverse("orders:new", args=[card.pk]), confirm(VALID)).content.decode()
    assert "kortstation" in page
    assert PukOrder.objects.count() == 0


@pytest.mark.django_db
def test_employee_cancels_an_order_that_is_not_yet_approved(employee_client, card):
    employee_client.post(reverse("orders:new", args=[card.pk]), confirm(VALID))
    order = PukOrder.objects.get()
    employee_client.post(reverse("orders:cancel", args=[order.pk]), {"reason": "Hittade brevet"})
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert AuditEvent.objects.for_object(order).last().reason == "Hittade brevet"


@pytest.mark.django_db
@pytest.mark.parametrize("open_state", [OrderState.SUBMITTED, OrderState.APPROVED, OrderState.RETURNED])
def test_the_database_refuses_a_second_open_order_for_a_card(card, open_state):
    PukOrderFactory(card=card, state=open_state)
    PukOrderFactory(card=card, state=OrderState.CANCELLED)  # a closed one is no obstacle
    with pytest.raises(IntegrityError), transaction.atomic():
        PukOrderFactory(card=card, state=OrderState.SUBMITTED)
    assert PukOrder.objects.filter(card=card).count() == 2


@pytest.mark.django_db
def test_place_order_past_the_python_check_is_still_refused_by_the_database(card, monkeypatch):
    first = services.place_order(placed_by=card.holder.user, card=card, reason="lost_letter", blocked_codes="both")
    monkeypatch.setattr(services, "check_card_may_get_letter", lambda card: None)  # as if a racing request
    with pytest.raises(services.OrderRefused) as refused:
        services.place_order(placed_by=card.holder.user, card=card, reason="lost_letter", blocked_codes="both")
    assert refused.value.existing_order == first
    assert PukOrder.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "offered"),
    [
        (OrderState.SUBMITTED, True),
        (OrderState.SECOND_APPROVAL, True),
        (OrderState.APPROVED, False),
        (OrderState.POSTED, False),
        (OrderState.REJECTED, False),
    ],
)
def test_the_order_page_offers_cancelling_exactly_while_the_order_awaits_a_decision(
    employee_client, card, state, offered
):
    order = PukOrderFactory(card=card, state=state)
    page = employee_client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert (reverse("orders:cancel", args=[order.pk]) in page) is offered


@pytest.mark.django_db
def test_employee_cancels_an_order_waiting_for_its_second_approval(employee_client, card, contact_person):
    order = PukOrderFactory(card=card, state=OrderState.SECOND_APPROVAL, first_approved_by=contact_person)
    employee_client.post(reverse("orders:cancel", args=[order.pk]), {"reason": "Hittade brevet"})
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
