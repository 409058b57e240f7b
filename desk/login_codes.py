"""The one-time login code that carries an operator's login from the desk PC's browser to
the station software (cards.agent).

The operator logs in to RS-portal in the browser (the region's IdP); RS-portal's view
(desk/station_login.py) sends the browser back to the station software with this code.
The station software exchanges it, with the station's credential, for an operator token
(desk.services.log_in_with_code). The code is signed by the server (its own salt) and
names the user, the station, the station software's random state and how the user logged
in; it holds `LIFETIME` and is spent once: its `once` value becomes DeskSession.login_code,
a unique column, so a second use (or two at once) finds it taken.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

from sso.assurance import Assurance

_SALT = "station.login-code"
LIFETIME = timedelta(seconds=60)


@dataclass(frozen=True)
class LoginCode:
    user_id: int
    station_id: int
    state: str
    assurance: Assurance
    once: str  # random; kept on the DeskSession the code opened


class Unreadable(Exception):
    """Not a code this server signed (or altered since)."""


class Expired(Exception):
    """A code older than LIFETIME."""


def issue(user_id: int, station_id: int, state: str, assurance: Assurance) -> str:
    claims = {"u": user_id, "s": station_id, "st": state, "a": assurance.as_session(), "o": secrets.token_urlsafe(18)}
    return signing.dumps(claims, salt=_SALT)


def read(code: str) -> LoginCode:
    try:
        claims = signing.loads(code, salt=_SALT, max_age=LIFETIME)
    except signing.SignatureExpired:
        raise Expired from None
    except signing.BadSignature:
        raise Unreadable from None
    assurance = Assurance.from_session(claims.get("a"))
    user_id, station_id, state, once = (claims.get(key) for key in ("u", "s", "st", "o"))
    if assurance is None or not (isinstance(user_id, int) and isinstance(station_id, int)):
        raise Unreadable
    if not (isinstance(state, str) and isinstance(once, str)):
        raise Unreadable
    return LoginCode(user_id, station_id, state, assurance, once)
