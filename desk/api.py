"""The JSON API the station software (cards.agent) calls; nothing else may.

Every call carries the station's credential; all but the login also the operator's
token. No session, no cookie, so no CSRF: a browser holds neither. The PUK leaves the
server only in the body of a ticket redemption, marked no-store.

Each view declares the shape of its body; `rsportal.jsonbody` checks the body against it
(size, depth, control characters, each field's type and range) before the view runs, so
a crafted body is a 400 with the reason and writes nothing. A locked-out login (too many
wrong passwords, django-axes) is a 429 with the message the station software shows.
"""

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeAlias

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from audit.context import login_of_request
from organisation.login_lockout import cool_off_seconds
from organisation.models import User
from rsportal import jsonbody
from rsportal.jsonbody import BIGINT_MAX, Bool, Int, Object, Text

from . import health, rules, services
from .credentials import session_for, station_for
from .models import DeskSession, IdDocument, Outcome, Station, UnblockAttempt

DENIED = {"error": "denied", "message": "Kortstationen eller operatören är inte behörig."}
BAD_REQUEST = "Felaktig förfrågan."

# The fields of the bodies, as the station software sends them.
CARD_NUMBER = Text(64)
PIN_ROLE = Text(20, choices=UnblockAttempt.Pin.values)
OUTCOME = Text(40, choices=Outcome.values)
TRIES = Int(0, 255, nullable=True)  # what a card reports; the columns are small integers
VISIT = Int(0, BIGINT_MAX, nullable=True)
USERNAME, PASSWORD = Text(150), Text(200)
LOGIN_CODE, STATE, CALLBACK = Text(1000), Text(100), Text(300)

Payload: TypeAlias = dict[str, Any]


class StationRequest(HttpRequest):
    """A request as station_api hands it on: with the operator's login at the station (None
    where the view needs no operator and none is logged in)."""

    desk_session: DeskSession | None


# (request, station, operator, data, **the URL's values) -> the answer's JSON body
StationView: TypeAlias = Callable[..., Payload]


def _answer(payload: Payload, status: int = 200) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    response["Cache-Control"] = "no-store"
    return response


NO_BODY = Object()  # fields, if any, are left out


def station_api(
    body: Object = NO_BODY, needs_operator: bool = True, health_header: bool = True
) -> Callable[[StationView], Callable[..., HttpResponse]]:
    """The view's body is checked against `body`; the view gets only the fields declared.
    A call that gets past both has the station heard from, with the health its header
    carries (desk/health.py; a header that fails its check is left out, never refused)."""

    def decorate(view: StationView) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @require_POST
        @wraps(view)
        def wrapped(request: StationRequest, **kwargs: Any) -> HttpResponse:
            station = station_for(request)
            request.desk_session = session_for(request, station) if station is not None else None
            operator = request.desk_session.operator if request.desk_session else None
            if station is None or (needs_operator and operator is None):
                return _answer(DENIED, 403)
            try:
                data = jsonbody.parse(request.body or b"{}", body)
            except jsonbody.Refused as refused:
                return _answer({"error": "bad_request", "message": BAD_REQUEST, "reason": refused.reason}, 400)
            if health_header:
                health.record(station, health.from_header(request))
            # Every act through an operator's login carries how the operator logged in.
            login = request.desk_session.assurance if request.desk_session else None
            try:
                with login_of_request(login or None):
                    return _answer(view(request, station, operator, data, **kwargs))
            except services.StationRefused as refused:
                return _refused(refused)

        return wrapped

    return decorate


def _refused(refused: services.StationRefused) -> JsonResponse:
    payload = {"error": refused.code, "message": refused.message}
    if refused.code == "locked_out":
        response = _answer(payload, 429)
        response["Retry-After"] = str(cool_off_seconds())
        return response
    return _answer(payload, 403 if refused.code.startswith("login") else 409)


@station_api(
    Object(optional={"username": USERNAME, "password": PASSWORD, "code": LOGIN_CODE, "state": STATE}),
    needs_operator=False,
)
def login(request: StationRequest, station: Station, _operator: User | None, data: Payload) -> Payload:
    """With the one-time code RS-portal gave the desk PC's browser (and the state the station
    software sent with it), or with a username and password where the settings allow it."""
    if "code" in data:
        user, token = services.log_in_with_code(station, data["code"], data.get("state", ""))
    else:
        user, token = services.log_in(station, data.get("username", ""), data.get("password", ""), request)
    return {
        "token": token,
        "operator": user.get_full_name() or user.get_username(),
        "station": station.name,
        "location": station.location,
    }


@station_api(Object({"callback": CALLBACK, "state": STATE}), needs_operator=False)
def begin_login(request: StationRequest, station: Station, _operator: User | None, data: Payload) -> Payload:
    """Where the station software sends the browser to log the operator in: RS-portal's page
    (a path on this server) for this station, the station software's callback and state."""
    return {"path": services.login_request(station, data["callback"], data["state"])}


@station_api()
def logout(request: StationRequest, station: Station, operator: User, data: Payload) -> Payload:
    services.log_out(station, operator, request.desk_session)
    return {}


