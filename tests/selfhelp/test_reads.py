"""Guide reads are statistics rows: an employee once a day per guide (with their
förvaltning), anyone else as no one; kept for the retention period only."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from selfhelp import services
from selfhelp.guides import Guide
from selfhelp.models import GuideFeedback, GuideRead
from selfhelp.selectors import kept_since
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_reader_who_is_not_logged_in_is_counted_as_no_one(client):
    client.get("/hjalp/byt-pin/")
    client.get("/hjalp/byt-pin/")
    reads = GuideRead.objects.all()
    assert [(read.guide, read.employee, read.forvaltning) for read in reads] == [(Guide.CHANGE_PIN, None, None)] * 2


def test_an_employee_is_counted_once_a_day_per_guide_in_their_forvaltning(client, employee):
    client.force_login(employee.user)
    for _ in range(3):
        client.get("/hjalp/las-upp-med-puk/")
    client.get("/hjalp/byt-pin/")
    reads = GuideRead.objects.order_by("guide")
    assert [(read.guide, read.employee, read.forvaltning) for read in reads] == [
        (Guide.CHANGE_PIN, employee, employee.forvaltning),
        (Guide.UNBLOCK_WITH_PUK, employee, employee.forvaltning),
    ]


def test_a_login_that_is_no_employee_is_counted_as_no_one(client):
    client.force_login(UserFactory())
    client.get("/hjalp/reservkort/")
    assert GuideRead.objects.get().employee is None


def test_the_index_is_no_guide_read(client):
    client.get(reverse("selfhelp:index"))
    assert not GuideRead.objects.exists()


@pytest.mark.parametrize(
    ("today", "first_kept"),
    [
        (date(2026, 12, 2), date(2025, 12, 1)),
        (date(2026, 1, 31), date(2025, 1, 1)),
        (date(2026, 11, 1), date(2025, 11, 1)),
    ],
)
def test_reads_and_feedback_are_kept_for_this_month_and_the_twelve_before(today, first_kept):
    assert kept_since(today) == first_kept


def test_forgetting_deletes_only_what_is_older_than_the_retention_period(employee):
    def at(day):
        return timezone.make_aware(datetime.combine(day, datetime.min.time()))

    first_kept = at(date(2025, 12, 1))
    for moment in (first_kept - timedelta(seconds=1), first_kept):
        services.record_read(user=employee.user, guide=Guide.CHANGE_PIN, now=moment)
        feedback = GuideFeedback.objects.create(guide=Guide.CHANGE_PIN, helpful=True)
        GuideFeedback.objects.filter(pk=feedback.pk).update(created_at=moment)

    assert services.forget_old_rows(today=date(2026, 12, 2)) == 2
    assert list(GuideRead.objects.values_list("read_at", flat=True)) == [first_kept]
    assert list(GuideFeedback.objects.values_list("created_at", flat=True)) == [first_kept]
