"""A contact person's or ersättare's assignment may hold for a period only. The right stops
the moment the period ends (or holds only once it begins), at the time of the request,
whatever beat has done; beat then takes the permissions away, records the end once, and
has the förvaltning's waiting orders routed again."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from audit.actions import AuditAction
from audit.models import AuditEvent
from organisation.models import ContactPersonAssignment, ForvaltningUserObjectPermission
from organisation.permissions import APPROVE_ORDERS, forvaltningar_for, is_contact_person
from organisation.services import (
    approver_ids,
    assign_contact_person,
    contact_person_emails,
    end_expired_rights,
    remove_contact_person,
    save_assignment,
)
from tests.factories import PukOrderFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = ContactPersonAssignment.Role
HOUR = timedelta(hours=1)


def menu_links(client):
    """The main menu's link to the queue, on the start page (which every login may open)."""
    page = client.get(reverse("home"), follow=True).content.decode()
    menu = page[page.index('aria-label="Huvudmeny"') : page.index("</nav>")]
    return {"queue"} if reverse("orders:queue") in menu else set()


def object_permissions(user, forvaltning):
    rows = ForvaltningUserObjectPermission.objects.filter(user=user, content_object=forvaltning)
    return sorted(rows.values_list("permission__codename", flat=True))


def ended_events():
    return list(AuditEvent.objects.filter(action=AuditAction.RIGHT_ENDED))


@pytest.fixture
def summer_substitute(forvaltning):
    """Sara, ersättare for an hour from now on."""
    user = UserFactory(username="sara", first_name="Sara", last_name="Sommar")
    assign_contact_person(user=user, forvaltning=forvaltning, role=Role.SUBSTITUTE, valid_until=timezone.now() + HOUR)
    return user


def test_a_right_whose_period_ends_closes_the_queue_at_that_moment_before_beat_has_run(
    client, clock, forvaltning, card, summer_substitute
):
    order = PukOrderFactory(card=card)
    client.force_login(summer_substitute)
    assert client.get(reverse("orders:queue")).status_code == 200
    assert client.get(reverse("orders:queue_detail", args=[order.pk])).status_code == 200
    assert menu_links(client) == {"queue"}

    clock.move(HOUR + timedelta(seconds=1))

    # The menu remembers the role for a while (organisation.context_processors); every page
    # still asks afresh, with the period, and the guardian permissions are all still there.
    assert menu_links(client) == {"queue"}
    assert object_permissions(summer_substitute, forvaltning) == ["approve_orders", "view_orders"]
    assert client.get(reverse("orders:queue")).status_code == 404
    assert client.get(reverse("orders:queue_detail", args=[order.pk])).status_code == 404
    assert client.post(reverse("orders:approve", args=[order.pk]), {"state": "submitted"}).status_code == 404
    assert client.get(reverse("orders:on_behalf")).status_code == 404
    order.refresh_from_db()
    assert order.state == "submitted"


def test_the_right_ends_at_its_end_itself_not_a_moment_later(clock, forvaltning, summer_substitute):
    assignment = ContactPersonAssignment.objects.get(user=summer_substitute)
    clock.set(assignment.valid_until - timedelta(microseconds=1))
    assert list(forvaltningar_for(summer_substitute)) == [forvaltning]
    clock.move(timedelta(microseconds=1))
    assert not forvaltningar_for(summer_substitute).exists()


def test_an_ersattare_whose_period_has_not_begun_gets_the_queue_only_when_it_begins(client, clock, forvaltning):
    autumn = UserFactory(username="stina")
    assign_contact_person(user=autumn, forvaltning=forvaltning, role=Role.SUBSTITUTE, valid_from=timezone.now() + HOUR)
    client.force_login(autumn)
    assert client.get(reverse("orders:queue")).status_code == 404
    assert approver_ids([forvaltning.pk]) == {}

    clock.move(HOUR)
    assert client.get(reverse("orders:queue")).status_code == 200
    assert approver_ids([forvaltning.pk]) == {forvaltning.pk: {autumn.pk}}


def test_a_permission_given_by_hand_without_an_assignment_opens_nothing(client, forvaltning):
    stranger = UserFactory(username="nisse")
    assign_perm("organisation.view_orders", stranger, forvaltning)
    assign_perm("organisation.approve_orders", stranger, forvaltning)
    assert not is_contact_person(stranger)
    assert not forvaltningar_for(stranger, APPROVE_ORDERS).exists()
    client.force_login(stranger)
    assert client.get(reverse("orders:queue")).status_code == 404


