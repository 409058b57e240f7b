"""Everything RS-portal holds about one person, read into one plain dict (the register
extract's content, which `as_json` and `as_pdf` render).

What is never in it: a PIN or a PUK (no row holds one in clear; the PUK store's encrypted
PUK is named, not read), a code letter's PDF file (never read), an address (none is
stored: the register is asked when a letter is made), a PUK ticket's id (with a station's
credential it would fetch the PUK), and other people's records: of the audit events the
person took part in as the actor (a contact person's decisions, an operator's desk acts),
only what they did, when and to which record is given, not that record's content.
"""

from datetime import date, datetime
from typing import Any

from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.models import AuditEvent
from cards.models import Card, PukRecord
from desk.models import DeskSession, DeskVisit, PukTicket, StationOperator, UnblockAttempt
from orders.models import Letter, Notification, PrintHouseEvent, PukOrder, order_reference
from orders.rules import SECOND_APPROVAL_REASONS
from organisation.models import ContactPersonAssignment, Employee, User
from organisation.population_register import AddressStatus

FORMAT = "rsportal-registerutdrag/1"

Record = dict[str, Any]


def register_extract(employee: Employee, *, produced_by: User, at: datetime | None = None) -> Record:
    """The register extract of `employee`: their data, cards, orders with letters and
    notices, desk visits with unblocks, rights, and the audit events about them."""
    moment = at or timezone.now()
    user = employee.user
    cards = list(Card.objects.filter(holder=employee).select_related("card_type").order_by("pk"))
    orders = list(
        PukOrder.objects.filter(holder=employee)
        .select_related("card", "forvaltning", "placed_by", "first_approved_by", "decided_by")
        .order_by("created_at", "pk")
    )
    visits = list(
        DeskVisit.objects.filter(card__holder=employee).select_related("station", "operator", "card").order_by("pk")
    )
    assignments: list[ContactPersonAssignment] = []
    station_rights: list[StationOperator] = []
    if user is not None:
        assignments = list(
            ContactPersonAssignment.objects.filter(user=user).select_related("forvaltning").order_by("pk")
        )
        station_rights = list(StationOperator.objects.filter(user=user).select_related("station").order_by("pk"))
    return {
        "format": FORMAT,
        "produced_at": _moment(moment),
        "produced_by": _name(produced_by),
        "about": [
            _(
                "Registerutdraget visar allt RS-portalen har sparat om personen, enligt artikel 15 i "
                "dataskyddsförordningen."
            ),
            _(
                "RS-portalen sparar ingen adress. Folkbokföringsadressen hämtas ur folkbokföringen när ett "
                "kodbrev skapas och sparas inte; för en person med skyddade personuppgifter hämtas den aldrig."
            ),
            _(
                "PIN- och PUK-koder ingår aldrig: PUK-koden finns bara krypterad och lämnas ut endast i kodbrevet. "
                "Kodbreven själva (PDF-filerna) ingår inte; de raderas när tryckeriet har tagit emot dem."
            ),
        ],
        "person": _person(employee),
        "login": _login(user) if user else None,
        "cards": [_card(card, has_puk) for card, has_puk in _with_puk_held(cards)],
        "orders": [_order(order) for order in orders],
        "desk_visits": _visits(visits),
        "contact_person_assignments": [_assignment(assignment, moment) for assignment in assignments],
        "station_rights": [_station_right(right, moment) for right in station_rights],
        "desk_sessions": _desk_sessions(user) if user else [],
        "audit_events": _audit_events(employee, cards, orders, visits, assignments, station_rights),
    }


def _person(employee: Employee) -> Record:
    return {
        "personnummer": employee.personnummer,
        "hsa_id": employee.hsa_id,
        "first_name": employee.first_name,
        "last_name": employee.last_name,
        "work_email": employee.work_email,
        "forvaltning": employee.forvaltning.name,
    }


