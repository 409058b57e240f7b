"""What a card station may do, checked and recorded on the server.

The API views call these with the station (from its credential) and the operator (from
the token) already established. Every act, and every refusal, is an audit event
carrying the station's name; never a code value, never an ID document's number.
"""

import hmac
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import record
from cards.models import Card
from cards.puk_store import PukUnavailable, get_puk_store
from cards.reader.codes import Code
from orders import services as order_services
from orders.models import PukOrder
from orders.states import BEFORE_POSTING, OPEN_STATES
from orders.transitions import OrderRefused
from organisation import login_lockout
from organisation.models import User
from rsportal.queueing import enqueue_on_commit
from sso.assurance import Assurance
from sso.enforcement import required_level

from . import login_codes, rules
from .credentials import end_session, may_operate, start_session
from .models import DeskSession, DeskVisit, PukTicket, Station, StationOperator, UnblockAttempt

if TYPE_CHECKING:  # what gettext_lazy gives, named in django-stubs only
    from django.utils.functional import _StrPromise


class StationRefused(Exception):
    """Refused; `code` for the station software, `message` in words for the operator."""

    def __init__(self, code: str, message: "str | _StrPromise") -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _act(action: AuditAction, obj: Model, station: Station, operator: User, **data: Any) -> AuditEvent:
    return record(action, obj, actor=operator, station=station.name, station_id=station.pk, **data)


PASSWORD_LOGIN_OFF = gettext_lazy(
    "Inloggning med lösenord är avstängd vid kortstationen. Använd ”Logga in med Region Skånes inloggning”."
)
LOGIN_AGAIN = gettext_lazy("Inloggningen gick inte att slutföra. Logga in igen.")
NOT_AN_OPERATOR_HERE = gettext_lazy("Du har inte behörighet att arbeta vid den här kortstationen.")
CALLBACK_NOT_ALLOWED = gettext_lazy(
    "RS-portal skickar inloggningen bara till kortstationens program på den här datorn, och adressen i "
    "begäran är en annan. Starta inloggningen från kortstationens sida."
)
UNKNOWN_STATION = gettext_lazy(
    "Kortstationen finns inte eller är inte i bruk. Starta inloggningen från kortstationens sida."
)
# Why a one-time login code is refused (its audited `refusal`), in the operator's words.
CODE_REFUSALS: dict[str, "str | _StrPromise"] = {
    "code_unreadable": LOGIN_AGAIN,
    "code_other_state": LOGIN_AGAIN,
    "code_expired": gettext_lazy("Inloggningen tog för lång tid att slutföra. Logga in igen."),
    "code_used": gettext_lazy("Inloggningen är redan använd. Logga in igen."),
    "code_other_station": gettext_lazy(
        "Inloggningen gällde en annan kortstation. Logga in igen från den här kortstationens sida."
    ),
    "not_operator": NOT_AN_OPERATOR_HERE,
}


def password_assurance() -> Assurance:
    """How a password login counts (sso: RSPORTAL_PASSWORD_LEVEL)."""
    return Assurance(protocol="password", method="password", level=settings.RSPORTAL_PASSWORD_LEVEL, context="")


def _login_refused(station: Station, refusal: str, username: str = "", **data: Any) -> None:
    record(
        AuditAction.DESK_LOGIN_REFUSED,
        station,
        station=station.name,
        station_id=station.pk,
        username=username[:150],
        refusal=refusal,
        **data,
    )


def log_in(station: Station, username: str, password: str, request: HttpRequest) -> tuple[User, str]:
    """The request goes to `authenticate`, whose login throttle (django-axes) counts the
    failures by username and by address; a locked-out login is refused whatever the password.
    Only where the settings allow every password login (RSPORTAL_PASSWORD_LOGIN "all") and
    a password's level is enough for the desk; else no password is even looked at."""
    if settings.RSPORTAL_PASSWORD_LOGIN != "all" or required_level("desk") > settings.RSPORTAL_PASSWORD_LEVEL:
        _login_refused(station, "password_login_off", username)
        raise StationRefused("login_password_off", PASSWORD_LOGIN_OFF)
    user = authenticate(request, username=username, password=password)
    if user is None or not may_operate(user, station):
        locked = login_lockout.is_locked_out(request)
        _login_refused(station, "locked_out" if locked else "password", username, locked_out=locked)
        if locked:
            raise StationRefused("locked_out", login_lockout.lockout_message())
        raise StationRefused(
            "login", _("Fel användarnamn eller lösenord, eller så saknar du behörighet vid den här kortstationen.")
        )
    assurance = password_assurance()
    _act(AuditAction.DESK_LOGIN, station, station, user, inloggning=assurance.as_audit())
    return user, start_session(user, station, assurance)


