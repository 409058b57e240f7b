import pytest
from django.urls import reverse

from audit.actions import AuditAction
from audit.context import login_of_request
from audit.models import AuditEvent
from audit.services import record, record_many
from tests.sso.sessions import FREJA_3, log_in_with

pytestmark = pytest.mark.django_db


def test_the_header_says_how_the_person_logged_in(client, employee):
    log_in_with(client, employee.user, FREJA_3)
    html = client.get(reverse("orders:mine")).content.decode()
    assert "Inloggad med Freja eID+, tillitsnivå 3" in html


def test_the_header_says_nothing_of_a_login_without_an_assurance(client, employee):
    client.force_login(employee.user)
    assert "Inloggad med" not in client.get(reverse("orders:mine")).content.decode()


def test_an_order_placed_after_a_single_sign_on_login_carries_the_login_in_its_audit(client, employee, card):
    log_in_with(client, employee.user, FREJA_3)
    url = reverse("orders:new", args=[card.pk])
    form = {"reason": "lost_letter", "blocked_codes": "legitimering", "confirmed": "1", "privacy_ack": "on"}
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditEvent.objects.get(action="order_submitted").data["inloggning"] == FREJA_3.as_audit()


def test_audit_events_outside_a_logged_in_request_carry_no_login(employee):
    assert "inloggning" not in record(AuditAction.PERSON_RENAMED, employee).data


def test_record_and_record_many_add_the_login_unless_the_caller_gave_one(employee):
    with login_of_request(FREJA_3.as_audit()):
        assert record(AuditAction.PERSON_RENAMED, employee).data["inloggning"] == FREJA_3.as_audit()
        assert record(AuditAction.DESK_LOGIN, employee, inloggning={"tillitsniva": 4}).data["inloggning"] == {
            "tillitsniva": 4
        }
        record_many(AuditAction.PERSON_MOVED, [(employee, {"from": "a"})])
    assert AuditEvent.objects.get(action="person_moved").data == {"from": "a", "inloggning": FREJA_3.as_audit()}
    assert "inloggning" not in record(AuditAction.PERSON_RENAMED, employee).data
