"""Administrators assign contact persons and substitutes in the Django admin; the queue
then shows them the förvaltning, and the permissions follow every change of an assignment."""

import pytest
from django.urls import NoReverseMatch, reverse

from organisation.models import ContactPersonAssignment
from organisation.permissions import APPROVE_ORDERS, VIEW_ORDERS, forvaltningar_for
from organisation.services import mailed_assignments
from tests.factories import PukOrderFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = ContactPersonAssignment.Role
PREFIX = "contact_assignments"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


def forvaltning_form(forvaltning, rows, initial=0):
    """The förvaltning's change form with `rows` of assignments, as the admin posts it."""
    data = {
        "code": forvaltning.code,
        "name": forvaltning.name,
        "approval_target_days": forvaltning.approval_target_days,
        f"{PREFIX}-TOTAL_FORMS": len(rows),
        f"{PREFIX}-INITIAL_FORMS": initial,
        f"{PREFIX}-MIN_NUM_FORMS": 0,
        f"{PREFIX}-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        data.update({f"{PREFIX}-{index}-{field}": value for field, value in row.items()})
        data[f"{PREFIX}-{index}-forvaltning"] = forvaltning.pk
    return data


def change_url(forvaltning):
    return reverse("admin:organisation_forvaltning_change", args=[forvaltning.pk])


def sees_in_queue(client, user, order):
    client.force_login(user)
    response = client.get(reverse("orders:queue"))
    return response.status_code == 200 and order.reference in response.content.decode()


def test_an_admin_adds_a_contact_person_and_a_substitute_and_the_queue_shows_them_the_forvaltning(
    admin_client, client, forvaltning, card
):
    order = PukOrderFactory(card=card)
    karin, sara = UserFactory(username="karin"), UserFactory(username="sara")
    rows = [
        {"user": karin.pk, "role": Role.CONTACT_PERSON, "email_preference": "immediate"},
        {"user": sara.pk, "role": Role.SUBSTITUTE, "email_preference": "immediate"},
    ]
    response = admin_client.post(change_url(forvaltning), forvaltning_form(forvaltning, rows))
    assert response.status_code == 302, response.content.decode()

    for user in (karin, sara):
        assert list(forvaltningar_for(user, VIEW_ORDERS)) == [forvaltning]
        assert list(forvaltningar_for(user, APPROVE_ORDERS)) == [forvaltning]
        assert sees_in_queue(client, user, order)
    assert list(mailed_assignments(forvaltning).values_list("user", flat=True)) == [karin.pk]
    assert list(mailed_assignments(forvaltning, role=Role.SUBSTITUTE).values_list("user", flat=True)) == [sara.pk]


def test_changing_an_assignments_user_in_the_forvaltning_admin_moves_the_permissions(
    admin_client, client, forvaltning, card, contact_person
):
    order = PukOrderFactory(card=card)
    assignment = ContactPersonAssignment.objects.get(user=contact_person)
    successor = UserFactory(username="kerstin")
    row = {"id": assignment.pk, "user": successor.pk, "role": Role.CONTACT_PERSON, "email_preference": "immediate"}
    response = admin_client.post(change_url(forvaltning), forvaltning_form(forvaltning, [row], initial=1))
    assert response.status_code == 302, response.content.decode()

    assert ContactPersonAssignment.objects.get().user == successor
    assert not forvaltningar_for(contact_person).exists()
    client.force_login(contact_person)
    assert client.get(reverse("orders:queue")).status_code == 404
    assert sees_in_queue(client, successor, order)


def test_deleting_an_assignment_in_the_forvaltning_admin_takes_the_permissions_away(
    admin_client, client, forvaltning, contact_person
):
    assignment = ContactPersonAssignment.objects.get(user=contact_person)
    row = {"id": assignment.pk, "user": contact_person.pk, "role": Role.CONTACT_PERSON,
           "email_preference": "immediate", "DELETE": "on"}  # fmt: skip
    response = admin_client.post(change_url(forvaltning), forvaltning_form(forvaltning, [row], initial=1))
    assert response.status_code == 302, response.content.decode()
    assert not ContactPersonAssignment.objects.exists()
    assert not forvaltningar_for(contact_person).exists()
    client.force_login(contact_person)
    assert client.get(reverse("orders:queue")).status_code == 404


def test_moving_an_assignment_to_another_forvaltning_in_its_own_admin_moves_the_permissions(
    admin_client, forvaltning, other_forvaltning, contact_person
):
    assignment = ContactPersonAssignment.objects.get(user=contact_person)
    response = admin_client.post(
        reverse("admin:organisation_contactpersonassignment_change", args=[assignment.pk]),
        {"user": contact_person.pk, "forvaltning": other_forvaltning.pk, "role": Role.SUBSTITUTE,
         "email_preference": "immediate"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    assert list(forvaltningar_for(contact_person, APPROVE_ORDERS)) == [other_forvaltning]
    assert ContactPersonAssignment.objects.get().pk == assignment.pk


def test_a_second_assignment_of_the_same_person_is_refused_with_a_message(admin_client, forvaltning, contact_person):
    row = {"user": contact_person.pk, "role": Role.SUBSTITUTE, "email_preference": "immediate"}
    response = admin_client.post(change_url(forvaltning), forvaltning_form(forvaltning, [row]))
    assert response.status_code == 200
    assert "finns redan" in response.content.decode()
    assert ContactPersonAssignment.objects.get().role == Role.CONTACT_PERSON


def test_the_forvaltning_admin_has_no_page_to_edit_object_permissions_beside_the_assignments(admin_client, forvaltning):
    with pytest.raises(NoReverseMatch):
        reverse("admin:organisation_forvaltning_permissions", args=[forvaltning.pk])
    assert admin_client.get(change_url(forvaltning) + "permissions/").status_code in (302, 404)
