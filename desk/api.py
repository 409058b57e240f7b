"""The JSON API the station software (cards.agent) calls; nothing else may.

Every call carries the station's credential; all but the login also the operator's
token. No session, no cookie, so no CSRF: a browser holds neither. The PUK leaves the
server only in the body of a ticket redemption, marked no-store.
"""

import json
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeAlias

from django.db import models
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from organisation.models import User

from . import rules, services
from .credentials import session_for, station_for
from .models import DeskSession, IdDocument, Outcome, Station, UnblockAttempt

DENIED = {"error": "denied", "message": "Kortstationen eller operatören är inte behörig."}

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


def station_api(needs_operator: bool = True) -> Callable[[StationView], Callable[..., HttpResponse]]:
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
                data = json.loads(request.body or b"{}")
            except ValueError:
                return _answer({"error": "bad_request", "message": "JSON"}, 400)
            if not isinstance(data, dict):
                return _answer({"error": "bad_request", "message": "JSON"}, 400)
            try:
                return _answer(view(request, station, operator, data, **kwargs))
            except services.StationRefused as refused:
                return _answer(
                    {"error": refused.code, "message": refused.message}, 403 if refused.code == "login" else 409
                )
            except (KeyError, TypeError, ValueError):
                return _answer({"error": "bad_request", "message": "Felaktig förfrågan."}, 400)

        return wrapped

    return decorate


def _text(data: Payload, key: str, limit: int = 64) -> str:
    value = data[key]
    if not isinstance(value, str) or len(value) > limit:
        raise ValueError(key)
    return value


def _tries(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError("tries")
    return value


def _choice(data: Payload, key: str, choices: type[models.Choices]) -> str:
    value = _text(data, key)
    if value not in choices.values:
        raise ValueError(key)
    return value


@station_api(needs_operator=False)
def login(request: StationRequest, station: Station, _operator: User | None, data: Payload) -> Payload:
    user, token = services.log_in(station, _text(data, "username", 150), _text(data, "password", 200), request)
    return {
        "token": token,
        "operator": user.get_full_name() or user.get_username(),
        "station": station.name,
        "location": station.location,
    }


@station_api()
def logout(request: StationRequest, station: Station, operator: User, data: Payload) -> Payload:
    services.log_out(station, operator, request.desk_session)
    return {}


@station_api()
def card_read(request: StationRequest, station: Station, operator: User, data: Payload) -> Payload:
    pins = {role: _tries(data["pins"].get(role)) for role in UnblockAttempt.Pin.values}
    card = services.card_read(
        station,
        operator,
        card_number=_text(data, "card_number"),
        profile=_text(data, "profile"),
        pins=pins,
        puk_tries_left=_tries(data["puk_tries_left"]),
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


@station_api()
def id_check(request: StationRequest, station: Station, operator: User, data: Payload) -> Payload:
    visit = services.record_id_check(
        station, operator, card_number=_text(data, "card_number"), id_document=_choice(data, "id_document", IdDocument)
    )
    return {"visit": visit.pk, "id_document": visit.get_id_document_display()}


@station_api()
def start_unblock(request: StationRequest, station: Station, operator: User, data: Payload) -> Payload:
    second = data.get("second_operator") or {}
    attempt = services.start_unblock(
        station,
        operator,
        visit_id=data["visit"],
        card_number=_text(data, "card_number"),
        pin=_choice(data, "pin", UnblockAttempt.Pin),
        assisted=data["assisted"] is True,
        puk_tries_left=_tries(data["puk_tries_left"]),
        second_operator=(_text(second, "username", 150), _text(second, "password", 200)) if second else None,
    )
    ticket = getattr(attempt, "ticket", None) if attempt.assisted else None
    return {"attempt": attempt.pk, "ticket": str(ticket.pk) if ticket else None}


@station_api()
def redeem_ticket(
    request: StationRequest, station: Station, operator: User, data: Payload, ticket: uuid.UUID
) -> Payload:
    puk = services.redeem_ticket(station, operator, ticket_id=ticket, card_number=_text(data, "card_number"))
    return {"puk": puk.block(None, 0).decode("ascii")}


@station_api()
def unblock_outcome(request: StationRequest, station: Station, operator: User, data: Payload, pk: int) -> Payload:
    attempt = services.record_outcome(
        station,
        operator,
        attempt_id=pk,
        result=_choice(data, "result", Outcome),
        tries_left=_tries(data.get("tries_left")),
    )
    return {"attempt": attempt.pk}


@station_api()
def desk_refusal(request: StationRequest, station: Station, operator: User, data: Payload) -> Payload:
    services.record_desk_refusal(
        station,
        operator,
        card_number=_text(data, "card_number"),
        refusal=rules.DeskRefusal(_text(data, "refusal")),
        pin=_choice(data, "pin", UnblockAttempt.Pin),
        assisted=data.get("assisted") is True,
    )
    return {}


@station_api()
def pin_change(request: StationRequest, station: Station, operator: User, data: Payload) -> Payload:
    services.record_pin_change(
        station,
        operator,
        card_number=_text(data, "card_number"),
        pin=_choice(data, "pin", UnblockAttempt.Pin),
        result=_choice(data, "result", Outcome),
        tries_left=_tries(data.get("tries_left")),
    )
    return {}


@station_api()
def close_order(request: StationRequest, station: Station, operator: User, data: Payload, pk: int) -> Payload:
    order = services.close_order_at_desk(
        station, operator, visit_id=data["visit"], card_number=_text(data, "card_number"), order_id=pk
    )
    return {"order": order.pk, "state": order.get_state_display()}
