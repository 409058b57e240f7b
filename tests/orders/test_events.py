"""Every audit action the order workflow records has words on the order's timeline."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from orders import escalation, services
from orders.events import ORDER_EVENT_LABELS
from tests.factories import PukOrderFactory

ORDERS_APP = Path(services.__file__).parent


def recorded_actions():
    """The action names in the orders app's calls of record(...) and take_transition(...,
    action=...), and those that reach record() through a variable (the escalation levels)."""
    found, through_a_variable = set(), []
    for module in ORDERS_APP.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name == "record" and node.args:
                action = node.args[0]
            elif name == "take_transition":
                action = next((k.value for k in node.keywords if k.arg == "action"), None)
            else:
                continue
            if isinstance(action, ast.Constant):
                found.add(action.value)
            else:
                through_a_variable.append(f"{module.name}:{node.lineno}")
    return found, through_a_variable


def test_every_action_the_order_workflow_records_has_a_timeline_label():
    found, through_a_variable = recorded_actions()
    # record(action, ...) in take_transition itself, and the escalation's AUDIT_ACTIONS[level]:
    assert len(through_a_variable) == 2, through_a_variable
    actions = found | set(escalation.AUDIT_ACTIONS.values())
    assert {"order_submitted", "order_approved", "order_handled_at_desk", "letter_queued"} <= actions
    assert sorted(actions - set(ORDER_EVENT_LABELS)) == []


@pytest.mark.django_db
def test_an_order_handled_at_a_card_station_says_so_on_the_holders_timeline(employee_client, card):
    order = PukOrderFactory(card=card)
    services.close_order_handled_at_desk(order=order, by=card.holder.user, station_name="Kortstation Lund")
    page = employee_client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "Innehavaren fick hjälp vid en kortstation" in page
    assert "order_handled_at_desk" not in page
