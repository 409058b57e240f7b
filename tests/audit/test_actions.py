"""The audit trail records only the acts of one enumeration, each with its words."""

import pytest
from django.urls import reverse
from django.utils import translation

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import record
from orders import services
from tests.factories import PukOrderFactory

pytestmark = pytest.mark.django_db


def test_an_action_that_is_not_in_the_enumeration_cannot_be_recorded(card):
    order = PukOrderFactory(card=card)
    with pytest.raises(TypeError):
        record("order_approved_by_magic", order)
    with pytest.raises(TypeError):
        record("order_approved", order)  # a member's value, but not the member: say which act it is
    assert not AuditEvent.objects.exists()


def test_every_action_has_words_in_swedish_and_in_english():
    for action in AuditAction:
        with translation.override("sv"):
            swedish = str(action.label)
        with translation.override("en"):
            english = str(action.label)
        assert swedish and swedish != action.value
        assert english and english != swedish, action


def test_the_holders_timeline_shows_each_act_in_words_not_as_a_code(employee_client, card):
    order = PukOrderFactory(card=card)
    services.close_order_handled_at_desk(order=order, by=card.holder.user, station_name="Kortstation Lund")
    page = employee_client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "Innehavaren fick hjälp vid en kortstation" in page
    assert "order_handled_at_desk" not in page
