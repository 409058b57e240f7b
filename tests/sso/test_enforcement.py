from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from orders.states import OrderState
from sso.assurance import Assurance
from tests.factories import CardFactory, PukOrderFactory
from tests.sso import protocol_stub
from tests.sso.sessions import FREJA_3, PASSWORD_IDP_2, log_in_with

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def levels(settings):
    settings.RSPORTAL_MIN_LEVEL_ORDER = 2
    settings.RSPORTAL_MIN_LEVEL_DECIDE = 3
    settings.RSPORTAL_SSO = "oidc"
    settings.RSPORTAL_SSO_MODULES = protocol_stub.MODULES


@pytest.fixture
def order(employee):
    return PukOrderFactory(card=CardFactory(holder=employee), state=OrderState.SUBMITTED)


def test_an_approval_below_the_level_gets_the_page_that_says_so_with_a_step_up_link(client, contact_person, order):
    log_in_with(client, contact_person, PASSWORD_IDP_2)
    queue_page = reverse("orders:queue_detail", args=[order.pk])
    response = client.post(
        reverse("orders:approve", args=[order.pk]),
        {"state": "submitted"},
        headers={"Referer": f"http://testserver{queue_page}"},
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "Din inloggning räcker inte" in page
    assert "tillitsnivå 3" in page and "tillitsnivå 2" in page
    step_up = response.context["step_up_url"]
    assert urlsplit(step_up).path == reverse("sso:step_up")
    assert parse_qs(urlsplit(step_up).query) == {"niva": ["3"], "next": [queue_page]}
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED
    refused = AuditEvent.objects.get(action="login_step_up_required")
    assert (refused.data["kravd_niva"], refused.data["niva"], refused.data["syfte"]) == (3, 2, "decide")


def test_an_approval_at_the_level_passes_and_its_audit_carries_the_login(client, contact_person, order):
    log_in_with(client, contact_person, FREJA_3)
    response = client.post(reverse("orders:approve", args=[order.pk]), {"state": "submitted"})
    assert response.status_code == 302
    approved = AuditEvent.objects.get(action="order_approved")
    assert approved.data["inloggning"] == FREJA_3.as_audit()


@pytest.mark.parametrize("name", ["orders:reject", "orders:approve_selected"])
def test_rejecting_and_approving_many_need_the_deciding_level_too(client, contact_person, order, name):
    log_in_with(client, contact_person, PASSWORD_IDP_2)
    url = reverse(name, args=[order.pk]) if name == "orders:reject" else reverse(name)
    response = client.post(url, {"state": "submitted", "reason": "Fel kort", "order": [order.pk]})
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED


def test_an_htmx_request_below_the_level_sends_the_whole_page_to_the_refusal(client, contact_person, order):
    log_in_with(client, contact_person, PASSWORD_IDP_2)
    queue_page = reverse("orders:queue")
    response = client.post(
        reverse("orders:approve_selected"),
        {"order": [order.pk]},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{queue_page}?sida=2"},
    )
    target = urlsplit(response["HX-Redirect"])
    assert target.path == reverse("sso:too_low")
    assert parse_qs(target.query) == {"niva": ["3"], "next": [f"{queue_page}?sida=2"]}
    page = client.get(response["HX-Redirect"])
    assert page.status_code == 403 and "Din inloggning räcker inte" in page.content.decode()


def test_ordering_below_the_level_is_refused_before_the_form_and_passes_at_it(client, employee):
    card = CardFactory(holder=employee)
    url = reverse("orders:new", args=[card.pk])
    log_in_with(client, employee.user, Assurance("password", "password", 1, ""))
    response = client.get(url)
    assert response.status_code == 403
    assert parse_qs(urlsplit(response.context["step_up_url"]).query)["next"] == [url]
    log_in_with(client, employee.user, PASSWORD_IDP_2)
    assert client.get(url).status_code == 200


def test_a_login_without_an_assurance_counts_as_a_password_login(client, employee, settings):
    card = CardFactory(holder=employee)
    client.force_login(employee.user)
    settings.RSPORTAL_PASSWORD_LEVEL = 2
    assert client.get(reverse("orders:new", args=[card.pk])).status_code == 200
    settings.RSPORTAL_PASSWORD_LEVEL = 1
    assert client.get(reverse("orders:new", args=[card.pk])).status_code == 403


def test_stepping_up_sends_the_browser_to_the_idp_asking_for_the_level_and_back_here(client):
    response = client.get(reverse("sso:step_up"), {"niva": "3", "next": "/att-hantera/12/"})
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert f"{target.scheme}://{target.netloc}{target.path}" == protocol_stub.IDP
    assert parse_qs(target.query) == {"next": ["/att-hantera/12/"], "level": ["3"]}


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_stepping_up_never_comes_back_off_site(client, next_url):
    response = client.get(reverse("sso:step_up"), {"niva": "3", "next": next_url})
    assert parse_qs(urlsplit(response.url).query)["next"] == [reverse("home")]
