"""An operator's right at a station may hold for a period only (a fixed-term contract).
The station API asks for the period on every call, so the right stops the moment it ends;
beat records the end once and closes the operator's open logins there."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.actions import AuditAction
from audit.models import AuditEvent
from desk.credentials import may_operate
from desk.models import DeskSession, StationOperator
from desk.services import end_expired_operator_rights
from tests.factories import UserFactory

from .conftest import Api, make_operator

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)


@pytest.fixture
def tove(station):
    """An operator at the station on a contract that ends in a minute."""
    user = make_operator("tove")
    station.operators.add(user, through_defaults={"valid_until": timezone.now() + MINUTE})
    return user


def test_an_operator_whose_right_ends_is_refused_at_the_next_call_before_beat_has_run(
    client, clock, station, card, tove, operator
):
    api = Api(client, station).log_in(tove)
    assert api.post("id-check/", {"card_number": card.card_number, "id_document": "passport"}).status_code == 200

    clock.move(2 * MINUTE)

    refused = api.post("id-check/", {"card_number": card.card_number, "id_document": "passport"})
    assert refused.status_code == 403 and "visit" not in refused.json()
    assert api.post("login/", {"username": "tove", "password": "test-password-123"}).status_code == 403
    # Olle's right at the same station has no end: at the same moment, he works on.
    olle = Api(client, station).log_in(operator)
    assert olle.post("id-check/", {"card_number": card.card_number, "id_document": "passport"}).status_code == 200
    assert StationOperator.objects.get(user=tove).recorded_end is None  # beat has not run


def test_a_right_that_has_not_begun_lets_no_one_in_until_it_begins(clock, station):
    nova = make_operator("nova")
    station.operators.add(nova, through_defaults={"valid_from": timezone.now() + MINUTE})
    assert not may_operate(nova, station)
    clock.move(MINUTE)
    assert may_operate(nova, station)


def test_the_desk_page_lists_only_the_stations_whose_right_holds_now(client, clock, station, other_station, tove):
    other_station.operators.add(tove)  # no end there
    client.force_login(tove)
    page = client.get(reverse("desk:desk")).content.decode()
    assert station.name in page and other_station.name in page

    clock.move(2 * MINUTE)
    page = client.get(reverse("desk:desk")).content.decode()
    assert station.name not in page and other_station.name in page


def test_beat_records_an_ended_right_once_and_closes_the_operators_logins_there(client, clock, station, tove):
    Api(client, station).log_in(tove)
    assert end_expired_operator_rights() == 0

    clock.move(2 * MINUTE)
    assert end_expired_operator_rights() == 1
    assert end_expired_operator_rights() == 0

    right = StationOperator.objects.get(user=tove)
    (event,) = AuditEvent.objects.filter(action=AuditAction.RIGHT_ENDED)
    assert (event.object_type, event.object_id) == ("station.stationoperator", str(right.pk))
    assert (event.data["username"], event.data["station"], event.data["sessions_ended"]) == ("tove", station.name, 1)
    assert not DeskSession.objects.filter(operator=tove, ended_at__isnull=True).exists()
    assert right.recorded_end == right.valid_until


def test_a_right_given_a_new_end_after_it_ended_holds_again_and_its_next_end_is_recorded(clock, station, tove):
    clock.move(2 * MINUTE)
    end_expired_operator_rights()
    StationOperator.objects.filter(user=tove).update(valid_until=timezone.now() + MINUTE)
    assert may_operate(tove, station)
    clock.move(2 * MINUTE)
    assert end_expired_operator_rights() == 1
    assert AuditEvent.objects.filter(action=AuditAction.RIGHT_ENDED).count() == 2


def test_beat_runs_the_end_of_operator_rights_every_minute():
    from rsportal.celery import app

    app.loader.import_default_modules()
    entries = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert entries["desk.tasks.end_expired_operator_rights"] == 60.0
    assert "desk.tasks.end_expired_operator_rights" in app.tasks


# --- The admin ---------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


def station_form(station, rows, initial=0):
    prefix = "operator_rights"
    data = {
        "name": station.name,
        "name_en": "",
        "location": station.location,
        "location_en": "",
        "active": "on",
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{field}": value for field, value in row.items()})
        data[f"{prefix}-{index}-station"] = station.pk
    return data


def test_an_admin_gives_an_operator_a_right_at_a_station_until_a_date(admin_client, station, tove):
    page = admin_client.get(reverse("admin:station_station_change", args=[station.pk])).content.decode()
    assert "Gäller från" in page and "Gäller till" in page and "Gäller nu" in page  # tove's, in the inline
    ulla = make_operator("ulla")
    right = StationOperator.objects.get(user=tove)
    kept = {"id": right.pk, "user": tove.pk}
    row = {"user": ulla.pk, "valid_until_0": "2031-06-30", "valid_until_1": "17:00:00"}
    response = admin_client.post(
        reverse("admin:station_station_change", args=[station.pk]), station_form(station, [kept, row], initial=1)
    )
    assert response.status_code == 302, response.content.decode()
    right = StationOperator.objects.get(user=ulla)
    assert timezone.localtime(right.valid_until).strftime("%Y-%m-%d %H:%M") == "2031-06-30 17:00"
    assert may_operate(ulla, station)


def test_an_admin_cannot_give_a_right_that_ends_before_it_begins(admin_client, station):
    ulla = make_operator("ulla")
    row = {"user": ulla.pk, "valid_from_0": "2031-06-30", "valid_from_1": "17:00:00",
           "valid_until_0": "2031-06-01", "valid_until_1": "08:00:00"}  # fmt: skip
    response = admin_client.post(
        reverse("admin:station_station_change", args=[station.pk]), station_form(station, [row])
    )
    assert response.status_code == 200
    assert "Slutet måste komma efter början." in response.content.decode()
    assert not StationOperator.objects.filter(user=ulla).exists()


def test_the_list_of_operator_rights_shows_each_period_and_whether_it_holds(admin_client, clock, station, tove):
    olle = make_operator("olle", station)
    clock.move(2 * MINUTE)
    url = reverse("admin:station_stationoperator_changelist")
    page = admin_client.get(url).content.decode()
    assert "Gäller nu" in page and "Gäller till" in page
    assert page.count('alt="False"') == 1 and page.count('alt="True"') == 1  # tove's ended, olle's holds

    ended = admin_client.get(url, {"giltighet": "upphort"}).content.decode()
    holding = admin_client.get(url, {"giltighet": "galler"}).content.decode()
    assert "tove" in ended and "olle" not in ended
    assert "olle" in holding and "tove" not in holding
    assert olle.username == "olle"