def login_request(station: Station, callback: str, state: str) -> str:
    """Where the station software sends the desk PC's browser to log the operator in
    (desk.station_login): this station, its callback and its state, in RS-portal's URL."""
    if not rules.agent_callback_allowed(callback, settings.RSPORTAL_DESK_AGENT_URL):
        _login_refused(station, "callback_not_allowed")
        raise StationRefused("login_callback", CALLBACK_NOT_ALLOWED)
    if not rules.state_ok(state):
        _login_refused(station, "bad_state")
        raise StationRefused("login_state", LOGIN_AGAIN)
    query = urlencode({"station": station.pk, "callback": callback, "state": state})
    return f"{reverse('desk:station_login')}?{query}"


def issue_login_code(user: User, *, station_id: str, callback: str, state: str, assurance: Assurance) -> str:
    """The URL that takes `user`'s browser back to the station software with
    a one-time login code: only to a station software's address, only for an operator of
    the station. Every refusal recorded (actor: the user logged in to RS-portal)."""
    station = Station.objects.filter(pk=int(station_id), active=True).first() if station_id.isdigit() else None
    facts = {"station_asked": station_id[:40], "callback": callback[:300]}
    refusal: tuple[str, str | _StrPromise] | None = None
    if not rules.agent_callback_allowed(callback, settings.RSPORTAL_DESK_AGENT_URL):
        refusal = ("callback_not_allowed", CALLBACK_NOT_ALLOWED)
    elif not rules.state_ok(state):
        refusal = ("bad_state", LOGIN_AGAIN)
    elif station is None:
        refusal = ("unknown_station", UNKNOWN_STATION)
    elif not may_operate(user, station):
        refusal = ("not_operator", NOT_AN_OPERATOR_HERE)
    if refusal is not None:
        record(AuditAction.DESK_LOGIN_REFUSED, station or user, actor=user, username=user.get_username(),
               refusal=refusal[0], inloggning=assurance.as_audit(), **facts)  # fmt: skip
        raise StationRefused(f"login_{refusal[0]}", refusal[1])
    assert station is not None  # refused above when None
    code = login_codes.issue(user.pk, station.pk, state, assurance)
    return rules.with_login_code(callback, code, state)


def log_in_with_code(station: Station, code: str, state: str) -> tuple[User, str]:
    """The operator's login at `station` from a one-time login code (desk.login_codes) that
    RS-portal gave the browser on the desk PC: signed here, at most a minute old, spent once,
    for this station (the credential's) and this state, for a user still an operator here."""
    try:
        login = login_codes.read(code)
    except login_codes.Expired:
        return _code_refused(station, "code_expired")
    except login_codes.Unreadable:
        return _code_refused(station, "code_unreadable")
    user = get_user_model().objects.filter(pk=login.user_id).first()
    username = user.get_username() if user else ""
    if login.station_id != station.pk:
        return _code_refused(station, "code_other_station", username, station_in_code=login.station_id)
    if not hmac.compare_digest(login.state.encode(), state.encode()):
        return _code_refused(station, "code_other_state", username)
    if user is None or not may_operate(user, station):
        return _code_refused(station, "not_operator", username)
    try:
        with transaction.atomic():
            token = start_session(user, station, login.assurance, login.once)
    except IntegrityError:  # the code's `once` is on a login already
        return _code_refused(station, "code_used", username)
    _act(AuditAction.DESK_LOGIN, station, station, user, inloggning=login.assurance.as_audit(), by_code=True)
    return user, token


