"""The register extract (GDPR art. 15): an administrator produces, from the Django admin,
everything RS-portal holds about one person, as JSON and as a PDF, and the act is audited.
No code value, letter file or address is in it, and nobody else's records."""

import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from pypdf import PdfReader

from audit.actions import AuditAction
from audit.models import AuditEvent
from desk.models import PukTicket
from letters import services as letters
from orders.models import PukOrder
from organisation.services import assign_contact_person
from records.services import ExtractFormat, produce_register_extract
from tests.desk.conftest import Api, make_operator, make_station
from tests.factories import CardFactory, EmployeeFactory, PukOrderFactory, UserFactory, approved_order, give_puk

pytestmark = pytest.mark.django_db

PUK = "86420975"
OTHER_PUK = "53197531"


@pytest.fixture
def admin_user():
    return UserFactory(username="admin", first_name="Ada", last_name="Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def history(client, employee, card, contact_person, register):
    """Anna's life in RS-portal: an order approved and its letter made (with the PUK from
    the store in it), an ID-checked visit at a desk with an assisted unblock; and Bertil's
    order and card beside hers."""
    give_puk(card, PUK)
    order = approved_order(card, contact_person)
    letters.produce_letter(order.pk)
    station = make_station("Kortstation Lund")
    operator = make_operator("olle", station)
    api = Api(client, station).log_in(operator)
    visit = api.id_check(card)
    assert api.start(card, visit).status_code == 200  # assisted: a PUK ticket is issued

    bertil = EmployeeFactory(forvaltning=employee.forvaltning, user__username="bertil", first_name="Bertil")
    register.add(bertil)
    bertils_card = CardFactory(holder=bertil)
    give_puk(bertils_card, OTHER_PUK)
    bertils_order = approved_order(bertils_card, contact_person)
    return {"order": order, "bertil": bertil, "bertils_card": bertils_card, "bertils_order": bertils_order}


def extract_url(employee, extract_format):
    return reverse("admin:organisation_employee_register_extract", args=[employee.pk, extract_format])


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_json_holds_the_persons_orders_letters_visits_and_audit_events(client, admin_user, employee, card, history):
    client.force_login(admin_user)
    response = client.post(extract_url(employee, "json"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="registerutdrag-')
    extract = json.loads(response.content)
    assert extract["person"]["personnummer"] == employee.personnummer
    assert [c["card_number"] for c in extract["cards"]] == [card.card_number]
    (order,) = extract["orders"]
    assert order["reference"] == history["order"].reference
    assert order["decided_by"] == "Karin Kontakt" and order["decided_at"]
    (letter,) = order["letters"]
    assert letter["letter_id"] == f"{history['order'].reference}-1"
    assert {n["kind"] for n in order["notifications"]} <= {"Kvitto till kortinnehavaren", "Beslut till kortinnehavaren",
                                                          "Ny beställning till kontaktperson"}  # fmt: skip
    (visit,) = extract["desk_visits"]
    assert visit["station"] == "Kortstation Lund" and visit["card_number"] == card.card_number
    (unblock,) = visit["unblocks"]
    assert unblock["assisted"] and unblock["puk_ticket"]["issued_at"]
    ticket = PukTicket.objects.get()  # its id fetches the PUK while it lives: nowhere in the extract
    assert str(ticket.pk) not in response.content.decode()
    actions = {event["action"] for event in extract["audit_events"]}
    assert {str(AuditAction.ORDER_SUBMITTED.label), str(AuditAction.ORDER_APPROVED.label),
            str(AuditAction.LETTER_QUEUED.label), str(AuditAction.DESK_ID_CHECKED.label),
            str(AuditAction.DESK_TICKET_ISSUED.label)} <= actions  # fmt: skip


def test_no_puk_and_no_other_persons_data_in_the_json_or_the_pdf(client, admin_user, employee, history):
    client.force_login(admin_user)
    as_json = client.post(extract_url(employee, "json")).content.decode()
    as_pdf = pdf_text(client.post(extract_url(employee, "pdf")).content)

    assert employee.personnummer in as_json and employee.personnummer in as_pdf
    assert history["order"].reference in as_json and history["order"].reference in as_pdf
    for text in (as_json, as_pdf):
        assert PUK not in text and PUK not in text.replace(" ", "")
        for other in (OTHER_PUK, history["bertil"].personnummer, history["bertils_card"].card_number,
                      history["bertils_order"].reference, "Bertil"):  # fmt: skip
            assert other not in text
        assert "Storgatan" not in text  # the letter's address: never stored, never here


def test_the_extract_says_that_no_address_is_stored_and_a_protected_persons_order_says_only_skyddad_adress(
    admin_user, forvaltning
):
    bertil = EmployeeFactory(forvaltning=forvaltning)
    PukOrderFactory(card=CardFactory(holder=bertil), address_status="protected")

    extract = produce_register_extract(bertil, by=admin_user, extract_format=ExtractFormat.JSON)
    content = json.loads(extract.content)
    (order,) = content["orders"]
    assert order["address"] == "skyddad adress" and order["address_registered_since"] is None
    assert any("sparar ingen adress" in line for line in content["about"])
    pdf = pdf_text(produce_register_extract(bertil, by=admin_user, extract_format=ExtractFormat.PDF).content)
    assert "skyddad adress" in pdf and "sparar ingen adress" in " ".join(pdf.split())


def test_producing_an_extract_is_audited_with_the_admin_as_actor_and_the_employee_as_object(
    client, admin_user, employee
):
    client.force_login(admin_user)
    assert client.post(extract_url(employee, "pdf")).status_code == 200

    (event,) = AuditEvent.objects.filter(action=AuditAction.REGISTER_EXTRACT_PRODUCED)
    assert event.actor == admin_user
    assert (event.object_type, event.object_id) == ("organisation.employee", str(employee.pk))
    assert event.data["format"] == "pdf"
    # The next extract shows that one was produced.
    again = json.loads(client.post(extract_url(employee, "json")).content)
    assert str(AuditAction.REGISTER_EXTRACT_PRODUCED.label) in {e["action"] for e in again["audit_events"]}


def test_a_contact_persons_decisions_show_as_acts_without_the_other_persons_records(
    admin_user, forvaltning, card, register
):
    karin = EmployeeFactory(forvaltning=forvaltning, user__username="karin", first_name="Karin")
    assign_contact_person(user=karin.user, forvaltning=forvaltning)
    give_puk(card, PUK)
    annas_order = approved_order(card, karin.user)

    content = json.loads(produce_register_extract(karin, by=admin_user, extract_format=ExtractFormat.JSON).content)
    (assignment,) = content["contact_person_assignments"]
    assert assignment["in_force"] and assignment["valid_until"] is None
    decision = next(e for e in content["audit_events"] if e["action"] == str(AuditAction.ORDER_APPROVED.label))
    assert (decision["object_type"], decision["object_id"]) == ("orders.pukorder", str(annas_order.pk))
    assert "data" not in decision and "motivation" not in decision
    assert card.holder.personnummer not in json.dumps(content)


def test_the_employee_page_offers_the_extract_and_a_get_produces_nothing(client, admin_user, employee):
    client.force_login(admin_user)
    page = client.get(reverse("admin:organisation_employee_change", args=[employee.pk])).content.decode()
    assert extract_url(employee, "pdf") in page and extract_url(employee, "json") in page
    assert client.get(extract_url(employee, "pdf")).status_code == 405
    assert not AuditEvent.objects.filter(action=AuditAction.REGISTER_EXTRACT_PRODUCED).exists()


def test_the_admin_action_produces_the_extract_of_one_selected_person(client, admin_user, employee):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:organisation_employee_changelist"),
        {"action": "register_extract_json", "_selected_action": [employee.pk]},
    )
    assert response.status_code == 200
    assert json.loads(response.content)["person"]["hsa_id"] == employee.hsa_id
    assert AuditEvent.objects.filter(action=AuditAction.REGISTER_EXTRACT_PRODUCED).count() == 1


def test_the_admin_action_refuses_more_than_one_person(client, admin_user, employee, forvaltning):
    other = EmployeeFactory(forvaltning=forvaltning)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:organisation_employee_changelist"),
        {"action": "register_extract_pdf", "_selected_action": [employee.pk, other.pk]},
        follow=True,
    )
    assert "Ett registerutdrag gäller en person" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.REGISTER_EXTRACT_PRODUCED).exists()


def test_nobody_but_staff_who_may_see_the_employee_reaches_the_extract(client, employee, contact_person):
    url = extract_url(employee, "json")
    assert client.post(url).status_code == 404  # anonymous
    client.force_login(employee.user)
    assert client.post(url).status_code == 404  # the person themself: not through the admin
    client.force_login(contact_person)
    assert client.post(url).status_code == 404
    clerk = UserFactory(username="clerk", is_staff=True)
    client.force_login(clerk)
    assert client.post(url).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="view_employee"))
    client.force_login(clerk)
    assert client.post(url).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.REGISTER_EXTRACT_PRODUCED).count() == 1
    assert PukOrder.objects.count() == 0