def test_an_ended_contact_person_is_no_approver_and_gets_no_mail(clock, forvaltning, contact_person, summer_substitute):
    assert approver_ids([forvaltning.pk]) == {forvaltning.pk: {contact_person.pk, summer_substitute.pk}}
    assert contact_person_emails(forvaltning, role=Role.SUBSTITUTE) == [summer_substitute.email]
    clock.move(2 * HOUR)
    assert approver_ids([forvaltning.pk]) == {forvaltning.pk: {contact_person.pk}}
    assert contact_person_emails(forvaltning, role=Role.SUBSTITUTE) == []


def test_a_contact_person_whose_right_ended_gets_no_more_mail_about_the_forvaltnings_orders(
    clock, forvaltning, card, mailoutbox
):
    from orders import notifications, tasks

    digest, immediate = UserFactory(username="dora"), UserFactory(username="ivar")
    until = timezone.now() + HOUR
    assign_contact_person(user=digest, forvaltning=forvaltning, email_preference="daily_digest", valid_until=until)
    assign_contact_person(user=immediate, forvaltning=forvaltning, valid_until=until)
    order = PukOrderFactory(card=card)

    clock.move(2 * HOUR)  # beat has not run: the checks alone stop the mail
    tasks.send_daily_digests()
    notifications.notify_contact_persons_of_new_order(order.pk)
    assert mailoutbox == []


def test_beat_ends_an_expired_right_once_takes_every_permission_away_and_records_it(
    clock, forvaltning, summer_substitute
):
    # Given by hand beside the assignment: it goes with the assignment's end too.
    assign_perm("organisation.change_forvaltning", summer_substitute, forvaltning)
    assignment = ContactPersonAssignment.objects.get(user=summer_substitute)
    assert end_expired_rights() == []  # not yet

    clock.move(2 * HOUR)
    (ended,) = end_expired_rights()

    assert (ended.assignment_id, ended.user_id, ended.forvaltning_id, ended.role) == (
        assignment.pk,
        summer_substitute.pk,
        forvaltning.pk,
        Role.SUBSTITUTE,
    )
    assert object_permissions(summer_substitute, forvaltning) == []
    (event,) = ended_events()
    assert (event.object_type, event.object_id, event.actor) == ("organisation.contactpersonassignment",
                                                                 str(assignment.pk), None)  # fmt: skip
    assert event.data["permissions"] == ["approve_orders", "change_forvaltning", "view_orders"]
    assert event.data["forvaltning_id"] == forvaltning.pk
    assignment.refresh_from_db()
    assert assignment.recorded_end == assignment.valid_until
    # The assignment stays, ended: the admin shows its period.

    assert end_expired_rights() == []
    assert len(ended_events()) == 1


def test_beat_has_the_waiting_orders_routed_again_when_a_forvaltning_loses_an_approver(
    clock, tasks_in_process, django_capture_on_commit_callbacks, forvaltning, card, summer_substitute, contact_person
):
    # Placed by the contact person on the holder's behalf: only the ersättare may approve it.
    order = PukOrderFactory(card=card, placed_by=contact_person)
    assert not order.central_queue

    clock.move(2 * HOUR)
    with django_capture_on_commit_callbacks(execute=True):  # orders.tasks.route_waiting_orders
        end_expired_rights()

    order.refresh_from_db()
    assert order.central_queue
    assert AuditEvent.objects.filter(action=AuditAction.ORDER_SENT_TO_CENTRAL_QUEUE, object_id=str(order.pk)).exists()


def test_beat_removes_permissions_no_assignment_stands_behind_and_records_it(forvaltning, contact_person):
    stranger = UserFactory(username="nisse")
    assign_perm("organisation.view_orders", stranger, forvaltning)
    future = UserFactory(username="stina")
    assign_contact_person(user=future, forvaltning=forvaltning, valid_from=timezone.now() + HOUR)

    end_expired_rights()

    assert object_permissions(stranger, forvaltning) == []
    assert object_permissions(contact_person, forvaltning) == ["approve_orders", "view_orders"]
    assert object_permissions(future, forvaltning) == ["approve_orders", "view_orders"]  # it will begin
    (event,) = AuditEvent.objects.filter(action=AuditAction.STRAY_PERMISSIONS_REMOVED)
    assert (event.object_type, event.object_id) == ("organisation.forvaltning", str(forvaltning.pk))
    assert (event.data["username"], event.data["permissions"]) == ("nisse", ["view_orders"])
    end_expired_rights()
    assert AuditEvent.objects.filter(action=AuditAction.STRAY_PERMISSIONS_REMOVED).count() == 1


def test_removing_an_assignment_takes_away_the_permissions_given_by_hand_beside_it(forvaltning, contact_person):
    assign_perm("organisation.change_forvaltning", contact_person, forvaltning)
    remove_contact_person(ContactPersonAssignment.objects.get(user=contact_person))
    assert object_permissions(contact_person, forvaltning) == []