def _code_refused(station: Station, refusal: str, username: str = "", **data: Any) -> NoReturn:
    _login_refused(station, refusal, username, **data)
    raise StationRefused(f"login_{refusal}", CODE_REFUSALS[refusal])


def log_out(station: Station, operator: User, session: DeskSession | None) -> None:
    if session is None:  # station_api hands an operator's view the session the operator came with
        raise RuntimeError("logging out needs the operator's session")
    end_session(session)
    _act(AuditAction.DESK_LOGOUT, station, station, operator)


def card_read(
    station: Station,
    operator: User,
    *,
    card_number: str,
    profile: str,
    pins: dict[str, int | None],
    puk_tries_left: int | None,
) -> Card | None:
    """The station read a card: record it and say what the registry knows of it."""
    card = Card.objects.select_related("holder", "card_type").filter(card_number=card_number).first()
    _act(
        AuditAction.DESK_CARD_READ,
        card or station,
        station,
        operator,
        card_number=card_number,
        profile=profile,
        pin_tries_left=pins,
        puk_tries_left=puk_tries_left,
        known=card is not None,
    )
    return card


def open_orders_of_holder(card: Card) -> QuerySet[PukOrder]:
    return PukOrder.objects.filter(holder=card.holder, state__in=OPEN_STATES).select_related("card")


def can_close_at_desk(order: PukOrder) -> bool:
    return order.state in BEFORE_POSTING


def record_id_check(station: Station, operator: User, *, card_number: str, id_document: str) -> DeskVisit:
    card = _registered_card(station, operator, card_number)
    visit = DeskVisit.objects.create(station=station, operator=operator, card=card, id_document=id_document)
    _act(AuditAction.DESK_ID_CHECKED, visit, station, operator, card_number=card_number, id_document=id_document)
    return visit


def _registered_card(station: Station, operator: User, card_number: str) -> Card:
    card = Card.objects.select_related("holder").filter(card_number=card_number).first()
    if card is None:
        _act(AuditAction.DESK_REFUSED, station, station, operator, card_number=card_number, refusal="unknown_card")
        raise StationRefused("unknown_card", _("Kortet finns inte i kortregistret."))
    return card


def current_visit(station: Station, operator: User, visit_id: int | None, card_number: str) -> DeskVisit:
    """The visit in which this holder's ID was checked, at this station by this operator."""
    visit = (
        DeskVisit.objects.select_related("card__holder")
        .filter(pk=visit_id or 0, station=station, operator=operator, card__card_number=card_number)
        .first()
    )
    if visit is None or not rules.visit_is_current(
        visit.started_at, timezone.now(), settings.RSPORTAL_DESK_VISIT_MINUTES
    ):
        _act(AuditAction.DESK_REFUSED, station, station, operator, card_number=card_number, refusal="no_id_check")
        raise StationRefused("no_id_check", _("Gör ID-kontrollen av kortinnehavaren först."))
    return visit


def start_unblock(
    station: Station,
    operator: User,
    *,
    visit_id: int | None,
    card_number: str,
    pin: str,
    assisted: bool,
    puk_tries_left: int | None,
    second_operator: tuple[str, str] | None = None,
    request: HttpRequest,
) -> UnblockAttempt:
    """Allow one unblock before any PUK is sent; for an assisted one, issue the ticket.

    `second_operator` is (username, password) when the PUK has two tries or fewer left;
    the request goes with it to `authenticate`, whose login throttle counts its failures."""
    visit = current_visit(station, operator, visit_id, card_number)
    confirmer = _second_operator(request, station, operator, visit, puk_tries_left, second_operator)
    attempt: UnblockAttempt | None
    with transaction.atomic():
        if assisted and _hourly_limit_reached(station, operator, visit):
            attempt = None  # the refusal and the alert are recorded: commit them, then say no
        else:
            attempt = _allow_unblock(station, operator, visit, pin, assisted, puk_tries_left, confirmer)
    if attempt is None:
        raise StationRefused(
            "limit", _("Gränsen för assisterade upplåsningar per timme är nådd. En administratör har fått besked.")
        )
    return attempt


