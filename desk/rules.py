"""The station's rules, pure: no database, no clock of their own."""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

# With this many PUK tries left or fewer, a second operator confirms before a PUK is sent.
SECOND_OPERATOR_AT_PUK_TRIES = 2
# A ticket never lives longer than this, whatever the setting says.
TICKET_LIFETIME_CAP = timedelta(minutes=2)


class TicketRefusal(enum.Enum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    OTHER_CARD = "other_card"
    OTHER_OPERATOR = "other_operator"
    OTHER_STATION = "other_station"


@dataclass(frozen=True)
class TicketFacts:
    card_number: str
    operator_id: int
    station_id: int
    expires_at: datetime
    used: bool


def ticket_refusal(
    ticket: TicketFacts | None, *, now: datetime, card_number: str, operator_id: int, station_id: int
) -> TicketRefusal | None:
    """Why this redemption may not have the PUK, or None. The first reason that holds wins."""
    if ticket is None:
        return TicketRefusal.UNKNOWN
    if ticket.used:
        return TicketRefusal.USED
    if now >= ticket.expires_at:
        return TicketRefusal.EXPIRED
    if ticket.station_id != station_id:
        return TicketRefusal.OTHER_STATION
    if ticket.operator_id != operator_id:
        return TicketRefusal.OTHER_OPERATOR
    if ticket.card_number != card_number:
        return TicketRefusal.OTHER_CARD
    return None


class DeskRefusal(enum.Enum):
    """What the station software refuses on its own, before any code reaches the card."""

    NO_ID_CHECK = "no_id_check"
    NEW_PIN_REFUSED = "new_pin_refused"  # not six digits, or the confirmation differs
    CODE_MALFORMED = "code_malformed"  # the holder's PUK of the wrong form
    OTHER_CARD = "other_card"  # another card in the reader than the ID check was for
    PUK_BLOCKED = "puk_blocked"  # the card must be replaced


def ticket_lifetime(seconds: int) -> timedelta:
    return min(timedelta(seconds=max(seconds, 1)), TICKET_LIFETIME_CAP)


def needs_second_operator(puk_tries_left: int | None) -> bool:
    """Two or fewer PUK tries left (or a card that cannot tell): a second operator confirms."""
    return puk_tries_left is None or puk_tries_left <= SECOND_OPERATOR_AT_PUK_TRIES


def visit_is_current(started_at: datetime, now: datetime, minutes: int) -> bool:
    return now - started_at < timedelta(minutes=minutes)