def _login(user: User) -> Record:
    return {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "active": user.is_active,
        "administrator": user.is_staff,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "joined": _moment(user.date_joined),
        "last_login": _moment(user.last_login),
    }


def _with_puk_held(cards: list[Card]) -> list[tuple[Card, bool]]:
    held = set(PukRecord.objects.filter(card__in=cards).values_list("card_id", flat=True))
    return [(card, card.pk in held) for card in cards]


def _card(card: Card, puk_held: bool) -> Record:
    return {
        "card_number": card.card_number,
        "card_type": card.card_type.name,
        "status": card.get_status_display(),
        "valid_from": _day(card.valid_from),
        "valid_to": _day(card.valid_to),
        "puk_code": _("lagras krypterad; ingår inte i utdraget") if puk_held else _("lagras inte"),
    }


def _order(order: PukOrder) -> Record:
    protected = order.address_status == AddressStatus.PROTECTED
    letters = list(Letter.objects.filter(order=order).order_by("generation"))
    events = PrintHouseEvent.objects.filter(letter__in=letters).order_by("received_at", "pk")
    print_house: dict[int, list[Record]] = {}
    for event in events:
        print_house.setdefault(event.letter_id, []).append(
            {"status": event.status, "received_at": _moment(event.received_at)}
        )
    return {
        "reference": order.reference,
        "card_number": order.card.card_number,
        "forvaltning": order.forvaltning.name,
        "state": order.get_state_display(),
        "reason": order.get_reason_display(),
        "reason_text": order.reason_text,
        "blocked_codes": order.get_blocked_codes_display(),
        # A protected person's address is never looked at; all the order says is that.
        "address": _("skyddad adress") if protected else order.get_address_status_display(),
        "address_registered_since": None if protected else _day(order.address_registered_since),
        "placed_by": _name(order.placed_by),
        "placed_at": _moment(order.created_at),
        "needs_second_approval": order.needs_second_approval,
        "second_approval_reasons": [
            str(SECOND_APPROVAL_REASONS.get(key, key)) for key in order.second_approval_reasons
        ],
        "central_queue": order.central_queue,
        "first_approved_by": _name(order.first_approved_by),
        "decided_by": _name(order.decided_by),
        "decided_at": _moment(order.decided_at),
        "rejection_reason": order.rejection_reason,
        "letter_error": order.letter_error,
        "letters": [_letter(letter, print_house.get(letter.pk, [])) for letter in letters],
        "notifications": [
            {
                "kind": notification.get_kind_display(),
                "recipient": notification.recipient,
                "sent_at": _moment(notification.sent_at),
            }
            for notification in Notification.objects.filter(order=order).order_by("pk")
        ],
    }


def _letter(letter: Letter, print_house: list[Record]) -> Record:
    return {
        "letter_id": f"{order_reference(letter.order_id)}-{letter.generation}",
        "made_at": _moment(letter.created_at),
        "via_forwarding_service": letter.forwarded,
        "batch": letter.batch,
        "printed_at": _moment(letter.printed_at),
        "posted_at": _moment(letter.posted_at),
        "tracking_id": letter.tracking_id,
        "delivered_at": _moment(letter.delivered_at),
        "returned_at": _moment(letter.returned_at),
        "return_reason": letter.get_return_reason_display(),
        "print_house_reports": print_house,
    }


def _visits(visits: list[DeskVisit]) -> list[Record]:
    attempts: dict[int, list[UnblockAttempt]] = {}
    for attempt in UnblockAttempt.objects.filter(visit__in=visits).select_related("second_operator").order_by("pk"):
        attempts.setdefault(attempt.visit_id, []).append(attempt)
    tickets = {
        ticket.attempt_id: ticket
        for ticket in PukTicket.objects.filter(attempt__visit__in=visits).only(
            "attempt_id", "issued_at", "expires_at", "used_at"
        )
    }
    return [
        {
            "station": visit.station.name,
            "operator": _name(visit.operator),
            "card_number": visit.card.card_number,
            "id_document": visit.get_id_document_display(),
            "id_checked_at": _moment(visit.started_at),
            "unblocks": [_unblock(attempt, tickets.get(attempt.pk)) for attempt in attempts.get(visit.pk, [])],
        }
        for visit in visits
    ]