@station_api(
    Object(
        {
            "card_number": CARD_NUMBER,
            "profile": Text(64),
            "pins": Object(optional=dict.fromkeys(UnblockAttempt.Pin.values, TRIES)),
            "puk_tries_left": TRIES,
        }
    )
)
def card_read(request: StationRequest, station: Station, operator: User, data: Payload) -> Payload:
    pins = {role: data["pins"].get(role) for role in UnblockAttempt.Pin.values}
    card = services.card_read(
        station,
        operator,
        card_number=data["card_number"],
        profile=data["profile"],
        pins=pins,
        puk_tries_left=data["puk_tries_left"],
    )
    if card is None:
        return {"known": False}
    return {
        "known": True,
        "holder": card.holder.full_name,
        "card_type": card.card_type.name,
        "status": card.get_status_display(),
        "active": card.status == card.Status.ACTIVE and not card.is_expired,
        "valid_to": card.valid_to.isoformat(),
        "orders": [
            {
                "id": order.pk,
                "reference": order.reference,
                "state": order.get_state_display(),
                "card": order.card.masked_number,
                "closable": services.can_close_at_desk(order),
            }
            for order in services.open_orders_of_holder(card)
        ],
    }


@station_api(Object({"card_number": CARD_NUMBER, "id_document": Text(20, choices=IdDocument.values)}))
def id_check(request: StationRequest, station: Station, operator: User, data: Payload) -> Payload:
    visit = services.record_id_check(
        station, operator, card_number=data["card_number"], id_document=data["id_document"]
    )
    return {"visit": visit.pk, "id_document": visit.get_id_document_display()}


@station_api(
    Object(
        {
            "visit": VISIT,
            "card_number": CARD_NUMBER,
            "pin": PIN_ROLE,
            "assisted": Bool(),
            "puk_tries_left": TRIES,
        },
        {"second_operator": Object({"username": USERNAME, "password": PASSWORD}, nullable=True)},
    )
)
def start_unblock(request: StationRequest, station: Station, operator: User, data: Payload) -> Payload:
    second = data.get("second_operator")
    attempt = services.start_unblock(
        station,
        operator,
        visit_id=data["visit"],
        card_number=data["card_number"],
        pin=data["pin"],
        assisted=data["assisted"],
        puk_tries_left=data["puk_tries_left"],
        second_operator=(second["username"], second["password"]) if second else None,
        request=request,
    )
    ticket = getattr(attempt, "ticket", None) if attempt.assisted else None
    return {"attempt": attempt.pk, "ticket": str(ticket.pk) if ticket else None}


@station_api(Object({"card_number": CARD_NUMBER}))
def redeem_ticket(
    request: StationRequest, station: Station, operator: User, data: Payload, ticket: uuid.UUID
) -> Payload:
    puk = services.redeem_ticket(station, operator, ticket_id=ticket, card_number=data["card_number"])
    return {"puk": puk.block(None, 0).decode("ascii")}


@station_api(Object({"result": OUTCOME}, {"tries_left": TRIES}))
def unblock_outcome(request: StationRequest, station: Station, operator: User, data: Payload, pk: int) -> Payload:
    attempt = services.record_outcome(
        station, operator, attempt_id=pk, result=data["result"], tries_left=data.get("tries_left")
    )
    return {"attempt": attempt.pk}


@station_api(
    Object(
        {
            "card_number": CARD_NUMBER,
            "refusal": Text(40, choices=[refusal.value for refusal in rules.DeskRefusal]),
            "pin": PIN_ROLE,
        },
        {"assisted": Bool(nullable=True)},
    )
)
def desk_refusal(request: StationRequest, station: Station, operator: User, data: Payload) -> Payload:
    services.record_desk_refusal(
        station,
        operator,
        card_number=data["card_number"],
        refusal=rules.DeskRefusal(data["refusal"]),
        pin=data["pin"],
        assisted=data.get("assisted") is True,
    )
    return {}


@station_api(Object({"card_number": CARD_NUMBER, "pin": PIN_ROLE, "result": OUTCOME}, {"tries_left": TRIES}))
def pin_change(request: StationRequest, station: Station, operator: User, data: Payload) -> Payload:
    services.record_pin_change(
        station,
        operator,
        card_number=data["card_number"],
        pin=data["pin"],
        result=data["result"],
        tries_left=data.get("tries_left"),
    )
    return {}


@station_api(Object({"visit": VISIT, "card_number": CARD_NUMBER}))
def close_order(request: StationRequest, station: Station, operator: User, data: Payload, pk: int) -> Payload:
    order = services.close_order_at_desk(
        station, operator, visit_id=data["visit"], card_number=data["card_number"], order_id=pk
    )
    return {"order": order.pk, "state": order.get_state_display()}


@station_api(health.REPORT, needs_operator=False, health_header=False)
def heartbeat(request: StationRequest, station: Station, _operator: User | None, data: Payload) -> Payload:
    """The agent's heartbeat: its health, with the station's credential and no operator."""
    health.record(station, health.Report.of(data))
    return {}
