"""Mail whose task was lost (the broker was down at commit) is enqueued again by beat's
sweep, once: what was sent is not sent again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders import escalation, services, tasks
from orders.mail_sweep import sweep_unsent_mail
from orders.models import Escalation, Notification, PukOrder
from organisation.models import ContactPersonAssignment
from tests.factories import CardFactory, PukOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(django_capture_on_commit_callbacks):
    """Commits as the services do, but the tasks they enqueue on commit are lost."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=False):
            return action()

    return run


def place(card):
    return services.place_order(placed_by=card.holder.user, card=card, reason="lost_letter", blocked_codes="both")


def sweep():
    return sweep_unsent_mail(older_than_seconds=0)


def receipt_sent(order):
    Notification.objects.create(
        order=order, kind=Notification.Kind.RECEIPT, recipient=order.holder.work_email, sent_at=timezone.now()
    )


def test_a_receipt_and_new_order_notice_lost_with_the_broker_are_sent_by_the_sweep_once(
    card, contact_person, broker_down, mailoutbox, tasks_in_process
):
    order = broker_down(lambda: place(card))
    assert mailoutbox == []

    assert sweep() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([card.holder.work_email, contact_person.email])
    assert all(order.reference in m.subject for m in mailoutbox)
    assert sweep() == 0
    assert len(mailoutbox) == 2


def test_a_decision_mail_lost_with_the_broker_is_sent_by_the_sweep(
    card, contact_person, broker_down, mailoutbox, tasks_in_process
):
    order = PukOrderFactory(card=card)
    receipt_sent(order)
    broker_down(lambda: services.reject_order(order=order, by=contact_person, reason="Kortet ska bytas."))

    assert sweep() == 1
    assert [m.to for m in mailoutbox] == [[card.holder.work_email]]
    assert "Kortet ska bytas." in mailoutbox[0].body
    assert sweep() == 0


def test_an_escalation_lost_with_the_broker_reminds_by_the_sweep(
    card, contact_person, forvaltning, broker_down, mailoutbox, tasks_in_process
):
    order = PukOrderFactory(card=card)
    PukOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=10))  # out of the window
    broker_down(escalation.escalate_overdue_orders)
    assert Escalation.objects.filter(order=order).count() == 2  # both levels are due after ten days

    assert sweep() == 1  # the contact person; there is no substitute to remind
    assert [m.to for m in mailoutbox] == [[contact_person.email]]
    assert "Påminnelse" in mailoutbox[0].subject
    assert sweep() == 0


def test_a_mail_that_went_is_not_enqueued_again(
    card, contact_person, mailoutbox, tasks_in_process, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(card)
        services.approve_order(order=order, by=contact_person)
    mailed = len(mailoutbox)
    assert sweep() == 0
    assert len(mailoutbox) == mailed


def test_a_forvaltning_without_anyone_wanting_each_order_is_not_swept_again_and_again(
    card, contact_person, broker_down, tasks_in_process
):
    ContactPersonAssignment.objects.update(email_preference=ContactPersonAssignment.EmailPreference.DAILY_DIGEST)
    broker_down(lambda: place(card))
    assert sweep() == 1  # the receipt only
    assert sweep() == 0


def test_the_sweep_leaves_what_is_too_new_too_old_or_no_longer_news(card, contact_person, broker_down, monkeypatch):
    enqueued = []
    for name in ("send_order_receipt", "notify_contact_persons_of_new_order", "notify_holder_of_decision"):
        monkeypatch.setattr(getattr(tasks, name), "delay", lambda pk, name=name: enqueued.append((name, pk)))

    fresh = broker_down(lambda: place(card))
    assert sweep_unsent_mail() == 0  # younger than a minute: its own task may still be on its way

    old = PukOrderFactory(card=CardFactory(holder=card.holder))
    PukOrder.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    receipt_sent(fresh)
    services.cancel_order(order=fresh, by=card.holder.user)  # no longer waits: no notice to contact persons

    assert sweep() == 0
    assert enqueued == []