def _allow_unblock(
    station: Station,
    operator: User,
    visit: DeskVisit,
    pin: str,
    assisted: bool,
    puk_tries_left: int | None,
    confirmer: User | None,
) -> UnblockAttempt:
    card_number = visit.card.card_number
    attempt = UnblockAttempt.objects.create(
        visit=visit, pin=pin, assisted=assisted, puk_tries_before=puk_tries_left, second_operator=confirmer
    )
    _act(
        AuditAction.DESK_UNBLOCK_STARTED,
        attempt,
        station,
        operator,
        card_number=card_number,
        pin_role=pin,
        assisted=assisted,
        puk_tries_left=puk_tries_left,
        second_operator=confirmer.get_username() if confirmer else "",
    )
    if assisted:
        lifetime = rules.ticket_lifetime(settings.RSPORTAL_PUK_TICKET_SECONDS)
        PukTicket.objects.create(
            attempt=attempt, card=visit.card, operator=operator, station=station, expires_at=timezone.now() + lifetime
        )
        _act(
            AuditAction.DESK_TICKET_ISSUED,
            attempt.ticket,
            station,
            operator,
            card_number=card_number,
            expires_in_seconds=int(lifetime.total_seconds()),
        )
    return attempt


def _second_operator(
    request: HttpRequest,
    station: Station,
    operator: User,
    visit: DeskVisit,
    puk_tries_left: int | None,
    credentials: tuple[str, str] | None,
) -> User | None:
    if not rules.needs_second_operator(puk_tries_left):
        return None
    username, password = credentials or ("", "")
    confirmer = authenticate(request, username=username, password=password) if username else None
    if confirmer is None or confirmer.pk == operator.pk or not may_operate(confirmer, station):
        locked = confirmer is None and login_lockout.is_locked_out(request)
        _act(
            AuditAction.DESK_REFUSED,
            visit,
            station,
            operator,
            card_number=visit.card.card_number,
            refusal="second_operator",
            second_operator_locked_out=locked,
            puk_tries_left=puk_tries_left,
        )
        if locked:
            raise StationRefused("locked_out", login_lockout.lockout_message())
        if confirmer is not None and confirmer.pk == operator.pk:
            raise StationRefused(
                "second_operator",
                _(
                    "Du kan inte bekräfta din egen upplåsning. Det ska vara en annan operatör vid den här "
                    "kortstationen som bekräftar med sin inloggning."
                ),
            )
        raise StationRefused(
            "second_operator",
            _(
                "PUK-koden har två försök kvar eller färre: en annan operatör vid stationen ska bekräfta "
                "med sin inloggning."
            ),
        )
    _act(
        AuditAction.DESK_SECOND_OPERATOR_CONFIRMED,
        visit,
        station,
        operator,
        second_operator=confirmer.get_username(),
        puk_tries_left=puk_tries_left,
    )
    return confirmer


def _hourly_limit_reached(station: Station, operator: User, visit: DeskVisit) -> bool:
    """Whether the operator has had this hour's assisted unblocks (recorded, and the
    administrators told once an hour). Holds the operator's row locked until the caller's
    transaction ends, so requests at once are counted one after the other."""
    get_user_model().objects.select_for_update().filter(pk=operator.pk).values_list("pk").get()
    limit = settings.RSPORTAL_ASSISTED_UNBLOCKS_PER_HOUR
    hour_ago = timezone.now() - timedelta(hours=1)
    if PukTicket.objects.filter(operator=operator, issued_at__gte=hour_ago).count() < limit:
        return False
    _act(AuditAction.DESK_LIMIT_REACHED, visit, station, operator, card_number=visit.card.card_number, limit=limit)
    already_told = AuditEvent.objects.for_object(operator).filter(
        action=AuditAction.DESK_LIMIT_ALERTED, at__gte=hour_ago
    )
    if not already_told.exists():
        _act(AuditAction.DESK_LIMIT_ALERTED, operator, station, operator, limit=limit)
        enqueue_on_commit("desk.tasks.alert_assisted_unblock_limit", operator.pk, station.pk)
    return True