def test_an_assignment_saved_with_an_end_in_the_past_ends_at_once(client, forvaltning, contact_person):
    assignment = ContactPersonAssignment.objects.get(user=contact_person)
    assignment.valid_until = timezone.now() - timedelta(minutes=1)
    save_assignment(assignment)

    assert object_permissions(contact_person, forvaltning) == []
    assert len(ended_events()) == 1
    save_assignment(assignment)  # saved again, unchanged: the end was recorded already
    assert len(ended_events()) == 1
    client.force_login(contact_person)
    assert client.get(reverse("orders:queue")).status_code == 404


def test_a_right_given_a_new_end_after_it_ended_holds_again_and_its_next_end_is_recorded(
    client, clock, forvaltning, summer_substitute
):
    clock.move(2 * HOUR)
    end_expired_rights()
    assignment = ContactPersonAssignment.objects.get(user=summer_substitute)
    assignment.valid_until = timezone.now() + HOUR
    save_assignment(assignment)

    client.force_login(summer_substitute)
    assert client.get(reverse("orders:queue")).status_code == 200
    assert object_permissions(summer_substitute, forvaltning) == ["approve_orders", "view_orders"]
    clock.move(2 * HOUR)
    assert len(end_expired_rights()) == 1
    assert len(ended_events()) == 2


def test_beat_runs_the_end_of_rights_every_minute():
    from rsportal.celery import app

    app.loader.import_default_modules()
    entries = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert entries["organisation.tasks.end_expired_rights"] == 60.0
    assert "organisation.tasks.end_expired_rights" in app.tasks


# --- The admin ---------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


def test_an_admin_makes_an_ersattare_for_the_summer_in_the_forvaltning_admin(admin_client, clock, forvaltning):
    from tests.organisation.test_contact_person_admin import change_url, forvaltning_form

    start, end = timezone.localdate() - timedelta(days=1), timezone.localdate() + timedelta(days=60)
    sara = UserFactory(username="sara")
    row = {"user": sara.pk, "role": Role.SUBSTITUTE, "email_preference": "immediate",
           "valid_from_0": start.isoformat(), "valid_from_1": "00:00:00",
           "valid_until_0": end.isoformat(), "valid_until_1": "00:00:00"}  # fmt: skip
    response = admin_client.post(change_url(forvaltning), forvaltning_form(forvaltning, [row]))
    assert response.status_code == 302, response.content.decode()
    assignment = ContactPersonAssignment.objects.get(user=sara)
    assert timezone.localtime(assignment.valid_until).date() == end
    assert list(forvaltningar_for(sara)) == [forvaltning]

    clock.move(timedelta(days=61))
    assert not forvaltningar_for(sara).exists()


def test_an_admin_cannot_make_an_assignment_that_ends_before_it_begins(admin_client, forvaltning):
    from tests.organisation.test_contact_person_admin import change_url, forvaltning_form

    sara = UserFactory(username="sara")
    row = {"user": sara.pk, "role": Role.SUBSTITUTE, "email_preference": "immediate",
           "valid_from_0": "2031-08-31", "valid_from_1": "00:00:00",
           "valid_until_0": "2031-06-01", "valid_until_1": "00:00:00"}  # fmt: skip
    response = admin_client.post(change_url(forvaltning), forvaltning_form(forvaltning, [row]))
    assert response.status_code == 200
    assert "Slutet måste komma efter början." in response.content.decode()
    assert not ContactPersonAssignment.objects.exists()


def test_the_list_of_assignments_shows_each_period_and_whether_it_holds(
    admin_client, clock, forvaltning, contact_person, summer_substitute
):
    clock.move(2 * HOUR)
    url = reverse("admin:organisation_contactpersonassignment_changelist")
    page = admin_client.get(url).content.decode()
    assert "Gäller från" in page and "Gäller till" in page and "Gäller nu" in page
    assert page.count('alt="False"') == 1 and page.count('alt="True"') == 1

    ended = admin_client.get(url, {"giltighet": "upphort"}).content.decode()
    holding = admin_client.get(url, {"giltighet": "galler"}).content.decode()
    assert "sara" in ended and "karin" not in ended
    assert "karin" in holding and "sara" not in holding


def test_the_forvaltning_list_counts_only_approvers_whose_right_holds(
    admin_client, clock, forvaltning, contact_person, summer_substitute
):
    url = reverse("admin:organisation_forvaltning_changelist")
    assert forvaltning.name in admin_client.get(url, {"saknar_godkannare": "nej"}).content.decode()
    clock.move(2 * HOUR)
    assert forvaltning.name in admin_client.get(url, {"saknar_godkannare": "ja"}).content.decode()
