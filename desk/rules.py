"""The station's rules, pure: no database, no clock of their own."""

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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


# Where the server may send a station's one-time login code: the station software on the
# desk PC itself (a loopback address, any port: the agent picks its own), or exactly the
# agent address the deployment names. Never anywhere else: the code would leave the desk PC.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def agent_callback_allowed(callback: str, agent_url: str) -> bool:
    """Whether `callback` is the station software's address: plain http to a loopback host,
    or the origin of `agent_url`; no user part, no fragment, nothing but printable ASCII."""
    if not callback.isascii() or not callback.isprintable() or "\\" in callback:
        return False
    try:
        parts, agent = urlsplit(callback), urlsplit(agent_url)
        port, agent_port = parts.port, agent.port
    except ValueError:  # a port that is no number, or out of range
        return False
    if "@" in parts.netloc or parts.fragment or not parts.path.startswith("/") or parts.path.startswith("//"):
        return False
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return True
    return bool(agent.scheme and agent.hostname) and (parts.scheme, parts.hostname, port) == (
        agent.scheme,
        agent.hostname,
        agent_port,
    )


_STATE = re.compile(r"[A-Za-z0-9_-]{16,100}")


def state_ok(state: str) -> bool:
    """The station software's state: random, URL-safe, 16 to 100 characters."""
    return _STATE.fullmatch(state) is not None


def with_login_code(callback: str, code: str, state: str) -> str:
    """The callback with the code and the state added to its query."""
    parts = urlsplit(callback)
    query = [*parse_qsl(parts.query, keep_blank_values=True), ("code", code), ("state", state)]
    return urlunsplit(parts._replace(query=urlencode(query)))
