"""The operator's login at a station through RS-portal (the region's IdP) in the desk PC's
browser: RS-portal's page gives the browser a one-time login code for the station
software's callback, and the station API exchanges it, with the station's credential, for
the operator token. Each refusal is told in words and recorded."""

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core import signing
from django.utils.html import escape

from audit.models import AuditEvent
from desk.models import DeskSession, StationOperator
from sso.assurance import Assurance
from sso.session import SESSION_KEY
from tests.factories import PASSWORD, UserFactory

from .conftest import Api

STATE = "s" * 20 + "-random_state-0123456789"
CALLBACK = "http://127.0.0.1:8765/inloggad"
FREJA = Assurance(protocol="oidc", method="freja", level=3, context="http://id.elegnamnden.se/loa/1.0/loa3")


def login_page(client, station, *, callback=CALLBACK, state=STATE):
    query = urlencode({"station": station.pk, "callback": callback, "state": state})
    return client.get(f"/kortstation/logga-in/?{query}")


def logged_in_to_rs_portal(client, user, assurance=None):
    client.force_login(user)
    if assurance is not None:
        session = client.session
        session[SESSION_KEY] = assurance.as_session()
        session.save()
    return client


def code_for(client, station, user, assurance=None, **ask):
    response = login_page(logged_in_to_rs_portal(client, user, assurance), station, **ask)
    assert response.status_code == 200, response.content
    assert response["Refresh"].startswith("0; url=")
    where = response["Refresh"].removeprefix("0; url=")
    assert f'href="{escape(where)}"' in response.content.decode()  # and a link, should the browser not move on
    back = urlsplit(where)
    query = parse_qs(back.query)
    assert f"{back.scheme}://{back.netloc}{back.path}" == ask.get("callback", CALLBACK).split("?")[0]
    assert query["state"] == [ask.get("state", STATE)]
    return query["code"][0]


def exchange(client, station, code, state=STATE):
    return Api(client, station).post("login/", {"code": code, "state": state})


def refusals(refusal):
    return AuditEvent.objects.filter(action="desk_login_refused", data__refusal=refusal)


def test_a_code_from_rs_portals_page_logs_the_operator_in_at_the_station(client, station, operator):
    code = code_for(client, station, operator, FREJA)
    response = exchange(client, station, code)
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert (answer["operator"], answer["station"]) == ("Olle Operatör", station.name)

    api = Api(client, station)
    api.token = answer["token"]
    assert api.post("logout/").status_code == 200  # the token is the operator's, as with a password
    login = AuditEvent.objects.get(action="desk_login")
    assert login.actor == operator
    assert login.data["inloggning"] == {
        "protokoll": "oidc",
        "metod": "freja",
        "tillitsniva": 3,
        "kontext": "http://id.elegnamnden.se/loa/1.0/loa3",
    }
    assert DeskSession.objects.get().assurance["tillitsniva"] == 3


def test_the_acts_of_a_login_by_code_carry_how_the_operator_logged_in(client, station, operator):
    from tests.factories import CardFactory

    card = CardFactory()
    api = Api(client, station)
    api.token = exchange(client, station, code_for(client, station, operator, FREJA)).json()["token"]
    api.id_check(card)
    assert AuditEvent.objects.get(action="desk_id_checked").data["inloggning"]["metod"] == "freja"


def test_a_password_session_in_rs_portal_gives_a_code_at_the_password_level(client, station, operator, settings):
    settings.RSPORTAL_PASSWORD_LEVEL = 1
    response = exchange(client, station, code_for(client, station, operator))
    assert response.status_code == 200
    assert AuditEvent.objects.get(action="desk_login").data["inloggning"]["tillitsniva"] == 1


def test_the_station_software_gets_the_path_to_rs_portals_page(client, station, operator):
    response = Api(client, station).post("login/begin/", {"callback": CALLBACK, "state": STATE})
    assert response.status_code == 200
    path = response.json()["path"]
    assert path.startswith("/kortstation/logga-in/?")
    logged_in_to_rs_portal(client, operator)
    assert client.get(path).status_code == 200


