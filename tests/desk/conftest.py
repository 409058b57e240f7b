import json

import pytest
from django.contrib.auth.models import Permission

from desk.credentials import new_credential
from desk.models import Station
from tests.factories import PASSWORD, UserFactory


def make_operator(username, *stations):
    user = UserFactory(username=username, first_name=username.capitalize(), last_name="Operatör")
    user.user_permissions.add(Permission.objects.get(codename="operate_station", content_type__app_label="cards"))
    for station in stations:
        station.operators.add(user)
    return user


def make_station(name):
    credential, hashed = new_credential()
    station = Station.objects.create(name=name, location="Lund", credential_hash=hashed)
    station.credential = credential  # only the test keeps it; the server has the hash
    return station


@pytest.fixture
def station(db):
    return make_station("Kortstation Lund")


@pytest.fixture
def other_station(db):
    return make_station("Kortstation Malmö")


@pytest.fixture
def operator(station, other_station):
    return make_operator("olle", station, other_station)


@pytest.fixture
def other_operator(station, other_station):
    return make_operator("ove", station, other_station)


class Api:
    """The station API as the agent calls it, through Django's test client."""

    def __init__(self, client, station):
        self.client, self.station, self.token = client, station, None

    def post(self, path, payload=None, *, token=None, credential=None):
        headers = {"Authorization": f"Station {credential or self.station.credential}"}
        if token or self.token:
            headers["X-RS-Operator"] = token or self.token
        return self.client.post(
            f"/api/station/{path}", json.dumps(payload or {}), content_type="application/json", headers=headers
        )

    def log_in(self, user):
        response = self.post("login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 200, response.json()
        self.token = response.json()["token"]
        return self

    def id_check(self, card, document="passport"):
        response = self.post("id-check/", {"card_number": card.card_number, "id_document": document})
        assert response.status_code == 200, response.json()
        return response.json()["visit"]

    def start(self, card, visit, *, assisted=True, puk_tries_left=10, second=None, pin="legitimering"):
        return self.post(
            "unblocks/",
            {
                "visit": visit,
                "card_number": card.card_number,
                "pin": pin,
                "assisted": assisted,
                "puk_tries_left": puk_tries_left,
                "second_operator": second,
            },
        )

    def redeem(self, ticket, card_number):
        return self.post(f"tickets/{ticket}/redeem/", {"card_number": card_number})


@pytest.fixture
def api(client, station, operator):
    return Api(client, station).log_in(operator)
