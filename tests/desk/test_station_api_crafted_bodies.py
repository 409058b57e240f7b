"""Crafted bodies at every endpoint of the station API: deeply nested JSON, a NUL or a lone
surrogate in a text field (a username, a card number), a list where an object belongs
("pins": []), a number past its column. Each is a 400 with the reason in the body, never a
500, and nothing is written: no audit event, no visit, no attempt, no ticket."""

import json
import uuid

import pytest

from audit.models import AuditEvent
from desk.models import DeskSession, DeskVisit, PukTicket, StationFault, UnblockAttempt

pytestmark = pytest.mark.django_db

# Each endpoint with a body of the shape the station software sends.
ENDPOINTS = {
    "login/": {"username": "olle", "password": "test-password-123"},
    "card/": {
        "card_number": "1234567890",
        "profile": "rs",
        "pins": {"legitimering": 3, "underskrift": 0},
        "puk_tries_left": 10,
    },
    "id-check/": {"card_number": "1234567890", "id_document": "passport"},
    "unblocks/": {
        "visit": 1,
        "card_number": "1234567890",
        "pin": "legitimering",
        "assisted": False,
        "puk_tries_left": 2,
        "second_operator": {"username": "ove", "password": "test-password-123"},
    },
    "unblocks/1/outcome/": {"result": "done", "tries_left": 3},
    f"tickets/{uuid.uuid4()}/redeem/": {"card_number": "1234567890"},
    "refusals/": {"card_number": "1234567890", "refusal": "other_card", "pin": "legitimering", "assisted": False},
    "pin-changes/": {"card_number": "1234567890", "pin": "underskrift", "result": "done", "tries_left": 3},
    "orders/1/handled-at-desk/": {"visit": 1, "card_number": "1234567890"},
    "logout/": {},
    "heartbeat/": {
        "version": "0.1.0",
        "reader": "Virtual PCD 00 00",
        "readers": {"Virtual PCD 00 00": True},
        "pcscd": True,
        "error": {"kind": "ReaderGone", "reference": "KS-103", "detail": "Virtual PCD 00 00", "at": 1_800_000_000},
    },
}

# Values that no field of the station API takes.
WRONG_VALUES = [[], 2**70, "x\x00", "\ud800", 1.5]


def fields(payload: dict, prefix: tuple = ()):
    """Every field's path in a payload, nested objects' fields too."""
    for key, value in payload.items():
        yield (*prefix, key)
        if isinstance(value, dict):
            yield from fields(value, (*prefix, key))


def replaced(payload: dict, path: tuple, value: object) -> dict:
    copy = json.loads(json.dumps(payload))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


def written() -> tuple[int, ...]:
    return (
        AuditEvent.objects.count(),
        DeskSession.objects.count(),
        DeskVisit.objects.count(),
        UnblockAttempt.objects.count(),
        PukTicket.objects.count(),
        StationFault.objects.count(),
    )


def assert_refused(api, path: str, body: bytes, what: str) -> None:
    before = written()
    response = api.client.post(
        f"/api/station/{path}",
        body,
        content_type="application/json",
        headers={"Authorization": f"Station {api.station.credential}", "X-RS-Operator": api.token},
    )
    assert response.status_code == 400, (path, what, response.status_code)
    answer = response.json()
    assert answer["error"] == "bad_request" and answer["reason"], (path, what)
    assert "\x00" not in answer["reason"] and "test-password" not in answer["reason"]
    assert written() == before, (path, what)


@pytest.mark.parametrize("path", list(ENDPOINTS))
def test_deeply_nested_or_oversized_json_is_a_400(api, path):
    assert_refused(api, path, b"[" * 200_000, "oversized")
    assert_refused(api, path, b"[" * 5_000 + b"]" * 5_000, "deep list")
    assert_refused(api, path, b'{"card_number": ' + b'{"a": ' * 5_000 + b"1" + b"}" * 5_001, "deep object")


@pytest.mark.parametrize("path", [path for path, payload in ENDPOINTS.items() if payload])
def test_every_field_of_the_wrong_type_or_with_a_control_character_is_a_400(api, path):
    payload = ENDPOINTS[path]
    for field in fields(payload):
        for wrong in WRONG_VALUES:
            assert_refused(api, path, json.dumps(replaced(payload, field, wrong)).encode(), f"{field}={wrong!r}")


def test_pins_as_a_list_is_a_400_not_an_attribute_error(api):
    body = {**ENDPOINTS["card/"], "pins": []}
    assert_refused(api, "card/", json.dumps(body).encode(), "pins=[]")


def test_a_nul_in_the_username_at_login_is_a_400_and_no_refused_login_is_recorded(client, station, operator):
    from .conftest import Api

    response = Api(client, station).post("login/", {"username": "olle\x00", "password": "test-password-123"})
    assert response.status_code == 400
    assert not AuditEvent.objects.exists()


def test_the_bodies_the_station_software_sends_still_pass(api, card):
    """The shapes are not stricter than the station software: its real bodies are taken."""
    read = {**ENDPOINTS["card/"], "card_number": card.card_number, "pins": {"legitimering": 3, "underskrift": None}}
    assert api.post("card/", read).status_code == 200
    assert api.post("card/", {**read, "pins": {}, "puk_tries_left": None}).status_code == 200
    visit = api.id_check(card)
    assert api.start(card, visit, assisted=False, puk_tries_left=10).status_code == 200
    refusal = {"card_number": card.card_number, "refusal": "other_card", "pin": "legitimering"}
    assert api.post("refusals/", refusal).status_code == 200  # "assisted" may be left out