def redeem_ticket(station: Station, operator: User, *, ticket_id: uuid.UUID | None, card_number: str) -> Code:
    """The card's PUK, once, to the station that holds the ticket; every refusal recorded."""
    now = timezone.now()
    ticket = PukTicket.objects.select_related("card").filter(pk=ticket_id).first() if ticket_id else None
    facts = (
        None
        if ticket is None
        else rules.TicketFacts(
            ticket.card.card_number,
            ticket.operator_id,
            ticket.station_id,
            ticket.expires_at,
            ticket.used_at is not None,
        )
    )
    refusal = rules.ticket_refusal(
        facts, now=now, card_number=card_number, operator_id=operator.pk, station_id=station.pk
    )
    if (
        refusal is None
        and ticket is not None  # always so: ticket_refusal refuses a missing ticket
        and not PukTicket.objects.filter(pk=ticket.pk, used_at__isnull=True).update(used_at=now)
    ):
        refusal = rules.TicketRefusal.USED  # another redemption won the race
    if refusal is not None:
        action = (
            AuditAction.DESK_TICKET_EXPIRED
            if refusal is rules.TicketRefusal.EXPIRED
            else AuditAction.DESK_TICKET_REFUSED
        )
        _act(action, ticket or station, station, operator, card_number=card_number, refusal=refusal.value)
        raise StationRefused(
            f"ticket_{refusal.value}", _("Biljetten till PUK-koden gäller inte. Börja om upplåsningen.")
        )
    if ticket is None:  # ticket_refusal refuses a missing ticket (UNKNOWN), so never here
        raise RuntimeError("a missing PUK ticket was not refused")
    try:
        puk = get_puk_store().puk_for(ticket.card)
    except PukUnavailable:
        _act(AuditAction.DESK_TICKET_REFUSED, ticket, station, operator, card_number=card_number, refusal="no_puk")
        raise StationRefused("no_puk", _("PUK-koden för kortet finns inte i PUK-förrådet.")) from None
    _act(AuditAction.DESK_TICKET_USED, ticket, station, operator, card_number=card_number)
    return puk


def record_lapsed_tickets(now: datetime | None = None) -> int:
    """Record each ticket that expired unused, once: a ticket issued and never redeemed
    (the card pulled, the holder gone) is an act worth seeing in the audit trail too."""
    now = now or timezone.now()
    lapsed = PukTicket.objects.filter(used_at__isnull=True, lapse_recorded_at__isnull=True, expires_at__lt=now)
    recorded = 0
    for ticket in lapsed.select_related("station", "operator", "card")[:1000]:
        with transaction.atomic():
            # The conditional update makes a concurrent run record each ticket only once.
            if PukTicket.objects.filter(pk=ticket.pk, lapse_recorded_at__isnull=True).update(lapse_recorded_at=now):
                _act(AuditAction.DESK_TICKET_EXPIRED, ticket, ticket.station, ticket.operator,
                     card_number=ticket.card.card_number, refusal="never_used")  # fmt: skip
                recorded += 1
    return recorded


def end_expired_operator_rights(now: datetime | None = None) -> int:
    """Beat's, every minute: record each operator right at a station whose period has ended
    (RIGHT_ENDED), once per end, and end the operator's open logins at that station. The
    station API refused them already (may_operate asks for the period on every call); this
    closes the sessions and leaves the end in the audit trail. Returns how many ended now."""
    now = now or timezone.now()
    recorded = 0
    for right in StationOperator.objects.ended_unrecorded(now).select_related("station", "user"):
        with transaction.atomic():
            # The conditional update makes a concurrent run record each end only once.
            unrecorded = StationOperator.objects.ended_unrecorded(now).filter(pk=right.pk)
            if not unrecorded.update(recorded_end=right.valid_until):
                continue
            sessions = DeskSession.objects.filter(station=right.station, operator=right.user, ended_at__isnull=True)
            closed = sessions.update(ended_at=now)
            assert right.valid_until is not None  # an ended right has an end
            record(
                AuditAction.RIGHT_ENDED,
                right,
                user_id=right.user_id,
                username=right.user.get_username(),
                station=right.station.name,
                station_id=right.station_id,
                valid_until=right.valid_until.isoformat(),
                sessions_ended=closed,
            )
            recorded += 1
    return recorded


