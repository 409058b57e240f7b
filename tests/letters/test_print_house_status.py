"""Status reports from the print house that are malformed, replayed or arrive at once:
each is refused or applied in words, never a 500, and a refusal changes nothing."""

import io
import json
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse

from letters import services as letters
from letters import status as print_house_status
from letters.print_house import SpoolPrintHouse
from orders.models import PrintHouseEvent
from orders.states import OrderState
from tests.letters.spool import status

pytestmark = pytest.mark.django_db


def report(**event):
    return print_house_status.receive(json.dumps(event), "test")


@pytest.mark.parametrize(
    "letter_id",
    ["PUK-²-1", "PUK-000001-¹", "PUK-٣-1", "PUK-1-99999", "PUK-99999999999999999999-1", "PUK--1", 42, None],
)
def test_a_letter_id_that_is_not_one_of_ours_is_rejected(approved, letter_id, caplog):
    letters.produce_letter(approved.pk)
    assert report(event_id="e1", letter_id=letter_id, status="printed") is None
    assert "rejected" in caplog.text
    approved.refresh_from_db()
    assert approved.state == OrderState.LETTER_QUEUED


@pytest.mark.parametrize("tracking_id", [12345, ["RR1SE"], "", "   ", "R" * 65])
def test_posted_without_a_tracking_id_in_text_is_rejected(approved, tracking_id):
    letter = letters.produce_letter(approved.pk)
    assert status(letter, "posted", tracking_id=tracking_id) is None
    approved.refresh_from_db()
    assert approved.state == OrderState.LETTER_QUEUED


def test_an_event_id_longer_than_its_column_is_rejected_not_a_database_error(approved):
    letter = letters.produce_letter(approved.pk)
    assert status(letter, "printed", event_id="e" * 101) is None
    assert status(letter, "printed", event_id="e" * 100) is not None
    assert PrintHouseEvent.objects.get().event_id == "e" * 100


def test_an_event_id_seen_before_is_a_replay_whatever_it_reports(approved):
    letter = letters.produce_letter(approved.pk)
    assert status(letter, "printed", event_id="once") is not None
    assert status(letter, "posted", event_id="once", tracking_id="RR1SE") is None
    approved.refresh_from_db()
    assert approved.state == OrderState.PRINTED


def post_signed(client, body, secret="test-print-house-secret"):
    now = str(int(time.time()))
    return client.post(
        reverse("letters:status_webhook"), body, content_type="application/json",
        HTTP_X_PRINT_TIMESTAMP=now, HTTP_X_PRINT_SIGNATURE=print_house_status.sign(body, now, secret),
    )  # fmt: skip


def test_the_webhook_answers_what_the_print_house_should_do_next(client, approved, monkeypatch):
    letter = letters.produce_letter(approved.pk)

    def event(status, **extra):
        return json.dumps(
            {"event_id": f"w-{status}", "letter_id": letter.letter_id, "status": status, **extra}
        ).encode()

    assert post_signed(client, event("printed"), secret="not-ours").status_code == 403
    assert post_signed(client, b"{not json").status_code == 400
    assert post_signed(client, event("posted", tracking_id=12345)).status_code == 400
    assert (
        post_signed(
            client, json.dumps({"event_id": "u", "letter_id": "PUK-999999-1", "status": "printed"}).encode()
        ).status_code
        == 400
    )
    assert post_signed(client, event("delivered")).status_code == 409  # not posted yet
    assert post_signed(client, event("printed")).status_code == 204
    assert post_signed(client, event("printed")).status_code == 409  # replay

    def database_busy(*args):
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr(print_house_status, "_current_letter", database_busy)
    assert post_signed(client, event("posted", tracking_id="RR1SE")).status_code == 503
    approved.refresh_from_db()
    assert approved.state == OrderState.PRINTED


@pytest.mark.parametrize("reason", ["Okänd adress", "", None, 3])
def test_a_returned_letter_without_one_of_the_known_reasons_is_rejected(approved, reason):
    letter = letters.produce_letter(approved.pk)
    status(letter, "posted", tracking_id="RR1SE")
    assert status(letter, "returned", reason=reason) is None
    approved.refresh_from_db()
    assert approved.state == OrderState.POSTED


