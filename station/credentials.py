"""How the server knows a station and the operator at it.

A station sends its credential in `Authorization: Station <credential>`; the server
keeps only its SHA-256 hash. After the operator logs in through the station, the
station sends the operator token (signed by the server: station and user, with an age
limit) in `X-RS-Operator`. Both are checked on every call, and so are the operator's
permission and rights on that very station.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing

from organisation.permissions import is_station_operator

from .models import Station

_OPERATOR_SALT = "station.operator-token"


def new_credential() -> tuple[str, str]:
    """(credential, its hash): the credential is shown once, the hash is stored."""
    credential = secrets.token_urlsafe(32)
    return credential, hash_credential(credential)


def hash_credential(credential: str) -> str:
    return hashlib.sha256(credential.encode()).hexdigest()


def station_for(request) -> Station | None:
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Station" or not credential:
        return None
    return Station.objects.filter(credential_hash=hash_credential(credential.strip()), active=True).first()


def may_operate(user, station) -> bool:
    return user.is_active and is_station_operator(user) and station.operators.filter(pk=user.pk).exists()


def operator_token(user, station) -> str:
    return signing.dumps({"u": user.pk, "s": station.pk}, salt=_OPERATOR_SALT)


def operator_for(request, station):
    """The operator whose token the station sent, if it is still valid for this station."""
    token = request.headers.get("X-RS-Operator", "")
    try:
        claims = signing.loads(token, salt=_OPERATOR_SALT, max_age=settings.SESSION_COOKIE_AGE)
    except signing.BadSignature:
        return None
    if claims.get("s") != station.pk:
        return None
    user = get_user_model().objects.filter(pk=claims.get("u")).first()
    return user if user is not None and may_operate(user, station) else None