def end_operator_rights_of(user: User, *, reason: str, now: datetime | None = None) -> int:
    """End every station right of `user` not yet ended, now (a person who left,
    registers.acts): its end is set and recorded (RIGHT_WITHDRAWN, with the reason) and the
    user's open logins at that station end. A right still to begin goes. Returns how many."""
    now = now or timezone.now()
    ended = 0
    for right in StationOperator.objects.not_ended(now).filter(user=user).select_related("station", "user"):
        with transaction.atomic():
            data = {"user_id": right.user_id, "username": right.user.get_username(), "station": right.station.name}
            if right.valid_from is not None and right.valid_from >= now:
                record(AuditAction.RIGHT_WITHDRAWN, right, reason=reason, station_id=right.station_id, **data)
                right.delete()
            else:
                right.valid_until = right.recorded_end = now
                right.save(update_fields=["valid_until", "recorded_end"])
                sessions = DeskSession.objects.filter(station=right.station, operator=user, ended_at__isnull=True)
                closed = sessions.update(ended_at=now)
                record(AuditAction.RIGHT_WITHDRAWN, right, reason=reason, station_id=right.station_id,
                       valid_until=now.isoformat(), sessions_ended=closed, **data)  # fmt: skip
            ended += 1
    return ended


def record_outcome(
    station: Station, operator: User, *, attempt_id: int | None, result: str, tries_left: int | None
) -> UnblockAttempt:
    attempt = (
        UnblockAttempt.objects.select_related("visit__card")
        .filter(pk=attempt_id or 0, visit__station=station, visit__operator=operator, finished_at__isnull=True)
        .first()
    )
    if attempt is None:
        raise StationRefused("unknown_attempt", _("Upplåsningen är okänd eller redan avslutad."))
    attempt.result, attempt.tries_left_after, attempt.finished_at = result, tries_left, timezone.now()
    attempt.save(update_fields=["result", "tries_left_after", "finished_at"])
    _act(
        AuditAction.DESK_UNBLOCK_OUTCOME,
        attempt,
        station,
        operator,
        card_number=attempt.visit.card.card_number,
        pin_role=attempt.pin,
        assisted=attempt.assisted,
        result=attempt.result,
        tries_left=tries_left,
    )
    return attempt


def record_desk_refusal(
    station: Station, operator: User, *, card_number: str, refusal: rules.DeskRefusal, pin: str, assisted: bool
) -> None:
    """An unblock the station software refused on its own (rules.DeskRefusal)."""
    card = Card.objects.filter(card_number=card_number).first()
    _act(
        AuditAction.DESK_REFUSED,
        card or station,
        station,
        operator,
        card_number=card_number,
        refusal=refusal.value,
        pin_role=pin,
        assisted=assisted,
        refused_by="station",
    )


def record_pin_change(
    station: Station, operator: User, *, card_number: str, pin: str, result: str, tries_left: int | None
) -> None:
    card = Card.objects.filter(card_number=card_number).first()
    _act(
        AuditAction.DESK_PIN_CHANGED,
        card or station,
        station,
        operator,
        card_number=card_number,
        pin_role=pin,
        result=result,
        tries_left=tries_left,
    )


def close_order_at_desk(
    station: Station, operator: User, *, visit_id: int | None, card_number: str, order_id: int | None
) -> PukOrder:
    """Close the holder's open order as handled here, so no letter is sent needlessly."""
    visit = current_visit(station, operator, visit_id, card_number)
    order = PukOrder.objects.filter(pk=order_id or 0, holder=visit.card.holder).first()
    if order is None or not can_close_at_desk(order):
        raise StationRefused(
            "order", _("Beställningen kan inte stängas här: kodbrevet är redan på väg eller ärendet är avslutat.")
        )
    try:
        return order_services.close_order_handled_at_desk(order=order, by=operator, station_name=station.name)
    except OrderRefused as refused:
        raise StationRefused("order", refused.message) from None
