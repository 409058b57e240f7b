"""The Django admin shows the system's codes in words: audit actions, the reasons for a
second approval, card types and stations with their English names."""

import pytest
from django.urls import reverse

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import record
from orders.models import PukOrder
from tests.factories import PukOrderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="ada", is_staff=True, is_superuser=True))
    return client


def test_the_audit_admin_lists_and_filters_the_acts_in_words(admin_client, card):
    order = PukOrderFactory(card=card)
    record(AuditAction.ORDER_SUBMITTED, order, actor=card.holder.user)
    page = admin_client.get(reverse("admin:audit_auditevent_changelist")).content.decode()
    assert "Beställningen skickades in" in page
    filters = page.split('id="changelist-filter"')[1]
    assert "Beställningen skickades in" in filters and "order_submitted</a>" not in filters
    table = page.split('id="result_list"')[1].split("</table>")[0]
    assert "order_submitted" not in table
    event = AuditEvent.objects.get(action="order_submitted")
    detail = admin_client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).content.decode()
    assert "Beställningen skickades in" in detail


def test_the_order_admin_gives_the_reasons_for_a_second_approval_in_words(admin_client, card):
    order = PukOrderFactory(card=card)
    PukOrder.objects.filter(pk=order.pk).update(
        needs_second_approval=True, second_approval_reasons=["placed_on_behalf", "recent_address_change"]
    )
    page = admin_client.get(reverse("admin:orders_pukorder_change", args=[order.pk])).content.decode()
    assert "Beställd av en kontaktperson för innehavarens räkning" in page
    assert "Folkbokföringsadressen är nyligen ändrad" in page
    assert "placed_on_behalf" not in page and "recent_address_change" not in page
