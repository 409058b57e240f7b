"""Two contact persons decide the same order at the same moment, through the services and
through concurrent HTTP requests: the database decides who wins, there is one decision
and at most one letter request, and the loser is told who did. Needs PostgreSQL's real
concurrency."""

import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from letters import tasks as letter_tasks
from orders import services, tasks
from orders.models import PukOrder
from orders.states import OrderState
from tests.factories import PukOrderFactory

pytestmark = pytest.mark.services


@pytest.fixture
def enqueued(monkeypatch):
    """The tasks enqueued, by name, instead of running them."""
    calls = []
    lock = threading.Lock()
    for task in (tasks.notify_holder_of_decision, letter_tasks.produce_letter):

        def record(order_id, name=task.__name__):
            with lock:
                calls.append((name, order_id))

        monkeypatch.setattr(task, "delay", record)
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
    assert sorted(enqueued) == [("notify_holder_of_decision", order.pk), ("produce_letter", order.pk)]


def test_approve_and_reject_at_once_leave_one_decision(
    postgresql, card, contact_person, second_contact_person, enqueued
):
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
    letter_requests = [call for call in enqueued if call[0] == "produce_letter"]
    assert letter_requests == ([("produce_letter", order.pk)] if order.state == OrderState.APPROVED else [])


def post_at_once(posts):
    """Each (user, url, data) is POSTed by its own client in its own thread and database
    connection, released together; returns the pages the redirects lead to."""
    barrier = threading.Barrier(len(posts))
    pages = [None] * len(posts)

    def post(index, user, url, data):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait(timeout=10)
            pages[index] = client.post(url, data, follow=True).content.decode()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i, *p)) for i, p in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return pages


def test_two_approve_requests_at_once_approve_once_and_the_losers_page_says_by_whom(
    postgresql, card, contact_person, second_contact_person, enqueued
):
    order = PukOrderFactory(card=card)
    url = reverse("orders:approve", args=[order.pk])

    pages = post_at_once([(by, url, {"state": "submitted"}) for by in (contact_person, second_contact_person)])

    order.refresh_from_db()
    assert order.state == OrderState.APPROVED
    winner = order.decided_by.get_full_name()
    assert sum(f"{order.reference} är godkänd." in page for page in pages) == 1
    assert sum(f"Beställningen är redan beslutad av {winner} (status: Godkänd)." in page for page in pages) == 1
    assert AuditEvent.objects.for_object(order).filter(action="order_approved").count() == 1
    assert sorted(enqueued) == [("notify_holder_of_decision", order.pk), ("produce_letter", order.pk)]


def test_two_first_approvals_at_once_leave_one_and_the_other_is_not_taken_as_the_second(
    postgresql, card, contact_person, second_contact_person, enqueued
):
    order = PukOrderFactory(card=card, needs_second_approval=True)
    url = reverse("orders:approve", args=[order.pk])

    pages = post_at_once([(by, url, {"state": "submitted"}) for by in (contact_person, second_contact_person)])

    order.refresh_from_db()
    assert order.state == OrderState.SECOND_APPROVAL
    first = order.first_approved_by.get_full_name()
    assert sum(f"fått ett första godkännande av {first}" in page for page in pages) == 1
    assert AuditEvent.objects.for_object(order).filter(action="order_first_approval").count() == 1
    assert enqueued == []
