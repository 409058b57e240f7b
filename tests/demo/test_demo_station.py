"""The demo's card station has two operators, so the demo can show an unblock with two PUK
tries left or fewer, which a second operator must confirm."""

import io
import json

import pytest
from django.core.management import call_command

from cards.models import Card
from demo.management.commands import seed_demo
from organisation.identity import normalise_personnummer
from organisation.population_register import AddressStatus, FileRegister

pytestmark = pytest.mark.django_db

ANNAS_RS_KORT = "9752270000010012"


@pytest.fixture
def credential(tmp_path, monkeypatch, settings):
    settings.POPULATION_REGISTER_FILE = settings.BASE_DIR / "demo" / "population_register.json"
    monkeypatch.setattr(seed_demo, "VIRTUAL_CARD_DIR", tmp_path / "cards")  # not the checkout's var/
    monkeypatch.setattr(seed_demo, "STATION_CREDENTIAL_FILE", tmp_path / "station.credential")
    call_command("seed_demo", stdout=io.StringIO())
    return (tmp_path / "station.credential").read_text().strip()


def call(client, credential, path, payload, token=None):
    headers = {"Authorization": f"Station {credential}"} | ({"X-RS-Operator": token} if token else {})
    return client.post(f"/api/station/{path}", json.dumps(payload), content_type="application/json", headers=headers)


def log_in(client, credential, username):
    answer = call(client, credential, "login/", {"username": username, "password": seed_demo.DEMO_PASSWORD})
    assert answer.status_code == 200, answer.json()
    return answer.json()


def test_the_demo_station_has_two_operators_who_can_each_log_in_there(credential, client):
    assert seed_demo.STATION_OPERATORS == ["olle", "svea"]
    for username, name in (("olle", "Olle Olsson"), ("svea", "Svea Ström")):
        answer = log_in(client, credential, username)
        assert answer["operator"] == name and answer["station"] == seed_demo.STATION[0] and answer["token"]


def test_in_the_demo_svea_confirms_olles_unblock_when_the_puk_has_two_tries_left(credential, client):
    token = log_in(client, credential, "olle")["token"]
    visit = call(client, credential, "id-check/", {"card_number": ANNAS_RS_KORT, "id_document": "passport"}, token)
    unblock = {"visit": visit.json()["visit"], "card_number": ANNAS_RS_KORT, "pin": "legitimering"}
    unblock |= {"assisted": True, "puk_tries_left": 2}
    olle = {"username": "olle", "password": seed_demo.DEMO_PASSWORD}
    himself = call(client, credential, "unblocks/", unblock | {"second_operator": olle}, token)
    assert himself.status_code == 409 and "annan operatör vid den här kortstationen" in himself.json()["message"]
    svea = {"username": "svea", "password": seed_demo.DEMO_PASSWORD}
    confirmed = call(client, credential, "unblocks/", unblock | {"second_operator": svea}, token)
    assert confirmed.status_code == 200 and confirmed.json()["ticket"]


def test_svea_is_a_demo_employee_in_the_demo_population_register_with_a_card(credential, settings):
    svea = Card.objects.get(card_number="9752270000150016").holder
    assert (svea.user.username, svea.hsa_id, svea.forvaltning.code) == ("svea", "SE2321000289-S015", "regionservice")
    assert normalise_personnummer(svea.personnummer) == svea.personnummer == "198309214420"  # Luhn-valid
    assert FileRegister().lookup(svea.personnummer).status == AddressStatus.REGISTERED
    others = [pnr for username, (*_, pnr, _hsa, _f) in seed_demo.PEOPLE.items() if username != "svea"]
    assert svea.personnummer not in others
