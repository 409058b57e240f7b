"""Beat's end of rights, run twice at once (two beat schedulers, or a run that overran its
minute): each end is recorded once. Needs PostgreSQL's real concurrency."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from audit.actions import AuditAction
from audit.models import AuditEvent
from desk.services import end_expired_operator_rights
from organisation.models import ContactPersonAssignment, ForvaltningUserObjectPermission
from organisation.services import assign_contact_person, end_expired_rights
from tests.desk.conftest import make_operator, make_station
from tests.factories import UserFactory

pytestmark = pytest.mark.services


def at_once(task, times=4):
    barrier = threading.Barrier(times)
    results = [None] * times

    def run(index):
        barrier.wait()
        try:
            results[index] = task()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_an_ended_assignment_is_ended_once_when_beat_runs_twice_at_once(postgresql, forvaltning):
    sara = UserFactory(username="sara")
    assign_contact_person(user=sara, forvaltning=forvaltning, valid_until=timezone.now() + timedelta(seconds=1))
    later = timezone.now() + timedelta(minutes=1)

    results = at_once(lambda: len(end_expired_rights(later)))

    assert sorted(results) == [0, 0, 0, 1]
    assert AuditEvent.objects.filter(action=AuditAction.RIGHT_ENDED).count() == 1
    assert not ForvaltningUserObjectPermission.objects.filter(user=sara).exists()
    assert ContactPersonAssignment.objects.get(user=sara).recorded_end is not None


def test_an_ended_operator_right_is_recorded_once_when_beat_runs_twice_at_once(postgresql):
    station = make_station("Kortstation Lund")
    tove = make_operator("tove")
    station.operators.add(tove, through_defaults={"valid_until": timezone.now() + timedelta(seconds=1)})
    later = timezone.now() + timedelta(minutes=1)

    results = at_once(lambda: end_expired_operator_rights(later))

    assert sorted(results) == [0, 0, 0, 1]
    assert AuditEvent.objects.filter(action=AuditAction.RIGHT_ENDED).count() == 1
