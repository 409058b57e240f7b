"""Every POST of the order pages needs the CSRF token: without it, 403 and nothing written."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from orders.models import PukOrder
from orders.states import OrderState
from organisation.models import ContactPersonAssignment
from tests.factories import CardFactory, PukOrderFactory
from tests.rsportal.test_permissions_walk import POST as POST_ONLY_VIEWS

pytestmark = pytest.mark.django_db

DIGEST = ContactPersonAssignment.EmailPreference.DAILY_DIGEST
ORDER = {"blocked_codes": "both", "reason": "lost_letter", "confirmed": "on"}

# name: (who posts, which object the URL names, what a real form posts given the world)
POSTS = {
    "orders:new": ("employee", "fresh_card", lambda world: ORDER),
    "orders:cancel": ("employee", "submitted", lambda world: {"reason": "Hittade brevet"}),
    "orders:approve": ("contact_person", "submitted", lambda world: {"state": "submitted"}),
    "orders:reject": ("contact_person", "submitted", lambda world: {"state": "submitted", "reason": "Fel kort"}),
    "orders:approve_selected": ("contact_person", None, lambda world: world["bulk_form"]),
    "orders:on_behalf_order": ("contact_person", "fresh_card", lambda world: ORDER),
    "orders:my_settings": ("contact_person", None, lambda world: world["settings_form"]),
    "letters:retry": ("contact_person", "failed", lambda world: {}),
    "letters:send_again": ("contact_person", "returned", lambda world: {}),
    "letters:close_returned": ("contact_person", "returned", lambda world: {"advice": "Besök en kortstation."}),
}


@pytest.fixture
def world(employee, contact_person, register):
    orders = {
        state: PukOrderFactory(card=CardFactory(holder=employee), state=state)
        for state in (OrderState.SUBMITTED, OrderState.FAILED, OrderState.RETURNED)
    }
    submitted = orders[OrderState.SUBMITTED]
    assignment = ContactPersonAssignment.objects.get(user=contact_person)
    return {
        "users": {"employee": employee.user, "contact_person": contact_person},
        "objects": {**orders, "fresh_card": CardFactory(holder=employee)},
        "bulk_form": {"order": submitted.pk, f"state-{submitted.pk}": "submitted"},
        "settings_form": {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": assignment.pk,
            "form-0-email_preference": DIGEST,
        },
    }


def request_for(world, name):
    role, target, data = POSTS[name]
    obj = world["objects"].get(target)
    kwargs = {} if obj is None else {"card_id" if target == "fresh_card" else "pk": obj.pk}
    return world["users"][role], reverse(name, kwargs=kwargs), data(world)


def everything_written():
    return (
        sorted(PukOrder.objects.values_list("pk", "state")),
        AuditEvent.objects.count(),
        sorted(ContactPersonAssignment.objects.values_list("pk", "email_preference")),
    )


def test_every_post_view_of_the_orders_app_is_covered():
    post_only = {name for name in POST_ONLY_VIEWS if name.startswith("orders:")}
    # The print house's webhook has no session: it is signed (HMAC) instead, tested on its own.
    assert post_only - {"letters:status_webhook"} <= set(POSTS)


@pytest.mark.parametrize("name", POSTS)
def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(world, name):
    user, url, data = request_for(world, name)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    before = everything_written()

    assert client.post(url, data).status_code == 403
    assert everything_written() == before


@pytest.mark.parametrize("name", POSTS)
def test_the_same_post_with_the_csrf_checks_off_is_accepted(world, name, client):
    # The control: the 403 above is the missing token, not a request that is wrong anyway.
    user, url, data = request_for(world, name)
    client.force_login(user)
    before = everything_written()
    response = client.post(url, data)
    assert response.status_code in (200, 302)
    assert everything_written() != before
