"""The session's lifetime and idle timeout, and how the person logged in for the audit."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.context import login_of_request
from audit.services import record

from .session import LOGGED_IN_AT_KEY, SEEN_AT_KEY, assurance_of

# The last-seen time is written at most this often: not a session write on every request.
SEEN_RESOLUTION_SECONDS = 60


class SessionAssuranceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            ended = self._ended(request)
            if ended:
                return self._log_out(request, ended)
        found = assurance_of(request) if request.user.is_authenticated else None
        with login_of_request(found.as_audit() if found else None):
            return self.get_response(request)

    def _ended(self, request: HttpRequest) -> str:
        """Why the session is over ("idle" or "lifetime"), or "" while it holds; refreshes last seen."""
        session = request.session
        now = int(time.time())
        logged_in_at = session.get(LOGGED_IN_AT_KEY)
        seen_at = session.get(SEEN_AT_KEY)
        if not isinstance(logged_in_at, int) or not isinstance(seen_at, int):
            # A login that did not go through complete_login (a test's force_login, a session
            # from before single sign-on): Django's own expiry (SESSION_COOKIE_AGE) bounds it.
            return ""
        if now - logged_in_at > settings.RSPORTAL_SESSION_SECONDS:
            return "lifetime"
        if now - seen_at > settings.RSPORTAL_SESSION_IDLE_MINUTES * 60:
            return "idle"
        if now - seen_at >= SEEN_RESOLUTION_SECONDS:
            session[SEEN_AT_KEY] = now
        return ""

    def _log_out(self, request: HttpRequest, why: str) -> HttpResponse:
        user = request.user
        found = assurance_of(request)
        with login_of_request(found.as_audit() if found else None):
            record(AuditAction.SESSION_IDLE_ENDED, user, actor=user, orsak=why)  # type: ignore[arg-type]
        logout(request)
        if why == "idle":
            text = _("Du loggades ut eftersom du inte gjort något på %(minutes)d minuter. Logga in igen.") % {
                "minutes": settings.RSPORTAL_SESSION_IDLE_MINUTES
            }
        else:
            text = _("Du loggades ut eftersom inloggningen gäller högst %(hours)s timmar. Logga in igen.") % {
                "hours": _hours(settings.RSPORTAL_SESSION_SECONDS)
            }
        messages.info(request, text)
        # Back to where the person was, after logging in again; a form's POST is not repeated.
        # (The header, not request.htmx: django-htmx's middleware comes after this one.)
        response = redirect_to_login(request.get_full_path()) if request.method == "GET" else redirect("login")
        if request.headers.get("HX-Request") == "true":
            hx_response = HttpResponse(status=204)
            hx_response["HX-Redirect"] = response["Location"]
            return hx_response
        return response


def _hours(seconds: int) -> str:
    return f"{seconds / 3600:g}"
