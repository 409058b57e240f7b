"""Crafted status reports, by the webhook and by the inbox's files: deep nesting, a NUL
or a lone surrogate in a text field, a list where an object or text belongs, a number
past its column. Each is a 400 with the reason in the body (or a line rejected in the
log), never a 500, and nothing is written."""

import json
import time

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from letters import services as letters
from letters import status as print_house_status
from letters.print_house import SpoolPrintHouse
from orders.models import Letter, PrintHouseEvent
from orders.states import OrderState

pytestmark = pytest.mark.django_db


def crafted_reports(letter_id: str) -> list[bytes]:
    def event(**fields: object) -> bytes:
        return json.dumps({"event_id": "c1", "letter_id": letter_id, "status": "printed", **fields}).encode()

    return [
        b"[" * 200_000,
        b"[" * 5_000 + b"]" * 5_000,
        b'{"event_id": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
        event(event_id="c\x00"),
        event(event_id="c\ud800"),
        event(letter_id=letter_id + "\x00"),
        event(status="posted", tracking_id="RR1\x00SE"),
        event(status="posted", tracking_id="RR1\udfffSE"),
        event(status="posted", tracking_id=["RR1SE"]),
        event(event_id=["c1"]),
        event(event_id={"id": "c1"}),
        event(status="returned", reason=["unknown_address"]),
        event(event_id=2**70),
        json.dumps([{"event_id": "c1", "letter_id": letter_id, "status": "printed"}]).encode(),
    ]


def snapshot(order) -> tuple:
    order.refresh_from_db()
    return (
        order.state,
        PrintHouseEvent.objects.count(),
        AuditEvent.objects.count(),
        list(Letter.objects.values_list("tracking_id", "printed_at", "posted_at")),
    )


def post_signed(client, body: bytes):
    now = str(int(time.time()))
    return client.post(
        reverse("letters:status_webhook"), body, content_type="application/json",
        HTTP_X_PRINT_TIMESTAMP=now,
        HTTP_X_PRINT_SIGNATURE=print_house_status.sign(body, now, "test-print-house-secret"),
    )  # fmt: skip


def test_each_crafted_report_to_the_webhook_is_a_400_with_its_reason_and_writes_nothing(client, approved):
    letter = letters.produce_letter(approved.pk)
    before = snapshot(approved)
    for number, crafted in enumerate(crafted_reports(letter.letter_id)):
        response = post_signed(client, crafted)
        assert response.status_code == 400, (number, response.status_code)
        reason = response.content.decode()
        assert reason and "\x00" not in reason, number
        assert snapshot(approved) == before, number
    # The webhook still takes a good report afterwards.
    good = {"event_id": "c1", "letter_id": letter.letter_id, "status": "printed"}
    assert post_signed(client, json.dumps(good).encode()).status_code == 204


def test_crafted_lines_in_a_status_file_are_rejected_each_and_the_good_line_still_applies(approved, caplog):
    letter = letters.produce_letter(approved.pk)
    before = snapshot(approved)
    inbox = SpoolPrintHouse().inbox
    inbox.mkdir(parents=True)
    crafted = crafted_reports(letter.letter_id)
    good = json.dumps({"event_id": "good", "letter_id": letter.letter_id, "status": "printed"}).encode()
    (inbox / "crafted.jsonl").write_bytes(b"\n".join([*crafted, good]) + b"\n")

    assert print_house_status.import_inbox() == 1
    assert caplog.text.count("rejected") == len(crafted)
    assert "could not be handled" not in caplog.text  # refused in words, none failed unexpectedly
    assert (inbox / "processed" / "crafted.jsonl").exists()
    approved.refresh_from_db()
    assert approved.state == OrderState.PRINTED
    assert list(PrintHouseEvent.objects.values_list("event_id", flat=True)) == ["good"]
    assert before[1] == 0


def test_a_crafted_report_never_puts_its_text_into_the_log(approved, caplog):
    letter = letters.produce_letter(approved.pk)
    print_house_status.receive(
        json.dumps({"event_id": "secret-\x00-value", "letter_id": letter.letter_id, "status": "printed"}), "test"
    )
    assert "rejected" in caplog.text and "secret-" not in caplog.text
