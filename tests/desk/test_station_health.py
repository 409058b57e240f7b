"""The stations' health on the server: the heartbeat, the header on every call, the
administrators' page (desk/health.py)."""

import json
import logging
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from desk import health
from desk.models import Station, StationFault
from tests.factories import UserFactory

from .conftest import Api, make_station

READER = "Virtual PCD 00 00"


def report(error=None, **changes):
    body = {
        "version": "0.1.0",
        "reader": READER,
        "readers": {READER: True, "Virtual PCD 00 01": False},
        "pcscd": True,
        "error": error,
    }
    body.update(changes)
    return body


def an_error(at=None, kind="ReaderGone", reference="RS-L03"):
    return {"kind": kind, "reference": reference, "detail": READER, "at": at or int(time.time())}


def heartbeat(client, station, body, credential=None):
    return Api(client, station).post("heartbeat/", body, credential=credential)


def test_a_heartbeat_with_the_credential_and_no_operator_is_taken(client, station):
    response = heartbeat(client, station, report())
    assert response.status_code == 200
    station.refresh_from_db()
    assert station.last_seen_at is not None and station.agent_version == "0.1.0"
    assert station.readers == {READER: True, "Virtual PCD 00 01": False} and station.pcscd_answers is True


def test_a_heartbeat_without_the_credential_is_refused(client, station):
    response = client.post("/api/station/heartbeat/", json.dumps(report()), content_type="application/json")
    assert response.status_code == 403
    assert heartbeat(client, station, report(), credential="wrong").status_code == 403
    station.refresh_from_db()
    assert station.last_seen_at is None


def test_the_health_header_on_a_normal_call_updates_the_station(api, station, card):
    header = json.dumps(report(pcscd=False, readers={}, error=an_error(kind="PcscUnavailable")))
    response = api.client.post(
        "/api/station/id-check/",
        json.dumps({"card_number": card.card_number, "id_document": "passport"}),
        content_type="application/json",
        headers={"Authorization": f"Station {station.credential}", "X-RS-Operator": api.token, health.HEADER: header},
    )
    assert response.status_code == 200
    station.refresh_from_db()
    assert station.pcscd_answers is False and station.readers == {}
    assert (station.last_error_kind, station.last_error_reference) == ("PcscUnavailable", "RS-L03")
    assert StationFault.objects.filter(station=station, kind="PcscUnavailable").count() == 1


@pytest.mark.parametrize(
    "header",
    [
        "not json",
        "{}",
        '{"version":"1","readers":[],"pcscd":true}',
        json.dumps(report(version="x" * 500)),
        json.dumps(report(readers={f"r{n}": True for n in range(50)})),
        json.dumps(report(error={"kind": "", "at": 1})),
        '{"version":"1","readers":{},"pcscd":true,"error":{"kind":"A","at":"yesterday"}}',
        '{"a":' * 40 + "1" + "}" * 40,
        "x" * 10_000,
    ],
)
def test_a_malformed_header_is_ignored_and_the_call_goes_on(api, station, card, header, caplog):
    with caplog.at_level(logging.WARNING, logger="desk.health"):
        response = api.client.post(
            "/api/station/id-check/",
            json.dumps({"card_number": card.card_number, "id_document": "passport"}),
            content_type="application/json",
            headers={
                "Authorization": f"Station {station.credential}",
                "X-RS-Operator": api.token,
                health.HEADER: header,
            },
        )
    assert response.status_code == 200
    station.refresh_from_db()
    assert station.agent_version == "" and not StationFault.objects.exists()
    assert station.last_seen_at is not None  # heard from all the same
    assert "station health header ignored" in caplog.text


def test_an_unchanged_report_within_half_a_minute_writes_nothing(client, station):
    header = {health.HEADER: json.dumps(report())}
    assert heartbeat(client, station, report()).status_code == 200
    station.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        health.record(station, health.Report.of(report()))
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
    station.last_seen_at -= timedelta(seconds=31)
    with CaptureQueriesContext(connection) as queries:
        health.record(station, health.Report.of(report()))
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert len(writes) == 1 and writes[0].lstrip().upper().startswith("UPDATE")
    assert header  # the same report a header carries


