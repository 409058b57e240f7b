"""The hourly limit of assisted unblocks holds when the station's requests come at once:
the operator's row is locked while the tickets are counted and the new one is created.
Needs PostgreSQL's real concurrency."""

import threading

import pytest
from django.db import connections
from django.test import Client

from audit.models import AuditEvent
from desk import services
from desk.models import PukTicket
from tests.factories import give_puk

from .conftest import Api, make_operator, make_station

pytestmark = pytest.mark.services


def test_assisted_unblocks_sent_at_once_never_pass_the_hourly_limit(postgresql, card, settings):
    settings.RSPORTAL_ASSISTED_UNBLOCKS_PER_HOUR = 2
    give_puk(card, "86420975")
    station = make_station("Kortstation Lund")
    operator = make_operator("olle", station)
    visit = services.record_id_check(station, operator, card_number=card.card_number, id_document="passport")
    token = Api(Client(), station).log_in(operator).token
    times = 6
    barrier = threading.Barrier(times)
    answers = [None] * times

    def start(index):
        api = Api(Client(), station)
        api.token = token
        barrier.wait()
        try:
            answers[index] = api.start(card, visit.pk).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(answers) == [200, 200, 409, 409, 409, 409]
    assert PukTicket.objects.filter(operator=operator).count() == 2
    assert AuditEvent.objects.filter(action="desk_limit_reached").count() == 4
    assert AuditEvent.objects.filter(action="desk_limit_alerted").count() == 1
