"""The database connection lost in the middle of a request, its backend terminated as
pg_terminate_backend or a restart of PostgreSQL does (rsportal.database_lost): a page is
run once more on a new connection; a form and a station call are answered 503 with
Retry-After, not 500, and nothing is half-written. On PostgreSQL."""

import time
from contextlib import contextmanager

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from orders.models import Letter, PukOrder
from orders.states import OrderState
from tests.factories import PukOrderFactory

# PostgreSQL's backends are what is terminated: on the embedded default's SQLite there is
# nothing to prove, so the embedded run leaves these out rather than skipping them.
pytestmark = pytest.mark.services

UNAVAILABLE = "RS-portal når inte sin databas just nu. Försök igen om en stund."


def terminate_backend():
    """End the backend of the test's connection from another one, and wait until it is gone."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone() is None:
                    return
                time.sleep(0.01)
        raise AssertionError(f"backend {pid} still there")
    finally:
        other.close()


@contextmanager
def terminated_before(statement, times=1):
    """The backend terminated just before each of the first `times` queries that start
    with `statement`: in the middle of the request."""
    terminated = []

    def wrapper(execute, sql, params, many, context):
        if len(terminated) < times and sql.startswith(statement):
            terminated.append(sql)
            terminate_backend()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield terminated


@pytest.fixture
def contact_client(contact_person):
    # The first attempt's error is signalled as any error Django answers (got_request_exception):
    # the test client would raise it, though the answer is the second attempt's.
    client = Client(raise_request_exception=False)
    client.force_login(contact_person)
    return client


def test_a_page_whose_connection_was_lost_in_its_view_is_run_again(postgresql, contact_client, card):
    order = PukOrderFactory(card=card)

    with terminated_before('SELECT "orders_pukorder"') as terminated:
        response = contact_client.get(reverse("orders:queue"))

    assert terminated
    assert response.status_code == 200
    assert order.reference in response.content.decode()


def test_a_page_whose_connection_went_between_requests_is_run_again(postgresql, contact_client, card):
    """The test client does not run the check Django makes at a request's start
    (CONN_HEALTH_CHECKS): the lost connection fails the session's query, in a middleware."""
    order = PukOrderFactory(card=card)
    terminate_backend()

    response = contact_client.get(reverse("orders:queue_detail", args=[order.pk]))

    assert response.status_code == 200
    assert order.reference in response.content.decode()


def test_a_page_is_run_once_more_only_then_answered_503(postgresql, contact_client, card):
    PukOrderFactory(card=card)

    with terminated_before('SELECT "orders_pukorder"', times=2) as terminated:
        response = contact_client.get(reverse("orders:queue"))

    assert len(terminated) == 2
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert UNAVAILABLE in response.content.decode()


def test_a_decision_whose_connection_was_lost_is_answered_503_and_nothing_is_written(
    postgresql, contact_client, contact_person, card
):
    order = PukOrderFactory(card=card)
    url = reverse("orders:approve", args=[order.pk])

    # After the order's UPDATE, in the same transaction: its audit event.
    with terminated_before('INSERT INTO "audit_auditevent"') as terminated:
        response = contact_client.post(url, {"state": "submitted"})

    assert terminated
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert UNAVAILABLE in page and 'lang="sv"' in page
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED and order.decided_by is None
    assert not AuditEvent.objects.for_object(order).filter(action="order_approved").exists()
    assert not Letter.objects.filter(order=order).exists()
    # And the next request, on a new connection, decides it.
    assert contact_client.post(url, {"state": "submitted"}).status_code == 302
    assert PukOrder.objects.get(pk=order.pk).decided_by == contact_person


def test_a_station_call_whose_connection_was_lost_is_answered_503_in_json(postgresql):
    terminate_backend()

    response = Client(raise_request_exception=False).post(
        reverse("desk:api_card"), "{}", content_type="application/json", HTTP_AUTHORIZATION="Station x"
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {"error": "unavailable", "message": UNAVAILABLE}


def test_a_page_whose_session_could_not_be_saved_is_run_again_not_answered_400(postgresql, contact_client, card):
    """The session is saved after the view, and Django's database session turns any error
    of that save into SessionInterrupted, a 400 "Bad Request": the load test met one when
    its pg_terminate_backend struck there. A lost connection it is, answered as one."""
    order = PukOrderFactory(card=card)

    with terminated_before('UPDATE "django_session"') as terminated:
        response = contact_client.get(reverse("orders:queue"))

    assert terminated
    assert response.status_code == 200
    assert order.reference in response.content.decode()


def test_a_bad_request_that_is_not_a_lost_connection_stays_400(contact_client):
    response = contact_client.get(reverse("orders:queue"), HTTP_HOST="evil.example")

    assert response.status_code == 400
