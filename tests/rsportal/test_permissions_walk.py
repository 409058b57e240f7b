"""Every URL of the app, asked by every role: who gets the page, who is sent to log in,
who gets 404 (a forbidden object, or a page of a role one does not have) and which views
take POST only. A URL added without an expectation here fails the first test."""

import re
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLResolver, get_resolver, reverse

from orders.models import PukOrder
from orders.states import OrderState
from tests.factories import CardFactory, EmployeeFactory, PukOrderFactory, UserFactory

# employee_b: another employee of the same förvaltning, with a card and a login of their own.
ROLES = ["employee", "employee_b", "contact_a", "contact_b", "operator", "anonymous"]
LOGIN = "login"  # a 302 to the login page
SKIPPED_PREFIXES = ("admin/", "i18n/")


def everyone(code, anonymous=LOGIN):
    return {**dict.fromkeys(ROLES[:-1], code), "anonymous": anonymous}


def only(role_codes, others=404):
    return {**everyone(others), **role_codes}


CONTACT_PERSONS = {"contact_a": 200, "contact_b": 200}
EMPLOYEES = {"employee": 200, "employee_b": 200}
STATION_API = [
    "api_login",
    "api_begin_login",
    "api_logout",
    "api_card",
    "api_id_check",
    "api_unblock",
    "api_unblock_outcome",
    "api_redeem_ticket",
    "api_desk_refusal",
    "api_pin_change",
    "api_close_order",
    "api_heartbeat",
]

# GET, for every URL.
GET = {
    "home": everyone(302),
    "login": everyone(200, anonymous=200),
    "favicon": everyone(301, anonymous=301),  # to the icon among the static files
    "logout": everyone(405, anonymous=405),
    "orders:my_cards": only(EMPLOYEES),
    "orders:new": only({"employee": 200}),  # the card and order are the first employee's
    "orders:mine": only(EMPLOYEES),
    "orders:detail": only({"employee": 200}),
    "orders:cancel": everyone(405),
    "orders:queue": only(CONTACT_PERSONS),
    "orders:queue_export": only(CONTACT_PERSONS),
    "orders:approve_selected": only({"contact_a": 405, "contact_b": 405}),
    "orders:queue_detail": only({"contact_a": 200}),
    "orders:approve": only({"contact_a": 405, "contact_b": 405}),
    "orders:reject": only({"contact_a": 405, "contact_b": 405}),
    "orders:on_behalf": only(CONTACT_PERSONS),
    "orders:on_behalf_order": only({"contact_a": 200}),
    "orders:report": only(CONTACT_PERSONS),
    "orders:my_settings": only(CONTACT_PERSONS),
    "letters:retry": everyone(405),
    "letters:send_again": everyone(405),
    "letters:close_returned": everyone(405),
    "letters:status_webhook": everyone(405, anonymous=405),
    # The station software's API: POST only, and only with a station credential.
    **{f"desk:{name}": everyone(405, anonymous=405) for name in STATION_API},
    "desk:desk": only({"operator": 200}),
    # From the station software's page through RS-portal's login; no station named: 400.
    "desk:station_login": everyone(400),
    # Administrators (staff) only; none of the roles here is staff.
    "desk:report": everyone(404),
    "desk:health": everyone(404),
    "registers:status": everyone(404),
    # The guides are open to everyone: someone whose PIN is blocked often cannot log in.
    "selfhelp:index": everyone(200, anonymous=200),
    "selfhelp:guide": everyone(200, anonymous=200),
    "selfhelp:thanks": everyone(200, anonymous=200),
    # Single sign-on: the refusal pages and stepping up (without an IdP set: back to the login page).
    "sso:unknown_person": everyone(403, anonymous=403),
    "sso:too_low": everyone(403),
    "sso:step_up": everyone(LOGIN, anonymous=LOGIN),
    # The protocols' own endpoints answer only for the protocol the site uses (none here).
    "sso:oidc_login": everyone(404, anonymous=404),
    "sso:oidc_callback": everyone(404, anonymous=404),
    **{f"sso:saml2_{name}": everyone(404, anonymous=404) for name in ("login", "acs", "ls", "ls_post", "metadata")},
}

