"""How the server knows a station and the operator at it.

A station sends its credential in `Authorization: Station <credential>`; the server
keeps only its SHA-256 hash. After the operator logs in through the station, the
station sends the operator token (signed by the server: station and user, with an age
limit) in `X-RS-Operator`. The token names a DeskSession on the server, which logout
ends, as do too long a pause and too great an age. Both are checked on every call, and
so are the operator's permission and rights on that very station, with the right's
period at the time of the call: a right that ended stops at once (StationOperator).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from organisation.models import User
from organisation.permissions import is_station_operator
from sso.assurance import Assurance

from .models import DeskSession, Station, StationOperator

_OPERATOR_SALT = "station.operator-token"


def new_credential() -> tuple[str, str]:
    """(credential, its hash): the credential is shown once, the hash is stored."""
    credential = secrets.token_urlsafe(32)
    return credential, hash_credential(credential)


def hash_credential(credential: str) -> str:
    return hashlib.sha256(credential.encode()).hexdigest()


def station_for(request: HttpRequest) -> Station | None:
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Station" or not credential:
        return None
    return Station.objects.filter(credential_hash=hash_credential(credential.strip()), active=True).first()


def may_operate(user: User, station: Station) -> bool:
    """Active, an operator, and given the right at this station for a period that holds now."""
    return (
        user.is_active
        and is_station_operator(user)
        and StationOperator.objects.in_force().filter(station=station, user=user).exists()
    )


def stations_of(user: User) -> QuerySet[Station]:
    """The active stations where `user`'s right holds now."""
    rights = StationOperator.objects.in_force().filter(user=user)
    return Station.objects.filter(active=True, pk__in=rights.values("station_id"))


def start_session(
    user: User, station: Station, assurance: Assurance | None = None, login_code: str | None = None
) -> str:
    """A new login at the station: its operator token. `assurance`: how the operator logged
    in; `login_code`: the one-time code's random part, where the login came with one
    (unique: IntegrityError when spent already)."""
    session = DeskSession.objects.create(
        station=station,
        operator=user,
        last_seen_at=timezone.now(),
        assurance=assurance.as_audit() if assurance else {},
        login_code=login_code,
    )
    return signing.dumps({"u": user.pk, "s": station.pk, "k": str(session.pk)}, salt=_OPERATOR_SALT)


def session_for(request: HttpRequest, station: Station) -> DeskSession | None:
    """The login whose token the station sent, if it is still open for this station: not
    logged out, not idle too long, not too old, and the operator still allowed here.
    A call through it counts as activity."""
    token = request.headers.get("X-RS-Operator", "")
    try:
        claims = signing.loads(
            token, salt=_OPERATOR_SALT, max_age=timedelta(hours=settings.RSPORTAL_DESK_SESSION_HOURS)
        )
    except signing.BadSignature:
        return None
    now = timezone.now()
    session = (
        DeskSession.objects.select_related("operator")
        .filter(
            pk=claims.get("k"),
            station=station,
            operator_id=claims.get("u"),
            ended_at__isnull=True,
            last_seen_at__gte=now - timedelta(minutes=settings.RSPORTAL_DESK_IDLE_MINUTES),
        )
        .first()
    )
    if session is None or claims.get("s") != station.pk or not may_operate(session.operator, station):
        return None
    DeskSession.objects.filter(pk=session.pk).update(last_seen_at=now)
    return session


def end_session(session: DeskSession) -> None:
    DeskSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=timezone.now())
