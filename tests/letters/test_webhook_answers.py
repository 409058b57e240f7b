"""The webhook answers what the README promises, one test per answer: 204 applied, 400
malformed or not our letter, 403 bad signature, 409 replayed or out of order (a report
seen before, or one signed longer ago than the window), 503 try again."""

import json
import re
import time
from pathlib import Path

import pytest
from django.db import OperationalError
from django.urls import reverse

from letters import services as letters
from letters import status as print_house_status
from orders.models import PrintHouseEvent
from orders.states import OrderState

pytestmark = pytest.mark.django_db

SECRET = "test-print-house-secret"
README = Path(__file__).resolve().parents[2] / "README.md"


def post(client, body: bytes, *, age: int = 0, secret: str = SECRET, signature: str | None = None, timestamp=None):
    stamp = timestamp if timestamp is not None else str(int(time.time()) - age)
    return client.post(
        reverse("letters:status_webhook"), body, content_type="application/json",
        HTTP_X_PRINT_TIMESTAMP=stamp,
        HTTP_X_PRINT_SIGNATURE=signature if signature is not None else print_house_status.sign(body, stamp, secret),
    )  # fmt: skip


@pytest.fixture
def letter(approved):
    return letters.produce_letter(approved.pk)


def report(letter, status="printed", event_id=None, **extra) -> bytes:
    event = {"event_id": event_id or f"w-{status}", "letter_id": letter.letter_id, "status": status, **extra}
    return json.dumps(event).encode()


def state(letter) -> str:
    letter.order.refresh_from_db()
    return letter.order.state


def test_204_a_correctly_signed_report_in_order_is_applied(client, letter):
    assert post(client, report(letter)).status_code == 204
    assert state(letter) == OrderState.PRINTED


def test_204_a_report_signed_just_inside_the_window_is_applied(client, letter):
    window = print_house_status.MAX_SIGNATURE_AGE_SECONDS
    assert post(client, report(letter), age=window - 5).status_code == 204


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", json.dumps({"event_id": "x", "status": "printed"}).encode()],
    ids=["not-json", "not-an-object", "no-letter-id"],
)
def test_400_a_malformed_report_with_its_reason(client, letter, body):
    response = post(client, body)
    assert response.status_code == 400 and response.content
    assert state(letter) == OrderState.LETTER_QUEUED


def test_400_a_report_about_a_letter_that_is_not_ours(client, letter):
    body = json.dumps({"event_id": "u", "letter_id": "PUK-999999-1", "status": "printed"}).encode()
    response = post(client, body)
    assert response.status_code == 400 and b"unknown letter" in response.content


def test_400_a_timestamp_ahead_of_our_clock_is_a_clock_to_fix_not_a_replay(client, letter):
    window = print_house_status.MAX_SIGNATURE_AGE_SECONDS
    response = post(client, report(letter), age=-(window + 60))
    assert response.status_code == 400 and b"clock" in response.content
    assert state(letter) == OrderState.LETTER_QUEUED


@pytest.mark.parametrize(
    "signed",
    [
        {"secret": "not-ours"},
        {"signature": ""},
        {"signature": "00"},
        {"signature": "ÿ" * 64},  # not ASCII: compare_digest must not raise
        {"timestamp": ""},
        {"timestamp": "soon"},
        {"timestamp": "١٧٠٠٠٠٠٠٠٠"},  # digits, but not ASCII ones
    ],
    ids=["other-secret", "no-signature", "short", "non-ascii", "no-timestamp", "word", "arabic-digits"],
)
def test_403_a_bad_signature_or_timestamp_header(client, letter, signed):
    assert post(client, report(letter), **signed).status_code == 403
    assert state(letter) == OrderState.LETTER_QUEUED and not PrintHouseEvent.objects.exists()


def test_403_an_old_timestamp_with_a_bad_signature_is_a_bad_signature(client, letter):
    assert post(client, report(letter), age=3600, secret="not-ours").status_code == 403


def test_409_a_correctly_signed_report_older_than_the_window_is_a_replay(client, letter):
    window = print_house_status.MAX_SIGNATURE_AGE_SECONDS
    response = post(client, report(letter), age=window + 60)
    assert response.status_code == 409 and b"replay" in response.content
    assert state(letter) == OrderState.LETTER_QUEUED and not PrintHouseEvent.objects.exists()


def test_409_a_report_seen_before_is_a_replay(client, letter):
    assert post(client, report(letter)).status_code == 204
    assert post(client, report(letter)).status_code == 409


def test_409_a_report_out_of_order_for_the_orders_state(client, letter):
    assert post(client, report(letter, "delivered")).status_code == 409
    assert state(letter) == OrderState.LETTER_QUEUED


def test_503_when_the_database_cannot_take_the_report_now(client, letter, monkeypatch):
    def database_busy(*args):
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr(print_house_status, "_current_letter", database_busy)
    assert post(client, report(letter)).status_code == 503


def test_the_readme_promises_the_same_answers_as_the_code():
    readme = " ".join(README.read_text(encoding="utf-8").split())
    answers = re.search(r"it answers (204 .*? 503 [^)|]*)", readme)
    assert answers, "the README's print-house row names the webhook's answers"
    promised = answers.group(1)
    for code, words in [
        (204, "applied"),
        (400, "malformed"),
        (403, "bad signature"),
        (409, "replay"),
        (409, "out of order"),
        (409, "signed longer ago than"),
        (503, "try again"),
    ]:
        assert re.search(rf"{code} [^0-9]*{words}", promised), (code, words, promised)