def test_an_expired_code_is_refused(client, station, operator, monkeypatch):
    sixty_one_seconds_ago = signing.b62_encode(int(time.time()) - 61)
    with monkeypatch.context() as patched:
        patched.setattr(signing.TimestampSigner, "timestamp", lambda self: sixty_one_seconds_ago)
        code = code_for(client, station, operator)
    response = exchange(client, station, code)
    assert response.status_code == 403
    assert response.json()["message"] == "Inloggningen tog för lång tid att slutföra. Logga in igen."
    assert refusals("code_expired").count() == 1
    assert not DeskSession.objects.exists()


def test_a_code_is_used_once(client, station, operator):
    code = code_for(client, station, operator)
    assert exchange(client, station, code).status_code == 200
    again = exchange(client, station, code)
    assert again.status_code == 403
    assert again.json()["message"] == "Inloggningen är redan använd. Logga in igen."
    assert refusals("code_used").get().data["username"] == "olle"
    assert DeskSession.objects.count() == 1


def test_a_code_for_another_station_is_refused(client, station, other_station, operator):
    code = code_for(client, station, operator)
    response = exchange(client, other_station, code)
    assert response.status_code == 403
    assert "gällde en annan kortstation" in response.json()["message"]
    refused = refusals("code_other_station").get()
    assert (refused.data["station"], refused.data["station_in_code"]) == (other_station.name, station.pk)
    assert exchange(client, station, code).status_code == 200  # still good where it was meant for


