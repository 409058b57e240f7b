"""Retention removes the stations' fault log after RSPORTAL_RETENTION_STATION_FAULT_DAYS."""

from datetime import timedelta

import pytest
from django.utils import timezone

from desk.models import StationFault
from retention import services
from tests.desk.conftest import make_station

pytestmark = pytest.mark.django_db


def test_a_fault_older_than_the_period_is_deleted_and_a_newer_one_kept(settings):
    settings.RSPORTAL_RETENTION_STATION_FAULT_DAYS = 90
    now = timezone.now()
    station = make_station("Kortstation Lund")
    StationFault.objects.create(station=station, occurred_at=now - timedelta(days=91), kind="ReaderGone")
    kept = StationFault.objects.create(station=station, occurred_at=now - timedelta(days=89), kind="CardBusy")
    assert services.carry_out(now=now, dry_run=True).outcomes["desk"].counts["station_faults"] == 1
    assert StationFault.objects.count() == 2  # the dry run only counts
    report = services.carry_out(now=now)
    assert report.outcomes["desk"].counts["station_faults"] == 1
    assert list(StationFault.objects.all()) == [kept]
