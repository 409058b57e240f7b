"""The administrators are mailed when a register has had no successful sync for
RSPORTAL_REGISTER_ALERT_AFTER_HOURS: once per outage, and again after the next success fails."""

from datetime import timedelta

import pytest
from django.utils import timezone

from registers.models import SyncRun
from rsportal.queueing import enqueue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator():
    return UserFactory(username="admin", is_superuser=True, is_staff=True, email="it@skane.se")


def a_run(hours_ago, outcome=SyncRun.Outcome.OK, **fields):
    run = SyncRun.objects.create(register="cards", outcome=outcome, **fields)
    at = timezone.now() - timedelta(hours=hours_ago)
    SyncRun.objects.filter(pk=run.pk).update(started_at=at, finished_at=at)
    return run


def check():
    enqueue("registers.tasks.alert_overdue_registers")


def test_no_success_for_27_hours_mails_the_administrators_once(administrator, mailoutbox, tasks_in_process):
    a_run(27)
    a_run(3, SyncRun.Outcome.FAILED, message="rad 5: okänd status 'borttaget'")

    check()

    (mail,) = mailoutbox
    assert mail.to == ["it@skane.se"]
    assert "Kortsystemet" in mail.subject and "26 timmar" in mail.subject
    assert "rad 5: okänd status 'borttaget'" in mail.body and "/registren/" in mail.body

    check()
    a_run(1, SyncRun.Outcome.FAILED)
    check()
    assert len(mailoutbox) == 1


def test_a_success_within_the_hours_mails_nobody(administrator, mailoutbox, tasks_in_process):
    a_run(25)
    a_run(40, dry_run=True)
    check()
    assert mailoutbox == []


def test_a_dry_run_is_no_success(administrator, mailoutbox, tasks_in_process):
    a_run(30)
    a_run(1, dry_run=True)
    check()
    assert len(mailoutbox) == 1


def test_after_a_success_a_new_outage_mails_again(administrator, mailoutbox, clock, tasks_in_process):
    a_run(27)
    check()
    assert len(mailoutbox) == 1

    a_run(0)
    check()
    assert len(mailoutbox) == 1

    clock.move(timedelta(hours=27))
    check()
    check()
    assert len(mailoutbox) == 2


def test_a_register_that_never_succeeded_counts_from_its_first_run(administrator, mailoutbox, tasks_in_process):
    a_run(30, SyncRun.Outcome.FAILED)
    a_run(2, SyncRun.Outcome.REFUSED)
    check()
    (mail,) = mailoutbox
    assert "ingen" in mail.body


def test_a_register_never_run_and_a_setting_of_more_hours_mail_nobody(
    administrator, mailoutbox, settings, tasks_in_process
):
    check()
    settings.RSPORTAL_REGISTER_ALERT_AFTER_HOURS = 48
    a_run(30)
    check()
    assert mailoutbox == []