@pytest.mark.parametrize("tamper", ["a letter changed", "cut short", "not a code"])
def test_a_tampered_code_is_refused(client, station, operator, tamper):
    code = code_for(client, station, operator)
    forged = {
        "a letter changed": code[:-3] + ("A" if code[-3] != "A" else "B") + code[-2:],
        "cut short": code[: len(code) // 2],
        "not a code": "eyJ1Ijo5OTl9:1abcde:forged",
    }[tamper]
    response = exchange(client, station, forged)
    assert response.status_code == 403
    assert response.json()["message"] == "Inloggningen gick inte att slutföra. Logga in igen."
    assert refusals("code_unreadable").count() == 1
    assert not DeskSession.objects.exists()


def test_a_code_signed_for_something_else_is_refused(client, station, operator):
    claims = {"u": operator.pk, "s": station.pk, "st": STATE, "o": "x"}
    other_salt = signing.dumps(claims, salt="station.operator-token")
    assert exchange(client, station, other_salt).status_code == 403
    assert refusals("code_unreadable").count() == 1


def test_a_code_with_another_state_is_refused(client, station, operator):
    code = code_for(client, station, operator)
    response = exchange(client, station, code, state="another-state-of-twenty")
    assert response.status_code == 403
    assert refusals("code_other_state").count() == 1


def test_rs_portals_page_gives_no_code_to_someone_not_an_operator_there(client, station, other_station):
    from .conftest import make_operator

    elsewhere = make_operator("malin", other_station)
    response = login_page(logged_in_to_rs_portal(client, elsewhere), station)
    assert response.status_code == 403
    assert "Du har inte behörighet att arbeta vid den här kortstationen." in response.content.decode()
    refused = refusals("not_operator").get()
    assert (refused.actor, refused.data["station_asked"]) == (elsewhere, str(station.pk))

    nobody = UserFactory(username="nils")  # no permission at all
    assert login_page(logged_in_to_rs_portal(client, nobody), station).status_code == 403


def test_a_code_whose_operator_lost_the_right_meanwhile_is_refused(client, station, operator):
    code = code_for(client, station, operator)
    StationOperator.objects.filter(station=station, user=operator).delete()
    response = exchange(client, station, code)
    assert response.status_code == 403
    assert response.json()["message"] == "Du har inte behörighet att arbeta vid den här kortstationen."
    assert refusals("not_operator").get().data["username"] == "olle"


OFF_SITE = [
    "https://evil.example/inloggad",
    "http://evil.example:8765/inloggad",
    "http://127.0.0.1@evil.example/inloggad",
    "http://127.0.0.1.evil.example/inloggad",
    "//evil.example/inloggad",
    "/kortstation/",
    "javascript:alert(1)",
    "https://127.0.0.1:8765/inloggad",
    "http://127.0.0.1:8765/inloggad#fragment",
    "http://127.0.0.1:99999/inloggad",
    "http://127.0.0.1:8765\\@evil.example/",
    "",
]


@pytest.mark.parametrize("callback", OFF_SITE)
def test_rs_portals_page_sends_a_code_nowhere_but_to_the_station_software(client, station, operator, callback):
    response = login_page(logged_in_to_rs_portal(client, operator), station, callback=callback)
    assert response.status_code == 400
    assert "Refresh" not in response
    assert "bara till kortstationens program på den här datorn" in response.content.decode()
    assert refusals("callback_not_allowed").get().actor == operator


@pytest.mark.parametrize("callback", OFF_SITE[:3])
def test_the_station_api_refuses_an_off_site_callback_too(client, station, operator, callback):
    response = Api(client, station).post("login/begin/", {"callback": callback, "state": STATE})
    assert response.status_code == 403
    assert "bara till kortstationens program" in response.json()["message"]
    assert refusals("callback_not_allowed").count() == 1


@pytest.mark.parametrize(
    "callback",
    ["http://localhost:8765/inloggad", "http://[::1]:8765/inloggad", "http://127.0.0.1:51234/inloggad?x=1"],
)
def test_any_loopback_address_of_the_station_software_is_allowed(client, station, operator, callback):
    assert code_for(client, station, operator, callback=callback)


def test_the_agent_address_the_deployment_names_is_allowed_and_only_its_origin(client, station, operator, settings):
    settings.RSPORTAL_DESK_AGENT_URL = "https://kortstation.skane.se:9443/"
    assert code_for(client, station, operator, callback="https://kortstation.skane.se:9443/inloggad")
    refused = login_page(client, station, callback="https://kortstation.skane.se/inloggad")  # another port
    assert refused.status_code == 400


@pytest.mark.parametrize("state", ["", "short", "x" * 101, "has spaces in it here"])
def test_a_missing_or_malformed_state_is_refused(client, station, operator, state):
    response = login_page(logged_in_to_rs_portal(client, operator), station, state=state)
    assert response.status_code == 400
    assert refusals("bad_state").count() == 1


def test_an_unknown_or_inactive_station_is_refused(client, station, operator):
    logged_in_to_rs_portal(client, operator)
    station.active = False
    station.save()
    response = login_page(client, station)
    assert response.status_code == 400
    assert "Kortstationen finns inte eller är inte i bruk." in response.content.decode()
    assert refusals("unknown_station").count() == 1


def test_rs_portals_page_needs_a_login_to_rs_portal_first(client, station):
    response = login_page(client, station)
    assert response.status_code == 302
    assert response["Location"].startswith("/logga-in/?next=/kortstation/logga-in/")


def test_below_the_desks_level_rs_portals_page_asks_to_step_up(client, station, operator, settings):
    settings.RSPORTAL_MIN_LEVEL_DESK = 3
    settings.RSPORTAL_PASSWORD_LEVEL = 1
    response = login_page(logged_in_to_rs_portal(client, operator), station)
    assert response.status_code == 403
    assert "Refresh" not in response
    assert code_for(client, station, operator, FREJA)  # a level 3 login is enough


def test_where_password_logins_are_off_the_station_says_to_use_the_regions_login(client, station, operator, settings):
    settings.RSPORTAL_PASSWORD_LOGIN = "break-glass"
    response = Api(client, station).post("login/", {"username": "olle", "password": PASSWORD})
    assert response.status_code == 403
    assert response.json()["message"] == (
        "Inloggning med lösenord är avstängd vid kortstationen. Använd ”Logga in med Region Skånes inloggning”."
    )
    assert refusals("password_login_off").get().data["username"] == "olle"
    assert exchange(client, station, code_for(client, station, operator)).status_code == 200


def test_a_password_login_below_the_desks_level_is_refused_too(client, station, operator, settings):
    settings.RSPORTAL_MIN_LEVEL_DESK = 2
    settings.RSPORTAL_PASSWORD_LEVEL = 1
    response = Api(client, station).post("login/", {"username": "olle", "password": PASSWORD})
    assert response.status_code == 403
    assert refusals("password_login_off").count() == 1


def test_a_password_login_records_its_level(client, station, operator, settings):
    settings.RSPORTAL_PASSWORD_LEVEL = 1
    Api(client, station).log_in(operator)
    assert AuditEvent.objects.get(action="desk_login").data["inloggning"] == {
        "protokoll": "password",
        "metod": "password",
        "tillitsniva": 1,
        "kontext": "",
    }
