"""What follows from a change in the HSA directory (registers.acts): a person leaves, a
person moves to another förvaltning, a contact person is appointed or ended. Each is an
audited act through the services; the tests run on SQLite and on PostgreSQL."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from audit.actions import AuditAction
from audit.models import AuditEvent
from desk.credentials import may_operate
from desk.models import DeskSession, StationOperator
from letters.services import produce_letter
from orders import services as order_services
from orders.models import Notification, PukOrder
from orders.selectors import orders_for_contact_person
from orders.states import OrderState
from organisation.models import ContactPersonAssignment
from organisation.permissions import forvaltning_ids_of
from organisation.services import assign_contact_person
from registers import acts
from registers.people import LeftBecause
from tests.desk.conftest import make_station
from tests.factories import PASSWORD, UserFactory, approved_order, give_puk

pytestmark = pytest.mark.django_db

User = get_user_model()
GONE = str(acts.LEFT_REASONS[LeftBecause.GONE])


def events(action, obj):
    return AuditEvent.objects.filter(action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk))


def place(card):
    return order_services.place_order(
        placed_by=card.holder.user, card=card, reason="lost_letter", blocked_codes="legitimering"
    )


def fresh(user):
    """The user as a new request has them (the permission lookups are memoised on the object)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def leave(django_capture_on_commit_callbacks, tasks_in_process):
    def leave(employee, reason=GONE):
        with django_capture_on_commit_callbacks(execute=True):
            return acts.person_left(employee, reason)

    return leave


# A person leaves.


