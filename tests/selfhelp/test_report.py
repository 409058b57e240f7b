"""The contact person's monthly report counts the self-help: per förvaltning, the
employees who read a guide, those of them who then ordered no letter, the rate, and the
feedback's answers; with the definition written on the page."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from orders.models import PukOrder
from organisation.models import Forvaltning
from selfhelp import services
from selfhelp.guides import Guide
from selfhelp.models import GuideFeedback
from selfhelp.rate import SelfHelp
from selfhelp.report import self_help_month
from tests.factories import CardFactory, EmployeeFactory, PukOrderFactory

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)
LATER = timezone.make_aware(datetime(2026, 6, 1))  # every window of March closed


def at(day, hour=9):
    return timezone.make_aware(datetime(2026, 3, 1, hour) + timedelta(days=day - 1))


def reader(forvaltning, *days, ordered=None):
    """An employee of `forvaltning` who read a guide on each of `days` (of March), and
    had an order placed at `ordered` if given."""
    employee = EmployeeFactory(forvaltning=forvaltning)
    for day in days:
        services.record_read(user=employee.user, guide=Guide.UNBLOCK_WITH_PUK, now=at(day))
    if ordered is not None:
        order = PukOrderFactory(card=CardFactory(holder=employee))
        PukOrder.objects.filter(pk=order.pk).update(created_at=ordered)
    return employee


def feedback(forvaltning, helpful, when):
    given = GuideFeedback.objects.create(guide=Guide.CHANGE_PIN, helpful=helpful, forvaltning=forvaltning)
    GuideFeedback.objects.filter(pk=given.pk).update(created_at=when)


def test_the_month_counts_readers_those_who_did_not_order_and_the_answers(forvaltning, other_forvaltning):
    reader(forvaltning, 2, 3, ordered=at(4))  # ordered after reading
    reader(forvaltning, 5)  # did without
    reader(forvaltning, 10, ordered=at(30))  # ordered 20 days later: did without
    reader(forvaltning, 31, ordered=at(33))  # ordered in April, within the window
    reader(forvaltning, -2)  # read in February: not in March
    reader(other_forvaltning, 6)
    services.record_read(user=AnonymousUser(), guide=Guide.CHANGE_PIN, now=at(7))  # not logged in
    feedback(forvaltning, True, at(2))
    feedback(forvaltning, True, at(8))
    feedback(forvaltning, False, at(9))
    feedback(forvaltning, False, at(-1))  # February
    feedback(None, True, at(9))  # not logged in

    month = self_help_month(Forvaltning.objects.filter(pk=forvaltning.pk), MARCH, now=LATER)
    (row,) = month.rows
    assert row.forvaltning == forvaltning
    assert row.self_help == SelfHelp(readers=4, helped=2)
    assert row.self_help.percent == 50
    assert (row.helpful, row.not_helpful) == (2, 1)
    assert month.reads_without_login == 1
    assert month.kept and month.final


def test_a_month_whose_windows_are_still_open_is_provisional(forvaltning):
    month = self_help_month(Forvaltning.objects.all(), MARCH, now=at(40))
    assert month.kept and not month.final


def test_a_month_past_the_retention_period_has_no_figures_rather_than_zeros(forvaltning):
    month = self_help_month(Forvaltning.objects.all(), MARCH, now=timezone.make_aware(datetime(2027, 4, 1)))
    assert not month.kept and month.rows == []


def test_the_query_count_does_not_grow_with_the_readers(forvaltning, django_assert_max_num_queries):
    for day in range(1, 15):
        reader(forvaltning, day, ordered=at(day + 1))
    with django_assert_max_num_queries(5):
        (row,) = self_help_month(Forvaltning.objects.all(), MARCH, now=LATER).rows
    assert row.self_help == SelfHelp(readers=14, helped=0)


def test_the_report_page_shows_the_figures_and_their_definition(client, contact_person, forvaltning, other_forvaltning):
    for employee in (EmployeeFactory(forvaltning=forvaltning), EmployeeFactory(forvaltning=other_forvaltning)):
        services.record_read(user=employee.user, guide=Guide.CHANGE_PIN)  # now: the month the page shows first
    client.force_login(contact_person)
    page = client.get(reverse("orders:report")).content.decode()
    assert "Självhjälpsgrad" in page
    assert "andelen som inte fick någon beställning av ett nytt PUK-brev lagd inom 14 dagar" in page
    section = page[page.index('id="self-help-heading"') :]
    assert forvaltning.name in section and "100 %" in section
    assert other_forvaltning.name not in section
    assert "Preliminärt" in section
