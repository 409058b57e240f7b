"""The demo OpenID provider's own rules (people, methods) and the ID token it issues."""

from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests

from demoidp.methods import METHODS, methods_at_least, requested_level
from demoidp.people import DEFAULT_PASSWORD, check_password, load_people
from tests.factories import EmployeeFactory

from .oidc_provider import CLIENT_ID, CLIENT_SECRET, callback_url, oidc, oidc_provider  # noqa: F401

LOA = "http://id.elegnamnden.se/loa/1.0/loa"


def test_the_demo_people_are_the_directorys_persons_with_the_demo_password():
    people = load_people()

    assert people["anna"].hsa_id == "SE2321000289-A001"
    assert check_password(people, "anna", DEFAULT_PASSWORD) == people["anna"]
    assert check_password(people, "anna", "fel") is None
    assert check_password(people, "ingen-sadan", DEFAULT_PASSWORD) is None


def test_a_people_file_of_its_own_gives_each_person_their_password(tmp_path):
    file = tmp_path / "people.jsonl"
    file.write_text('{"username": "eva", "password": "eget", "hsa_id": "SE1", "personnummer": "", '
                    '"given_name": "Eva", "surname": "E", "email": "eva@x.se"}\n\n')  # fmt: skip

    assert check_password(load_people(file), "eva", "eget") is not None
    assert check_password(load_people(file), "eva", DEFAULT_PASSWORD) is None


def test_a_requested_level_offers_only_the_methods_at_or_above_it():
    assert [m.key for m in methods_at_least(requested_level(f"{LOA}3"))] == ["freja", "bankid", "mobilt-siths", "siths"]
    assert methods_at_least(requested_level(f"{LOA}4 {LOA}3"))[0].key == "freja"  # any of them will do
    assert methods_at_least(requested_level("urn:okand")) == list(METHODS)
    assert {m.key: m.acr for m in METHODS}["siths"] == f"{LOA}4"


def test_the_id_token_says_who_logged_in_and_how(oidc, live_server, transactional_db):  # noqa: F811
    employee = EmployeeFactory()
    oidc.add_employee(employee, username=employee.user.username)
    redirect_uri = f"{live_server.url}/oidc/callback/"
    authorize = f"{oidc.issuer}/authorize/?" + urlencode({"response_type": "code", "client_id": CLIENT_ID,
        "redirect_uri": redirect_uri, "scope": "openid", "state": "s", "nonce": "n"})  # fmt: skip
    back = callback_url(requests.Session(), live_server.url, username=employee.user.username, method="siths",
                        start=authorize)  # fmt: skip

    answer = requests.post(f"{oidc.issuer}/token/", timeout=10, data={
        "grant_type": "authorization_code", "code": parse_qs(urlsplit(back).query)["code"][0],
        "redirect_uri": redirect_uri, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})  # fmt: skip
    claims = jwt.decode(answer.json()["id_token"], options={"verify_signature": False})

    assert claims["iss"] == oidc.issuer and claims["aud"] == CLIENT_ID
    assert claims["acr"] == f"{LOA}4" and claims["amr"] == ["siths"]
    assert (claims["hsa_id"], claims["personnummer"]) == (employee.hsa_id, employee.personnummer)
    assert claims["nonce"] == "n" and {"given_name", "family_name", "email", "exp", "iat"} <= claims.keys()