def test_a_person_who_leaves_can_no_longer_log_in(client, employee, leave):
    leave(employee)

    assert not fresh(employee.user).is_active
    response = client.post(reverse("login"), {"username": employee.user.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200  # the form again, with its error
    assert events(AuditAction.PERSON_LEFT, employee).get().reason == GONE


def test_a_leaver_logged_in_already_is_refused_on_the_next_request(client, employee, leave):
    client.force_login(employee.user)
    assert client.get(reverse("orders:my_cards")).status_code == 200

    leave(employee)

    assert client.get(reverse("orders:my_cards")).status_code == 302  # to the login page


def test_a_leavers_waiting_order_is_cancelled_with_the_reason_in_words(card, contact_person, leave):
    order = place(card)

    leaving = leave(card.holder)

    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert leaving.orders_cancelled == 1
    assert events(AuditAction.ORDER_CANCELLED, order).get().reason == GONE


def test_a_leavers_approved_order_is_cancelled_before_its_letter_is_made(card, contact_person, leave):
    order = approved_order(card, contact_person)

    leave(card.holder)

    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert not order.letters.exists()


def test_a_leavers_letter_already_made_goes_on(card, contact_person, leave):
    give_puk(card)
    order = approved_order(card, contact_person)
    produce_letter(order.pk)
    order.refresh_from_db()
    assert order.state == OrderState.LETTER_QUEUED

    assert leave(card.holder).orders_cancelled == 0
    order.refresh_from_db()
    assert order.state == OrderState.LETTER_QUEUED


def test_the_contact_persons_are_told_of_a_leavers_cancelled_order(
    card, contact_person, second_contact_person, mailoutbox, leave
):
    order = place(card)
    mailoutbox.clear()

    leave(card.holder)

    told = {recipient for mail in mailoutbox for recipient in mail.to}
    assert told == {contact_person.email, second_contact_person.email}
    mail = mailoutbox[0]
    assert order.reference in mail.subject
    assert "slutat" in mail.subject
    assert GONE in mail.body
    assert Notification.objects.filter(order=order, kind=Notification.Kind.HOLDER_LEFT).count() == 2


def test_a_leaver_is_told_once_even_if_leaving_is_applied_twice(card, contact_person, mailoutbox, leave):
    place(card)
    mailoutbox.clear()

    leave(card.holder)
    leave(card.holder)

    assert len(mailoutbox) == 1
    assert events(AuditAction.PERSON_LEFT, card.holder).count() == 1


def test_a_leavers_contact_person_assignments_end(forvaltning, other_forvaltning, contact_person, employee, leave):
    assign_contact_person(user=employee.user, forvaltning=forvaltning)
    later = assign_contact_person(
        user=employee.user, forvaltning=other_forvaltning, valid_from=timezone.now() + timedelta(days=3)
    )

    leaving = leave(employee)

    assert leaving.assignments_ended == 2
    assert forvaltning_ids_of(fresh(employee.user)) == []
    ended = ContactPersonAssignment.objects.get(user=employee.user, forvaltning=forvaltning)
    assert ended.has_ended_at()
    assert events(AuditAction.RIGHT_WITHDRAWN, ended).get().reason == GONE
    assert not ContactPersonAssignment.objects.filter(pk=later.pk).exists()  # it would never have begun
    assert events(AuditAction.RIGHT_WITHDRAWN, later).exists()
    assert forvaltning_ids_of(fresh(contact_person)) == [forvaltning.pk]  # the others keep theirs


def test_a_leavers_station_rights_end_and_their_desk_logins_close(employee, leave):
    station = make_station("Kortstation Lund")
    employee.user.user_permissions.add(Permission.objects.get(codename="operate_station"))
    station.operators.add(employee.user)
    session = DeskSession.objects.create(station=station, operator=employee.user, last_seen_at=timezone.now())

    leaving = leave(employee)

    right = StationOperator.objects.get(station=station, user=employee.user)
    assert leaving.station_rights_ended == 1
    assert right.has_ended_at()
    assert not may_operate(fresh(employee.user), station)
    session.refresh_from_db()
    assert session.ended_at is not None
    assert events(AuditAction.RIGHT_WITHDRAWN, right).get().reason == GONE


# A person moves to another förvaltning.


@pytest.fixture
def move(django_capture_on_commit_callbacks, tasks_in_process):
    def move(employee, forvaltning):
        with django_capture_on_commit_callbacks(execute=True):
            return acts.person_moved(employee, forvaltning)

    return move


def test_a_movers_open_orders_go_to_the_new_forvaltnings_queue(
    card, contact_person, other_forvaltning, other_contact_person, move
):
    order = place(card)
    assert order in orders_for_contact_person(fresh(contact_person))

    assert move(card.holder, other_forvaltning) == 1

    order.refresh_from_db()
    card.holder.refresh_from_db()
    assert card.holder.forvaltning == other_forvaltning
    assert order.forvaltning == other_forvaltning
    assert order not in orders_for_contact_person(fresh(contact_person))
    assert order in orders_for_contact_person(fresh(other_contact_person))
    assert events(AuditAction.PERSON_MOVED, card.holder).exists()
    moved = events(AuditAction.ORDER_MOVED, order).get()
    assert moved.data["to_forvaltning_id"] == other_forvaltning.pk


def test_the_new_contact_person_is_told_of_a_movers_waiting_order(
    card, contact_person, other_forvaltning, other_contact_person, mailoutbox, move
):
    place(card)
    mailoutbox.clear()

    move(card.holder, other_forvaltning)

    assert [mail.to for mail in mailoutbox] == [[other_contact_person.email]]


def test_a_movers_waiting_order_goes_to_the_central_queue_when_the_new_forvaltning_has_no_contact_person(
    card, contact_person, other_forvaltning, move
):
    order = place(card)

    move(card.holder, other_forvaltning)

    order.refresh_from_db()
    assert order.central_queue


def test_a_movers_closed_orders_stay_with_the_forvaltning_they_were_placed_in(
    card, forvaltning, contact_person, other_forvaltning, move
):
    order = place(card)
    order_services.reject_order(order=order, by=contact_person, reason="Fel kort")

    assert move(card.holder, other_forvaltning) == 0

    order.refresh_from_db()
    assert order.forvaltning == forvaltning


def test_moving_to_the_forvaltning_one_is_in_changes_nothing(card, forvaltning, contact_person, move):
    place(card)

    assert move(card.holder, forvaltning) == 0
    assert not events(AuditAction.PERSON_MOVED, card.holder).exists()


# Contact persons and ersättare from the directory.


def test_a_contact_person_appointed_from_the_directory_sees_the_queue_and_it_is_audited(card, forvaltning):
    user = UserFactory()
    order = place(card)

    assignment = acts.appoint_contact_person(user, forvaltning, ContactPersonAssignment.Role.SUBSTITUTE)

    assert assignment.role == ContactPersonAssignment.Role.SUBSTITUTE
    assert order in orders_for_contact_person(fresh(user))
    event = events(AuditAction.CONTACT_PERSON_APPOINTED, assignment).get()
    assert event.reason == str(acts.APPOINTED_REASON)
    assert event.data["role"] == "ersattare"


def test_appointing_a_contact_person_again_records_nothing_more(forvaltning):
    user = UserFactory()
    first = acts.appoint_contact_person(user, forvaltning, ContactPersonAssignment.Role.CONTACT_PERSON)
    again = acts.appoint_contact_person(user, forvaltning, ContactPersonAssignment.Role.CONTACT_PERSON)

    assert again.pk == first.pk
    assert events(AuditAction.CONTACT_PERSON_APPOINTED, first).count() == 1


def test_a_contact_person_ended_from_the_directory_no_longer_sees_the_queue_and_it_is_audited(
    card, forvaltning, contact_person
):
    order = place(card)

    assert acts.end_contact_person(contact_person, forvaltning)

    assert order not in orders_for_contact_person(fresh(contact_person))
    assignment = ContactPersonAssignment.objects.get(user=contact_person, forvaltning=forvaltning)
    assert events(AuditAction.RIGHT_WITHDRAWN, assignment).get().reason == str(acts.ROLE_ENDED_REASON)
    assert not acts.end_contact_person(contact_person, forvaltning)  # ended already: nothing more
    assert events(AuditAction.RIGHT_WITHDRAWN, assignment).count() == 1


def test_a_contact_person_ended_and_appointed_again_has_the_right_again(forvaltning, contact_person):
    acts.end_contact_person(contact_person, forvaltning)

    acts.appoint_contact_person(contact_person, forvaltning, ContactPersonAssignment.Role.CONTACT_PERSON)

    assert forvaltning_ids_of(fresh(contact_person)) == [forvaltning.pk]


def test_a_waiting_order_goes_to_the_central_queue_when_its_last_contact_person_ends(
    card, forvaltning, contact_person, django_capture_on_commit_callbacks, tasks_in_process
):
    order = place(card)

    with django_capture_on_commit_callbacks(execute=True):
        acts.end_contact_person(contact_person, forvaltning)

    assert PukOrder.objects.get(pk=order.pk).central_queue


# The admin's way records the same.


def test_an_appointment_in_the_admin_is_audited_as_the_directorys_is(client, forvaltning):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    karin = UserFactory(username="karin")
    client.force_login(admin)
    prefix = "contact_assignments"
    form = {
        "code": forvaltning.code,
        "name": forvaltning.name,
        "approval_target_days": forvaltning.approval_target_days,
        f"{prefix}-TOTAL_FORMS": 1,
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
        f"{prefix}-0-user": karin.pk,
        f"{prefix}-0-role": "ersattare",
        f"{prefix}-0-email_preference": "immediate",
        f"{prefix}-0-forvaltning": forvaltning.pk,
    }
    response = client.post(reverse("admin:organisation_forvaltning_change", args=[forvaltning.pk]), form)
    assert response.status_code == 302, response.content.decode()

    assignment = ContactPersonAssignment.objects.get(user=karin)
    event = events(AuditAction.CONTACT_PERSON_APPOINTED, assignment).get()
    assert event.actor == admin
    assert event.data["role"] == "ersattare"


def test_a_removal_in_the_admin_is_audited_as_a_withdrawal(client, forvaltning, contact_person):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    assignment = ContactPersonAssignment.objects.get(user=contact_person)
    client.force_login(admin)

    url = reverse("admin:organisation_contactpersonassignment_delete", args=[assignment.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302

    event = events(AuditAction.RIGHT_WITHDRAWN, assignment).get()
    assert event.actor == admin
    assert event.data["removed"] is True
