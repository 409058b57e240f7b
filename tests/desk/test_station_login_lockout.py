"""Guessing an operator's password through the station API, or a second operator's at an
unblock, is throttled like the site's login: the station API answers a lockout in its
own JSON (429, a message the station software shows), never with an HTML page."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F

from audit.models import AuditEvent
from desk.models import DeskSession
from tests.factories import PASSWORD

from .conftest import Api

pytestmark = pytest.mark.django_db

LOCKED = "För många misslyckade inloggningar. Försök igen om 15 minuter."


@pytest.fixture(autouse=True)
def low_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def log_in(client, station, username, password):
    return Api(client, station).post("login/", {"username": username, "password": password})


def test_thirty_wrong_passwords_then_the_right_one_gets_no_token(client, station, operator):
    for _ in range(30):
        assert log_in(client, station, "olle", "wrong").status_code in (403, 429)
    response = log_in(client, station, "olle", PASSWORD)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {"error": "locked_out", "message": LOCKED}
    assert int(response["Retry-After"]) == 15 * 60
    assert not DeskSession.objects.exists()


def test_the_lockout_starts_at_the_limit_and_is_audited_once(client, station, operator):
    answers = [log_in(client, station, "olle", "wrong").status_code for _ in range(5)]
    assert answers == [403, 403, 429, 429, 429]
    event = AuditEvent.objects.get(action="login_locked_out")
    assert event.object_id == str(operator.pk) and event.data["username"] == "olle"
    assert event.data["path"] == "/api/station/login/"


def test_a_known_and_an_unknown_username_get_the_same_answers(client, station, operator):
    def answers(username):
        AccessAttempt.objects.all().delete()
        return [(r.status_code, r.json()) for r in (log_in(client, station, username, "wrong") for _ in range(4))]

    assert answers("olle") == answers("nobody-here")


def test_after_the_cool_off_the_operator_logs_in(client, station, operator):
    for _ in range(3):
        log_in(client, station, "olle", "wrong")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    response = log_in(client, station, "olle", PASSWORD)
    assert response.status_code == 200 and response.json()["token"]


def test_a_second_operators_password_is_throttled_too(api, card, other_operator):
    from tests.factories import give_puk

    give_puk(card, "86420975")
    visit = api.id_check(card)
    for _ in range(3):
        wrong = api.start(card, visit, puk_tries_left=2, second={"username": "ove", "password": "wrong"})
        assert wrong.status_code in (409, 429)
    locked = api.start(card, visit, puk_tries_left=2, second={"username": "ove", "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.json() == {"error": "locked_out", "message": LOCKED}
    assert not AuditEvent.objects.filter(action="desk_second_operator_confirmed").exists()
    # The operator who is logged in goes on working: the lockout is the second operator's.
    assert api.post("id-check/", {"card_number": card.card_number, "id_document": "passport"}).status_code == 200


def test_the_second_operators_confirmation_still_works(api, card, other_operator):
    from tests.factories import give_puk

    give_puk(card, "86420975")
    visit = api.id_check(card)
    confirmed = api.start(card, visit, puk_tries_left=2, second={"username": "ove", "password": PASSWORD})
    assert confirmed.status_code == 200
