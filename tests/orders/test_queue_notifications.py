"""Contact persons choose one mail per order or a daily digest; orders that wait too long
remind the contact persons, then the substitutes, once each."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from orders import escalation, notifications, tasks
from orders.models import DigestSent, Escalation, PukOrder
from orders.schedules import BEAT_SCHEDULE
from orders.states import OrderState
from organisation.models import ContactPersonAssignment
from organisation.services import assign_contact_person
from tests.factories import CardFactory, PukOrderFactory, UserFactory

pytestmark = pytest.mark.django_db

DIGEST = ContactPersonAssignment.EmailPreference.DAILY_DIGEST
MONDAY = date(2025, 3, 3)


def make_order(card, state=OrderState.SUBMITTED, created_at=None):
    order = PukOrderFactory(card=card, state=state)
    if created_at:
        PukOrder.objects.filter(pk=order.pk).update(created_at=created_at)
        order.refresh_from_db()
    return order


@pytest.fixture
def digest_person(forvaltning):
    user = UserFactory(username="dora")
    assign_contact_person(user=user, forvaltning=forvaltning, email_preference=DIGEST)
    return user


def test_new_order_mails_only_contact_persons_who_want_each_order(card, contact_person, digest_person, mailoutbox):
    order = make_order(card)
    notifications.notify_contact_persons_of_new_order(order.pk)
    assert [m.to for m in mailoutbox] == [[contact_person.email]]


def test_daily_digest_lists_the_waiting_orders_once_per_person_and_day(
    card, digest_person, other_forvaltning, mailoutbox
):
    waiting = make_order(card)
    done = make_order(CardFactory(holder=card.holder), state=OrderState.POSTED)
    today = timezone.localdate()

    tasks.send_daily_digests()
    tasks.send_daily_digests()

    assert [m.to for m in mailoutbox] == [[digest_person.email]]
    assert waiting.reference in mailoutbox[0].body and done.reference not in mailoutbox[0].body
    assert "1 beställning att hantera" in mailoutbox[0].subject
    assert DigestSent.objects.get(user=digest_person, date=today).order_count == 1


def test_no_digest_when_nothing_waits(digest_person, mailoutbox):
    tasks.send_daily_digests()
    assert mailoutbox == []
    assert not DigestSent.objects.exists()


def test_digest_does_not_go_to_those_who_chose_immediate_mail(card, contact_person, mailoutbox):
    make_order(card)
    tasks.send_daily_digests()
    assert mailoutbox == []


def test_contact_person_switches_to_the_digest_on_mina_installningar(client, contact_person, forvaltning):
    client.force_login(contact_person)
    url = reverse("orders:my_settings")
    page = client.get(url).content.decode()
    assert forvaltning.name in page
    assignment = ContactPersonAssignment.objects.get(user=contact_person)
    response = client.post(
        url,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": assignment.pk,
            "form-0-email_preference": DIGEST,
        },
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.email_preference == DIGEST


def test_settings_cannot_change_someone_elses_assignment(client, contact_person, other_contact_person):
    client.force_login(contact_person)
    theirs = ContactPersonAssignment.objects.get(user=other_contact_person)
    response = client.post(
        reverse("orders:my_settings"),
        {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "1", "form-0-id": theirs.pk, "form-0-email_preference": DIGEST},
    )
    assert response.status_code == 200
    assert "kunde inte sparas" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.email_preference == ContactPersonAssignment.EmailPreference.IMMEDIATE
    assert ContactPersonAssignment.objects.count() == 2


def test_settings_without_the_management_form_writes_nothing(client, contact_person):
    client.force_login(contact_person)
    response = client.post(reverse("orders:my_settings"), {"form-0-email_preference": DIGEST})
    assert response.status_code == 200
    assert ContactPersonAssignment.objects.get().email_preference == ContactPersonAssignment.EmailPreference.IMMEDIATE


@pytest.mark.parametrize(
    ("waited", "target", "levels"),
    [(2, 2, []), (3, 2, [1]), (4, 2, [1]), (5, 2, [1, 2]), (1, 0, [1, 2])],
)
def test_due_levels_follow_the_target_in_working_days(waited, target, levels):
    assert escalation.due_levels(waited, target) == levels


def test_an_overdue_order_reminds_contact_persons_then_substitutes_once_each(
    card,
    contact_person,
    second_contact_person,
    forvaltning,
    mailoutbox,
    django_capture_on_commit_callbacks,
    tasks_in_process,
):
    forvaltning.approval_target_days = 2
    forvaltning.save()
    order = make_order(card, created_at=timezone.make_aware(datetime(2025, 3, 3, 9)))  # a Monday

    def run(today):
        with django_capture_on_commit_callbacks(execute=True):
            return escalation.escalate_overdue_orders(today=today)

    assert run(MONDAY + timedelta(days=2)) == 0  # two working days: on target
    assert run(MONDAY + timedelta(days=3)) == 1
    assert run(MONDAY + timedelta(days=4)) == 0
    assert [m.to for m in mailoutbox] == [[contact_person.email]]
    assert "Påminnelse" in mailoutbox[0].subject

    assert run(MONDAY + timedelta(days=7)) == 1  # next Monday: five working days
    assert run(MONDAY + timedelta(days=8)) == 0
    assert [m.to for m in mailoutbox][1:] == [[second_contact_person.email]]
    assert list(Escalation.objects.filter(order=order).values_list("level", flat=True).order_by("level")) == [1, 2]
    actions = list(AuditEvent.objects.for_object(order).values_list("action", flat=True))
    assert actions == ["order_reminder_sent", "order_escalated_to_substitutes"]


def test_the_hourly_run_reads_only_the_orders_that_may_be_due(card, forvaltning, other_forvaltning):
    """Not every waiting order: one placed within the shortest target, or already at the
    last level, cannot have a level due."""
    forvaltning.approval_target_days = 5
    forvaltning.save()
    other_forvaltning.approval_target_days = 2
    other_forvaltning.save()
    friday = timezone.make_aware(datetime(2025, 2, 28, 9))
    fresh = make_order(card, created_at=timezone.make_aware(datetime(2025, 3, 2, 9)))  # Sunday: within two days
    reminded = make_order(CardFactory(holder=card.holder), created_at=friday)
    escalated = make_order(CardFactory(holder=card.holder), created_at=friday - timedelta(days=30))
    Escalation.objects.create(order=reminded, level=Escalation.Level.CONTACT_PERSONS)
    for level in Escalation.Level:
        Escalation.objects.create(order=escalated, level=level)

    read = set(escalation.orders_that_may_be_due(MONDAY + timedelta(days=1)))

    assert reminded in read
    assert fresh not in read and escalated not in read


def test_a_decided_order_is_not_escalated(card, contact_person, mailoutbox):
    make_order(card, state=OrderState.APPROVED, created_at=timezone.now() - timedelta(days=30))
    assert escalation.escalate_overdue_orders() == 0
    assert mailoutbox == []


def test_a_reminder_for_an_order_decided_before_the_mail_went_is_dropped(card, contact_person, mailoutbox):
    order = make_order(card, state=OrderState.APPROVED)
    reminder = Escalation.objects.create(order=order, level=Escalation.Level.CONTACT_PERSONS)
    notifications.send_escalation(reminder.pk)
    assert mailoutbox == []


def test_beat_schedule_names_the_escalation_and_digest_tasks():
    from celery import current_app

    names = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {"orders.tasks.escalate_overdue_orders", "orders.tasks.send_daily_digests"} <= names
    assert names <= set(current_app.tasks)