def test_a_fault_is_inserted_once_and_an_older_one_not_at_all(client, station):
    at = int(time.time())
    for _ in range(3):
        assert heartbeat(client, station, report(error=an_error(at))).status_code == 200
    assert StationFault.objects.filter(station=station).count() == 1
    heartbeat(client, station, report(error=an_error(at - 60, kind="CardBusy")))  # calls that crossed
    assert StationFault.objects.filter(station=station).count() == 1
    heartbeat(client, station, report(error=an_error(at + 5, kind="CardBusy")))
    assert list(StationFault.objects.values_list("kind", flat=True)) == ["CardBusy", "ReaderGone"]


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(username="it", is_staff=True))
    return client


def test_the_page_flags_a_station_silent_longer_than_the_setting(staff_client, settings):
    settings.RSPORTAL_STATION_SILENT_AFTER_MINUTES = 15
    now = timezone.now()
    heard = make_station("Kortstation Ystad")
    quiet = make_station("Kortstation Trelleborg")
    never = make_station("Kortstation Hörby")
    Station.objects.filter(pk=heard.pk).update(last_seen_at=now - timedelta(minutes=14))
    Station.objects.filter(pk=quiet.pk).update(last_seen_at=now - timedelta(minutes=16))
    rows = {row.station.name: row.silent for row in health.stations(now)}
    assert rows == {"Kortstation Ystad": False, "Kortstation Trelleborg": True, "Kortstation Hörby": True}
    page = staff_client.get("/kortstationer/halsa/").content.decode()
    assert page.count('class="state state-failed silent-flag"') == 2
    settings.RSPORTAL_STATION_SILENT_AFTER_MINUTES = 20
    assert not health.is_silent(Station.objects.get(pk=quiet.pk), now)
    assert never.last_seen_at is None


def test_the_page_lists_the_faults_of_the_last_24_hours(staff_client, station):
    now = timezone.now()
    for hours, kind in [(1, "ReaderGone"), (2, "CardBusy"), (3, "CardError"), (5, "NoReader"), (25, "UnknownCard")]:
        StationFault.objects.create(
            station=station, occurred_at=now - timedelta(hours=hours), kind=kind, reference=f"RS-{kind}"
        )
    (row,) = health.stations(now)
    assert row.faults_last_day == 4
    assert [fault.kind for fault in row.latest_faults] == ["ReaderGone", "CardBusy", "CardError"]
    page = staff_client.get("/kortstationer/halsa/").content.decode()
    assert "RS-ReaderGone" in page and "RS-NoReader" not in page and "RS-UnknownCard" not in page


def test_the_page_shows_readers_version_and_last_seen(staff_client, client, station):
    heartbeat(client, station, report(version="0.1.0"))
    page = staff_client.get("/kortstationer/halsa/").content.decode()
    assert station.name in page and "0.1.0" in page and READER in page
    assert "kort i läsaren" in page and "inget kort" in page and "nyss" in page
    Station.objects.filter(pk=station.pk).update(last_seen_at=timezone.now() - timedelta(minutes=5))
    assert "för 5\xa0minuter sedan" in staff_client.get("/kortstationer/halsa/").content.decode()


def test_the_page_refuses_a_non_administrator(client, station):
    client.force_login(UserFactory(username="nisse"))
    assert client.get("/kortstationer/halsa/").status_code == 404
    client.logout()
    assert client.get("/kortstationer/halsa/").status_code == 302  # to the login page


def test_the_page_speaks_english_in_english(staff_client, client, station, settings):
    heartbeat(client, station, report())
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = staff_client.get("/kortstationer/halsa/").content.decode()
    assert "Station health" in page and "card in the reader" in page and "just now" in page
    assert "minutes is marked silent" in page