@pytest.mark.parametrize(
    ("reason", "words"), [("unknown_address", "Okänd adress"), ("not_collected", "Inte uthämtat i tid")]
)
def test_the_contact_person_reads_the_return_reason_in_words(approved, client, contact_person, reason, words):
    letter = letters.produce_letter(approved.pk)
    status(letter, "posted", tracking_id="RR1SE")
    status(letter, "returned", reason=reason)
    client.force_login(contact_person)
    page = client.get(reverse("orders:queue_detail", args=[approved.pk])).content.decode()
    assert f": {words}" in page and reason not in page


@pytest.fixture
def inbox():
    folder = SpoolPrintHouse().inbox
    folder.mkdir(parents=True)
    return folder


def jsonl(*events):
    return "\n".join(json.dumps(event) for event in events) + "\n"


def test_a_status_file_still_being_written_is_left_until_it_is_renamed(approved, inbox):
    letter = letters.produce_letter(approved.pk)
    partial = inbox / "status-1.part"
    partial.write_text(jsonl({"event_id": "p1", "letter_id": letter.letter_id, "status": "printed"})[:30])
    assert print_house_status.import_inbox() == 0
    assert partial.exists()

    partial.write_text(jsonl({"event_id": "p1", "letter_id": letter.letter_id, "status": "printed"}))
    partial.rename(inbox / "status-1.jsonl")
    assert print_house_status.import_inbox() == 1
    assert (inbox / "processed" / "status-1.jsonl").exists()


def test_a_file_that_is_not_utf8_is_set_aside_and_the_next_file_is_still_read(approved, inbox):
    letter = letters.produce_letter(approved.pk)
    (inbox / "a.jsonl").write_bytes(b'{"event_id": "\xff\xfe"}\n')
    (inbox / "b.jsonl").write_text(jsonl({"event_id": "b1", "letter_id": letter.letter_id, "status": "printed"}))

    assert print_house_status.import_inbox() == 1
    assert (inbox / "rejected" / "a.jsonl").exists() and (inbox / "processed" / "b.jsonl").exists()
    approved.refresh_from_db()
    assert approved.state == OrderState.PRINTED


def test_a_line_that_fails_unexpectedly_does_not_stop_the_others(approved, inbox, monkeypatch):
    letter = letters.produce_letter(approved.pk)
    apply_event = print_house_status.apply_event

    def broken_for_one(event):
        if event["event_id"] == "bad":
            raise KeyError("a bug")
        return apply_event(event)

    monkeypatch.setattr(print_house_status, "apply_event", broken_for_one)
    (inbox / "a.jsonl").write_text(jsonl(
        {"event_id": "bad", "letter_id": letter.letter_id, "status": "printed"},
        {"event_id": "good", "letter_id": letter.letter_id, "status": "printed"},
    ))  # fmt: skip
    assert print_house_status.import_inbox() == 1
    assert (inbox / "rejected" / "a.jsonl").exists()  # someone should look at it


def test_a_file_stays_in_the_inbox_while_the_database_cannot_take_it(approved, inbox, monkeypatch):
    letter = letters.produce_letter(approved.pk)
    (inbox / "a.jsonl").write_text(jsonl({"event_id": "a1", "letter_id": letter.letter_id, "status": "printed"}))

    def database_down(event):
        raise OperationalError("server closed the connection unexpectedly")

    with monkeypatch.context() as patch:
        patch.setattr(print_house_status, "apply_event", database_down)
        assert print_house_status.import_inbox() == 0
    assert (inbox / "a.jsonl").exists()
    assert print_house_status.import_inbox() == 1


def test_the_demo_command_writes_its_status_file_under_another_name_first(approved, monkeypatch):
    letter = letters.produce_letter(approved.pk)
    written, write_text = [], Path.write_text
    monkeypatch.setattr(
        Path, "write_text", lambda path, *a, **kw: written.append(path.name) or write_text(path, *a, **kw)
    )
    call_command(
        "print_house", "report", letter.letter_id, "posted", "--tracking-id", "RR123456785SE", stdout=io.StringIO()
    )
    assert [Path(name).suffix for name in written] == [".part"]
    assert [path.suffix for path in SpoolPrintHouse().inbox.iterdir()] == [".jsonl"]
    call_command("print_house", "import", stdout=io.StringIO())
    approved.refresh_from_db()
    assert approved.state == OrderState.POSTED