def _unblock(attempt: UnblockAttempt, ticket: PukTicket | None) -> Record:
    return {
        "pin": attempt.get_pin_display(),
        "assisted": attempt.assisted,
        "second_operator": _name(attempt.second_operator),
        "puk_tries_left_before": attempt.puk_tries_before,
        "result": attempt.get_result_display(),
        "tries_left_after": attempt.tries_left_after,
        "started_at": _moment(attempt.started_at),
        "finished_at": _moment(attempt.finished_at),
        # The ticket's id is left out: with a station's credential it fetches the PUK.
        "puk_ticket": None
        if ticket is None
        else {
            "issued_at": _moment(ticket.issued_at),
            "expires_at": _moment(ticket.expires_at),
            "used_at": _moment(ticket.used_at),
        },
    }


def _assignment(assignment: ContactPersonAssignment, at: datetime) -> Record:
    return {
        "forvaltning": assignment.forvaltning.name,
        "role": assignment.get_role_display(),
        "email_preference": assignment.get_email_preference_display(),
        "valid_from": _moment(assignment.valid_from),
        "valid_until": _moment(assignment.valid_until),
        "in_force": assignment.in_force_at(at),
    }


def _station_right(right: StationOperator, at: datetime) -> Record:
    return {
        "station": right.station.name,
        "valid_from": _moment(right.valid_from),
        "valid_until": _moment(right.valid_until),
        "in_force": right.in_force_at(at),
    }


def _desk_sessions(user: User) -> list[Record]:
    sessions = DeskSession.objects.filter(operator=user).select_related("station").order_by("started_at", "pk")
    return [
        {
            "station": session.station.name,
            "logged_in": _moment(session.started_at),
            "last_seen": _moment(session.last_seen_at),
            "logged_out": _moment(session.ended_at),
        }
        for session in sessions
    ]


def _audit_events(
    employee: Employee,
    cards: list[Card],
    orders: list[PukOrder],
    visits: list[DeskVisit],
    assignments: list[ContactPersonAssignment],
    station_rights: list[StationOperator],
) -> list[Record]:
    """The events about the person or their records, in full; then those where they acted
    on another's record, as the act, its time and the record's name only."""
    theirs: list[Model] = [employee, *cards, *orders, *visits, *assignments, *station_rights]
    if employee.user is not None:
        theirs.append(employee.user)
    theirs += list(Letter.objects.filter(order__in=orders))
    attempts = list(UnblockAttempt.objects.filter(visit__in=visits))
    theirs += attempts
    theirs += list(PukTicket.objects.filter(attempt__in=attempts))
    ids: dict[str, set[str]] = {}
    for obj in theirs:
        ids.setdefault(obj._meta.label_lower, set()).add(str(obj.pk))
    about_them = Q()
    for object_type, object_ids in ids.items():
        about_them |= Q(object_type=object_type, object_id__in=sorted(object_ids))
    wanted = about_them | Q(actor=employee.user) if employee.user is not None else about_them
    events = []
    for event in AuditEvent.objects.filter(wanted).order_by("at", "pk"):
        about = event.object_id in ids.get(event.object_type, set())
        entry: Record = {
            "at": _moment(event.at),
            "action": str(AuditAction(event.action).label) if event.action in AuditAction.values else event.action,
            "actor": event.actor_label,
            "object_type": event.object_type,
            # A PUK ticket's id, with a station's credential, fetches the PUK while it lives.
            "object_id": "–" if event.object_type == _TICKET else event.object_id,
        }
        if about:
            entry.update(motivation=event.reason, data=event.data)
        events.append(entry)
    return events


_TICKET = PukTicket._meta.label_lower


def _name(user: User | None) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


def _moment(value: datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat(timespec="seconds")


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