# POST with an empty body, for the views that take POST only.
POST = {
    "orders:cancel": only({"employee": 302}),
    "orders:approve_selected": only({"contact_a": 302, "contact_b": 302}),
    "orders:approve": only({"contact_a": 302}),
    # No reason given: the order's page again, saying so (a redirect would lose what was typed).
    "orders:reject": only({"contact_a": 200}),
    "letters:retry": only({"contact_a": 302}),
    "letters:send_again": only({"contact_a": 302}),
    "letters:close_returned": only({"contact_a": 200}),  # no advice given: as the rejection
    # Machine to machine: no session, an HMAC signature; none given here.
    "letters:status_webhook": everyone(403, anonymous=403),
    # No station credential: every role, the operator too, is denied. (tests/desk has the
    # operator through a station.)
    **{f"desk:{name}": everyone(403, anonymous=403) for name in STATION_API},
    "logout": everyone(LOGIN, anonymous=LOGIN),  # last: it ends the session
}


def app_urls():
    """(name, route) of every URL pattern outside admin and i18n."""

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route, pattern.namespace or namespace)
            else:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route

    return list(walk(get_resolver().url_patterns))


def test_every_url_has_an_expectation_for_every_role():
    names = [name for name, _ in app_urls()]
    assert len(names) == len(set(names)), "every URL pattern needs a name"
    assert set(names) == set(GET), "add the new URL's expectations to GET (and POST if it takes POST only)"
    for name, codes in GET.items():
        assert set(codes) == set(ROLES)
        if 405 in codes.values():
            assert name in POST, f"{name} takes POST only: say what a POST gets"


@pytest.fixture
def world(card, contact_person, other_contact_person):
    """An order of förvaltning A (the employee's) and a user for each role."""
    order = PukOrderFactory(card=card)
    operator = UserFactory(username="olof")
    operator.user_permissions.add(Permission.objects.get(codename="operate_station", content_type__app_label="cards"))
    other_employee = EmployeeFactory(forvaltning=card.holder.forvaltning)
    CardFactory(holder=other_employee)
    users = {
        "employee": card.holder.user,
        "employee_b": other_employee.user,
        "contact_a": contact_person,
        "contact_b": other_contact_person,
        "operator": operator,
        "anonymous": None,
    }
    return {"users": users, "ids": {"pk": order.pk, "card_id": card.pk, "ticket": uuid.uuid4(), "slug": "byt-pin"}}


def url_for(name, route, ids):
    params = re.findall(r"<(?:\w+:)?(\w+)>", route)
    return reverse(name, kwargs={param: ids[param] for param in params})


def answers(client, world, role, method, expectations):
    """{name: (got, expected)} for every URL whose answer differs from the expectation."""
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    routes = dict(app_urls())
    wrong = {}
    for name, codes in expectations.items():
        response = getattr(client, method)(url_for(name, routes[name], world["ids"]))
        got = response.status_code
        if got == 302 and response.url.startswith(reverse("login")):
            got = LOGIN
        if got != codes[role]:
            wrong[name] = (got, codes[role])
    return wrong


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_get_every_url(client, world, role):
    assert answers(client, world, role, "get", GET) == {}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_post_to_every_post_only_view(client, world, role):
    assert answers(client, world, role, "post", POST) == {}


@pytest.mark.django_db
def test_another_employee_cannot_see_or_cancel_the_employees_order(client, world):
    order_id = world["ids"]["pk"]
    client.force_login(world["users"]["employee_b"])
    assert client.get(reverse("orders:detail", args=[order_id])).status_code == 404
    assert client.post(reverse("orders:cancel", args=[order_id]), {"reason": "Inte min"}).status_code == 404
    assert PukOrder.objects.get(pk=order_id).state == OrderState.SUBMITTED
    assert reverse("orders:detail", args=[order_id]) not in client.get(reverse("orders:mine")).content.decode()
