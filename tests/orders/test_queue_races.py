"""Two contact persons decide the same order at the same moment: the database decides who
wins, and the loser is told who did. Needs PostgreSQL's real concurrency."""

import threading

import pytest
from django.db import connection, connections

from audit.models import AuditEvent
from orders import services, tasks
from orders.models import PukOrder
from orders.states import OrderState
from tests.conftest import REQUIRE_SERVICES
from tests.factories import PukOrderFactory

pytestmark = pytest.mark.services


@pytest.fixture
def postgresql(transactional_db):
    if connection.vendor != "postgresql":
        message = "concurrency is proven on PostgreSQL; this run uses " + connection.vendor
        pytest.fail(message) if REQUIRE_SERVICES else pytest.skip(message)


@pytest.fixture
def enqueued(monkeypatch):
    """The tasks enqueued, by name, instead of running them."""
    calls = []
    lock = threading.Lock()
    for name in ("notify_holder_of_decision", "produce_letter"):

        def record(order_id, name=name):
            with lock:
                calls.append((name, order_id))

        monkeypatch.setattr(getattr(tasks, name), "delay", record)
    return calls


def decide_at_once(order_id, deciders):
    """Each decider(order) runs in its own thread and connection, released together."""
    barrier = threading.Barrier(len(deciders))
    outcomes = [None] * len(deciders)

    def run(index, decide):
        try:
            order = PukOrder.objects.select_related("holder").get(pk=order_id)
            barrier.wait(timeout=10)
            decide(order)
            outcomes[index] = "done"
        except services.OrderRefused as refusal:
            outcomes[index] = refusal.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, decide)) for i, decide in enumerate(deciders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_two_contact_persons_approving_at_once_approve_once_and_the_loser_is_told_by_whom(
    postgresql, card, contact_person, second_contact_person, enqueued
):
    order = PukOrderFactory(card=card)
    approvers = [contact_person, second_contact_person]

    outcomes = decide_at_once(order.pk, [lambda o, by=by: services.approve_order(order=o, by=by) for by in approvers])

    order.refresh_from_db()
    assert order.state == OrderState.APPROVED
    assert outcomes.count("done") == 1
    (refusal,) = [outcome for outcome in outcomes if outcome != "done"]
    assert refusal == f"Beställningen är redan beslutad av {order.decided_by.get_full_name()} (status: Godkänd)."
    assert AuditEvent.objects.for_object(order).filter(action="order_approved").count() == 1
    assert [call for call in enqueued if call[0] == "notify_holder_of_decision"] == [
        ("notify_holder_of_decision", order.pk)
    ]


def test_approve_and_reject_at_once_leave_one_decision(postgresql, card, contact_person, second_contact_person, enqueued):
    order = PukOrderFactory(card=card)

    outcomes = decide_at_once(
        order.pk,
        [
            lambda o: services.approve_order(order=o, by=contact_person),
            lambda o: services.reject_order(order=o, by=second_contact_person, reason="Fel kort"),
        ],
    )

    order.refresh_from_db()
    assert order.state in (OrderState.APPROVED, OrderState.REJECTED)
    assert outcomes.count("done") == 1
    decisions = AuditEvent.objects.for_object(order).filter(action__in=["order_approved", "order_rejected"])
    assert decisions.count() == 1
    assert len([call for call in enqueued if call[0] == "notify_holder_of_decision"]) == 1
