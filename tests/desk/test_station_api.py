"""The station API: who may call it, the ID check, the second operator, the hourly limit
and the PUK ticket's rules (single use, two minutes, bound to card, operator, station)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from audit.models import AuditEvent
from desk.models import PukTicket
from tests.factories import CardFactory, give_puk

from .conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def puk(card):
    return give_puk(card, "86420975")


def ticket_for(api, card):
    visit = api.id_check(card)
    response = api.start(card, visit)
    assert response.status_code == 200, response.json()
    return response.json()["ticket"]


def actions():
    return list(AuditEvent.objects.values_list("action", flat=True))


def test_assisted_unblock_releases_the_puk_once_to_the_station(api, card, puk):
    ticket = ticket_for(api, card)
    response = api.redeem(ticket, card.card_number)
    assert response.status_code == 200 and response.json() == {"puk": puk}
    assert response["Cache-Control"] == "no-store"
    assert {"desk_login", "desk_id_checked", "desk_unblock_started", "desk_ticket_issued", "desk_ticket_used"} <= set(
        actions()
    )
    again = api.redeem(ticket, card.card_number)
    assert again.status_code == 409 and again.json()["error"] == "ticket_used"
    refused = AuditEvent.objects.get(action="desk_ticket_refused")
    assert refused.data["refusal"] == "used" and refused.actor.username == "olle"


def test_no_audit_event_holds_the_puk(api, card, puk):
    api.redeem(ticket_for(api, card), card.card_number)
    for event in AuditEvent.objects.all():
        assert puk not in f"{event.data} {event.reason}"


def test_an_expired_ticket_is_refused_and_recorded(api, card, puk):
    ticket = ticket_for(api, card)
    PukTicket.objects.filter(pk=ticket).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api.redeem(ticket, card.card_number)
    assert response.status_code == 409 and "puk" not in response.json()
    assert AuditEvent.objects.get(action="desk_ticket_expired").data["refusal"] == "expired"


def test_a_ticket_that_expires_unused_is_recorded_once(api, card, puk):
    from desk.services import record_lapsed_tickets

    ticket = ticket_for(api, card)
    assert record_lapsed_tickets() == 0  # still valid
    later = timezone.now() + timedelta(minutes=3)
    assert record_lapsed_tickets(now=later) == 1
    assert record_lapsed_tickets(now=later) == 0
    event = AuditEvent.objects.get(action="desk_ticket_expired")
    assert event.object_id == str(ticket) and event.data["refusal"] == "never_used"


def test_a_ticket_lives_two_minutes_at_most(api, card, puk, settings):
    settings.RSPORTAL_PUK_TICKET_SECONDS = 3600
    ticket = PukTicket.objects.get(pk=ticket_for(api, card))
    assert ticket.expires_at - ticket.issued_at <= timedelta(minutes=2, seconds=1)


def test_a_ticket_for_another_card_is_refused(api, card, puk, employee):
    other = CardFactory(holder=employee)
    response = api.redeem(ticket_for(api, card), other.card_number)
    assert response.status_code == 409 and response.json()["error"] == "ticket_other_card"
    assert AuditEvent.objects.get(action="desk_ticket_refused").data["refusal"] == "other_card"


def test_a_ticket_for_another_operator_is_refused(api, client, station, other_operator, card, puk):
    ticket = ticket_for(api, card)
    response = Api(client, station).log_in(other_operator).redeem(ticket, card.card_number)
    assert response.status_code == 409 and response.json()["error"] == "ticket_other_operator"
    assert PukTicket.objects.get(pk=ticket).used_at is None
    refused = AuditEvent.objects.get(action="desk_ticket_refused")
    assert (refused.data["refusal"], refused.actor.username, refused.object_id) == ("other_operator", "ove", ticket)
    assert not AuditEvent.objects.filter(action="desk_ticket_used").exists()


def test_a_ticket_from_another_station_is_refused(api, client, other_station, operator, card, puk):
    ticket = ticket_for(api, card)
    response = Api(client, other_station).log_in(operator).redeem(ticket, card.card_number)
    assert response.status_code == 409 and response.json()["error"] == "ticket_other_station"
    assert AuditEvent.objects.get(action="desk_ticket_refused").data["station"] == other_station.name


def test_an_operator_token_does_not_work_at_another_station(api, other_station):
    response = api.post(
        "card/",
        {"card_number": "1", "profile": "rs", "pins": {}, "puk_tries_left": 1},
        credential=other_station.credential,
    )
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["employee", "contact_person"])
def test_employees_and_contact_persons_are_denied(client, station, employee, contact_person, who):
    user = employee.user if who == "employee" else contact_person
    client.force_login(user)
    bare = client.post("/api/station/card/", "{}", content_type="application/json")
    assert bare.status_code == 403
    login = Api(client, station).post("login/", {"username": user.username, "password": "test-password-123"})
    assert login.status_code == 403
    assert AuditEvent.objects.filter(action="desk_login_refused").count() == 1


def test_an_operator_without_rights_on_this_station_is_denied(client, other_station, station, operator):
    station.operators.remove(operator)
    assert Api(client, station).post("login/", {"username": "olle", "password": "test-password-123"}).status_code == 403


def test_unblock_without_an_id_check_is_refused(api, card, puk):
    response = api.start(card, visit=None)
    assert response.status_code == 409 and response.json()["error"] == "no_id_check"
    assert not PukTicket.objects.exists()
    assert AuditEvent.objects.get(action="desk_refused").data["refusal"] == "no_id_check"


def test_an_id_check_is_for_one_card(api, card, puk, employee):
    other = CardFactory(holder=employee)
    visit = api.id_check(other)
    assert api.start(card, visit).json()["error"] == "no_id_check"


def test_an_old_id_check_no_longer_counts(api, card, puk, settings):
    visit = api.id_check(card)
    settings.RSPORTAL_DESK_VISIT_MINUTES = 0
    assert api.start(card, visit).json()["error"] == "no_id_check"


def test_an_id_check_records_the_kind_of_document_only(api, card):
    response = api.post(
        "id-check/", {"card_number": card.card_number, "id_document": "passport", "document_number": "AB1234567"}
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="desk_id_checked")
    assert event.data["id_document"] == "passport" and "AB1234567" not in str(event.data)
    bad = api.post("id-check/", {"card_number": card.card_number, "id_document": "library_card"})
    assert bad.status_code == 400


def test_two_puk_tries_left_needs_a_second_operator(api, card, puk, operator, other_operator):
    visit = api.id_check(card)
    alone = api.start(card, visit, puk_tries_left=2)
    assert alone.json()["error"] == "second_operator"
    myself = api.start(card, visit, puk_tries_left=2, second={"username": "olle", "password": "test-password-123"})
    assert myself.json()["error"] == "second_operator"
    confirmed = api.start(card, visit, puk_tries_left=2, second={"username": "ove", "password": "test-password-123"})
    assert confirmed.status_code == 200
    assert AuditEvent.objects.get(action="desk_second_operator_confirmed").data["second_operator"] == "ove"


def test_the_operator_confirming_their_own_unblock_is_told_it_must_be_a_different_operator(
    api, card, puk, operator, other_operator
):
    visit = api.id_check(card)
    myself = api.start(card, visit, puk_tries_left=2, second={"username": "olle", "password": "test-password-123"})
    assert myself.status_code == 409 and myself.json() == {
        "error": "second_operator",
        "message": "Du kan inte bekräfta din egen upplåsning. Det ska vara en annan operatör vid den här "
        "kortstationen som bekräftar med sin inloggning.",
    }
    refused = AuditEvent.objects.get(action="desk_refused")
    assert refused.data | {"refusal": "second_operator", "puk_tries_left": 2} == refused.data
    assert refused.actor == operator and not actions().count("desk_unblock_started")
    with translation.override("en"):
        assert translation.gettext(myself.json()["message"]).startswith("You cannot confirm your own unblock.")
    # Nobody at all, or a wrong password, is still told that another operator must confirm.
    alone = api.start(card, visit, puk_tries_left=2)
    assert alone.json()["message"].startswith("PUK-koden har två försök kvar eller färre: en annan operatör")
    other = api.start(card, visit, puk_tries_left=2, second={"username": "ove", "password": "test-password-123"})
    assert other.status_code == 200 and other.json()["attempt"]
    assert AuditEvent.objects.get(action="desk_second_operator_confirmed").data["second_operator"] == "ove"


def test_the_hourly_limit_stops_assisted_unblocks_and_tells_an_administrator(
    api, card, puk, settings, tasks_in_process, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    UserFactory(username="ada", is_staff=True, is_superuser=True)
    settings.RSPORTAL_ASSISTED_UNBLOCKS_PER_HOUR = 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    visit = api.id_check(card)
    assert [api.start(card, visit).status_code for _ in range(2)] == [200, 200]
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            refused = api.start(card, visit)
        assert refused.status_code == 409 and refused.json()["error"] == "limit"
    assert api.start(card, visit, assisted=False).status_code == 200  # with the holder's PUK: no limit
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@test.skane.se"]
    assert "Olle Operatör" in mail.outbox[0].subject and "Kortstation Lund" in mail.outbox[0].body
    assert actions().count("desk_limit_reached") == 2 and actions().count("desk_limit_alerted") == 1


def test_the_outcome_is_recorded_with_tries_left(api, card, puk):
    attempt = api.start(card, api.id_check(card), assisted=False).json()["attempt"]
    assert api.post(f"unblocks/{attempt}/outcome/", {"result": "done", "tries_left": 3}).status_code == 200
    event = AuditEvent.objects.get(action="desk_unblock_outcome")
    assert event.data | {"result": "done", "tries_left": 3, "assisted": False} == event.data
    assert api.post(f"unblocks/{attempt}/outcome/", {"result": "done"}).status_code == 409


def test_card_read_finds_the_holder_and_open_order(api, card, contact_person):
    from tests.factories import approved_order

    order = approved_order(card, contact_person)
    answer = api.post(
        "card/",
        {
            "card_number": card.card_number,
            "profile": "rs",
            "pins": {"legitimering": 0, "underskrift": 3},
            "puk_tries_left": 10,
        },
    ).json()
    assert answer["holder"] == card.holder.full_name and answer["active"]
    assert answer["orders"] == [
        {"id": order.pk, "reference": order.reference, "state": "Godkänd", "card": card.masked_number, "closable": True}
    ]
    assert AuditEvent.objects.get(action="desk_card_read").data["pin_tries_left"] == {
        "legitimering": 0,
        "underskrift": 3,
    }


def test_an_open_order_is_closed_as_handled_at_desk(api, card, contact_person):
    from tests.factories import approved_order

    order = approved_order(card, contact_person)
    visit = api.id_check(card)
    response = api.post(f"orders/{order.pk}/handled-at-desk/", {"visit": visit, "card_number": card.card_number})
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.state == "handled_at_desk"
    assert AuditEvent.objects.get(action="order_handled_at_desk").data["station"] == "Kortstation Lund"


def test_an_order_whose_letter_is_on_its_way_is_not_closed(api, card, contact_person):
    from orders.models import PukOrder
    from tests.factories import approved_order

    order = approved_order(card, contact_person)
    PukOrder.objects.filter(pk=order.pk).update(state="posted")
    visit = api.id_check(card)
    response = api.post(f"orders/{order.pk}/handled-at-desk/", {"visit": visit, "card_number": card.card_number})
    assert response.status_code == 409


def test_every_station_result_is_an_outcome_the_server_has_words_for():
    from cards.reader.operations import Result
    from desk.models import Outcome

    assert {r.value for r in Result} <= set(Outcome.values)


def test_an_unknown_outcome_is_refused_and_nothing_is_written(api, card, puk):
    attempt = api.start(card, api.id_check(card), assisted=False).json()["attempt"]
    response = api.post(f"unblocks/{attempt}/outcome/", {"result": "wonderful", "tries_left": 3})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="desk_unblock_outcome").exists()
    assert api.post(f"unblocks/{attempt}/outcome/", {"result": "security_not_satisfied"}).status_code == 200


def test_a_refusal_by_the_card_has_words_in_swedish_and_english(api, card, puk):
    from django.utils import translation

    from desk.models import UnblockAttempt

    attempt = api.start(card, api.id_check(card), assisted=False).json()["attempt"]
    api.post(f"unblocks/{attempt}/outcome/", {"result": "unknown_instruction"})
    recorded = UnblockAttempt.objects.get(pk=attempt)
    assert recorded.get_result_display() == "Kortet vägrade: okänt kommando (6D00)"
    with translation.override("en"):
        assert recorded.get_result_display() == "The card refused: unknown instruction (6D00)"


@pytest.mark.parametrize("refusal", ["no_id_check", "new_pin_refused", "code_malformed", "other_card", "puk_blocked"])
def test_a_refusal_the_station_makes_on_its_own_is_audited(api, card, refusal):
    response = api.post(
        "refusals/", {"card_number": card.card_number, "refusal": refusal, "pin": "underskrift", "assisted": False}
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="desk_refused")
    assert (
        event.data
        | {"refusal": refusal, "refused_by": "station", "pin_role": "underskrift", "station": "Kortstation Lund"}
        == event.data
    )
    assert event.actor.username == "olle" and event.object_id == str(card.pk)


def test_an_unknown_refusal_is_a_bad_request_and_writes_nothing(api, card):
    response = api.post("refusals/", {"card_number": card.card_number, "refusal": "bored", "pin": "underskrift"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="desk_refused").exists()


def test_logout_ends_the_operator_token_on_the_server(api, card):
    assert api.post("logout/").status_code == 200
    assert api.post("id-check/", {"card_number": card.card_number, "id_document": "passport"}).status_code == 403
    assert AuditEvent.objects.filter(action="desk_logout", actor__username="olle").count() == 1
    assert api.post("logout/").status_code == 403  # once ended, for good


def test_an_idle_login_ends_and_a_call_keeps_it_alive(api, card, settings):
    from desk.models import DeskSession

    settings.RSPORTAL_DESK_IDLE_MINUTES = 15
    session = DeskSession.objects.get()
    DeskSession.objects.update(last_seen_at=timezone.now() - timedelta(minutes=14))
    assert api.id_check(card)
    session.refresh_from_db()
    assert timezone.now() - session.last_seen_at < timedelta(minutes=1)
    DeskSession.objects.update(last_seen_at=timezone.now() - timedelta(minutes=16))
    assert api.post("id-check/", {"card_number": card.card_number, "id_document": "passport"}).status_code == 403


def test_a_login_ends_at_its_age_limit_whatever_the_activity(api, card, settings):
    settings.RSPORTAL_DESK_SESSION_HOURS = 0
    assert api.post("id-check/", {"card_number": card.card_number, "id_document": "passport"}).status_code == 403


def test_logging_out_ends_that_login_only(api, client, station, operator, card):
    first = api.token
    second = Api(client, station).log_in(operator)
    assert second.post("logout/").status_code == 200
    assert (
        api.post(
            "card/", {"card_number": card.card_number, "profile": "rs", "pins": {}, "puk_tries_left": 10}, token=first
        ).status_code
        == 200
    )


def test_a_pin_change_is_recorded_with_its_result_and_tries_left(api, card):
    response = api.post(
        "pin-changes/", {"card_number": card.card_number, "pin": "underskrift", "result": "wrong_pin", "tries_left": 2}
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="desk_pin_changed")
    assert (
        event.data
        | {
            "pin_role": "underskrift",
            "result": "wrong_pin",
            "tries_left": 2,
            "card_number": card.card_number,
            "station": "Kortstation Lund",
        }
        == event.data
    )
    assert event.object_id == str(card.pk) and event.actor.username == "olle"


@pytest.mark.parametrize(
    "payload",
    [
        {"pin": "both", "result": "done"},
        {"pin": "underskrift", "result": "great"},
        {"pin": "underskrift", "result": "done", "tries_left": -1},
    ],
)
def test_a_pin_change_report_of_the_wrong_form_writes_nothing(api, card, payload):
    assert api.post("pin-changes/", {"card_number": card.card_number, **payload}).status_code == 400
    assert not AuditEvent.objects.filter(action="desk_pin_changed").exists()


def test_the_daily_report_counts_each_operators_acts_per_station(
    api, client, station, other_station, operator, other_operator, card, puk, contact_person
):
    from desk.reports import daily_report
    from tests.factories import UserFactory, approved_order

    card_read = {"card_number": card.card_number, "profile": "rs", "pins": {}, "puk_tries_left": 10}
    api.post("card/", card_read)
    api.post("card/", card_read)
    visit = api.id_check(card)
    done = api.start(card, visit, assisted=False).json()["attempt"]
    api.post(f"unblocks/{done}/outcome/", {"result": "done", "tries_left": 3})
    ticket = api.start(card, visit).json()["ticket"]
    api.redeem(ticket, card.card_number)
    api.redeem(ticket, card.card_number)  # refused: used
    failed = api.start(card, visit, assisted=False).json()["attempt"]
    api.post(f"unblocks/{failed}/outcome/", {"result": "wrong_puk", "tries_left": 9})
    api.post(
        "pin-changes/", {"card_number": card.card_number, "pin": "legitimering", "result": "done", "tries_left": 3}
    )
    api.post("pin-changes/", {"card_number": card.card_number, "pin": "legitimering", "result": "wrong_pin"})
    api.post("refusals/", {"card_number": card.card_number, "refusal": "other_card", "pin": "legitimering"})
    order = approved_order(card, contact_person)
    api.post(f"orders/{order.pk}/handled-at-desk/", {"visit": visit, "card_number": card.card_number})
    elsewhere = Api(client, other_station).log_in(other_operator)
    elsewhere.post("card/", card_read)

    today = timezone.localdate()
    rows = {(row.station, row.operator): row.cells() for row in daily_report(today, today)}
    # read, id, unblocked, failed, assisted, refused, pin changes, orders
    assert rows == {
        ("Kortstation Lund", "Olle Operatör"): [2, 1, 1, 1, 1, 2, 1, 1],
        ("Kortstation Malmö", "Ove Operatör"): [1, 0, 0, 0, 0, 0, 0, 0],
    }

    client.force_login(UserFactory(username="ada", is_staff=True))
    page = client.get("/kortstationer/rapport/").content.decode()
    assert "Kortstation Malmö" in page and "Olle Operatör" in page and '<td data-label="Avlästa kort">2</td>' in page
