"""Two print-house reports for one order at the same moment are applied one after the
other, not the second refused as out of order. Needs PostgreSQL's real concurrency."""

import json
import threading

import pytest
from django.db import connections

from letters import services as letters
from letters import status as print_house_status
from orders import transitions
from orders.states import OrderState
from tests.factories import approved_order, give_puk

pytestmark = pytest.mark.services


def test_printed_and_posted_reported_at_once_both_apply(postgresql, card, contact_person, monkeypatch):
    give_puk(card)
    letter = letters.produce_letter(approved_order(card, contact_person).pk)
    printed_inside, posted_started = threading.Event(), threading.Event()

    mark_printed = transitions.mark_printed

    def slow_mark_printed(order, **kwargs):
        # "printed" holds its transaction open until "posted" has read the order.
        printed_inside.set()
        posted_started.wait(10)
        threading.Event().wait(0.5)
        return mark_printed(order, **kwargs)

    monkeypatch.setattr(transitions, "mark_printed", slow_mark_printed)
    results = {}

    def report(status, **extra):
        try:
            event = {"event_id": status, "letter_id": letter.letter_id, "status": status, **extra}
            results[status] = print_house_status.receive(json.dumps(event), "test")
        finally:
            connections.close_all()

    printed = threading.Thread(target=report, args=("printed",))
    printed.start()
    assert printed_inside.wait(10)
    posted = threading.Thread(target=report, args=("posted",), kwargs={"tracking_id": "RR123456789SE"})
    posted.start()
    posted_started.set()
    printed.join(30)
    posted.join(30)

    assert results["printed"] is not None and results["posted"] is not None
    letter.order.refresh_from_db()
    assert letter.order.state == OrderState.POSTED
