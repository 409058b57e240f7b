"""The assurance a session holds: written once at login, read by the header, the audit and
the enforcement of levels."""

import time

from django.http import HttpRequest

from audit.actions import AuditAction
from audit.context import set_login
from audit.services import record

from .assurance import Assurance

SESSION_KEY = "sso_assurance"
# Seconds since the epoch: when the person logged in, and when the session was last seen in use.
LOGGED_IN_AT_KEY = "sso_logged_in_at"
SEEN_AT_KEY = "sso_seen_at"


def complete_login(request: HttpRequest, user: object, assurance: Assurance) -> None:
    """After django.contrib.auth.login(): keep how the person logged in, and audit it."""
    now = int(time.time())
    request.session[SESSION_KEY] = assurance.as_session()
    request.session[LOGGED_IN_AT_KEY] = now
    request.session[SEEN_AT_KEY] = now
    set_login(assurance.as_audit())
    record(AuditAction.LOGGED_IN, user, actor=user, **assurance.as_audit())  # type: ignore[arg-type]


def assurance_of(request: HttpRequest) -> Assurance | None:
    """None for a session without one (a test's force_login, or a login before single sign-on)."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    return Assurance.from_session(session.get(SESSION_KEY))
