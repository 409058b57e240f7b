"""Too many wrong passwords: the login throttle (django-axes) and what this system adds.

Axes sits in front of every `authenticate(request, ...)`: the site's login, the Django
admin's, the station API's operator login and a second operator's confirmation at an
unblock. It counts failures by username and by address (`AXES_LOCKOUT_PARAMETERS`) and,
at `AXES_FAILURE_LIMIT` within `AXES_COOLOFF_TIME`, refuses the next logins, right
password or not, until the cool-off has passed. Here:

- the words the locked-out person is told, the same whether the username exists or not;
- the answer: the login page again with those words (429), or for a JSON request (the
  station API) the API's own JSON shape (429, `error` and `message`);
- the audit event when a lockout starts (`LOGIN_LOCKED_OUT`), on the user where one has
  that username, else on axes' record of the attempts: never the password;
- the client's address behind a reverse proxy (`RSPORTAL_TRUSTED_PROXIES`);
- headers that axes stores, rid of control characters (a NUL is a DataError on PostgreSQL).
"""

import ipaddress
import math
import re
from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from audit.actions import AuditAction
from audit.services import record


def cool_off() -> timedelta:
    return get_cool_off() or timedelta(0)


def cool_off_seconds() -> int:
    return int(cool_off().total_seconds())


def cool_off_minutes() -> int:
    return math.ceil(cool_off_seconds() / 60)


def lockout_message() -> str:
    minutes = cool_off_minutes()
    return ngettext(
        "För många misslyckade inloggningar. Försök igen om %(minutes)d minut.",
        "För många misslyckade inloggningar. Försök igen om %(minutes)d minuter.",
        minutes,
    ) % {"minutes": minutes}


def is_locked_out(request: HttpRequest | None) -> bool:
    """Whether the throttle refused this request's login (axes marks the request)."""
    return bool(getattr(request, "axes_locked_out", False))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: what a locked-out login gets instead of the view's answer."""
    if request.content_type == "application/json" or _is_json(original_response):
        if original_response is not None and original_response.status_code == 429 and _is_json(original_response):
            return original_response  # the station API has answered in its own words already
        response: HttpResponse = JsonResponse({"error": "locked_out", "message": lockout_message()}, status=429)
        response["Cache-Control"] = "no-store"
    else:
        form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")[:150]})
        context = {"form": form, "next": request.POST.get("next", ""), "lockout": lockout_message()}
        response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(cool_off_seconds())
    return response


def _is_json(response: HttpResponse | None) -> bool:
    return response is not None and response.get("Content-Type", "").startswith("application/json")


def record_lockout(sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **_: Any) -> None:
    """axes' `user_locked_out`: an audit event when the lockout starts. Axes says it on every
    refused try of a lockout; the tries after the first are the same lockout, not new ones."""
    failures = getattr(request, "axes_failures_since_start", None)
    limit = settings.AXES_FAILURE_LIMIT
    if isinstance(failures, int) and isinstance(limit, int) and failures > limit:
        return
    subject = _user_named(username) or _newest_attempt(username, ip_address)
    if subject is None:
        return
    record(
        AuditAction.LOGIN_LOCKED_OUT,
        subject,
        username=(username or "")[:150],
        ip_address=ip_address or "",
        path=request.path[:200],
        failures=failures,
        cool_off_minutes=cool_off_minutes(),
    )


def subject_of(attempt: AccessAttempt) -> Model:
    """What an event about this record of failures is recorded on: its user, or itself."""
    return _user_named(attempt.username) or attempt


def _user_named(username: str | None) -> Model | None:
    if not username:
        return None
    user_model = get_user_model()
    return user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()


def _newest_attempt(username: str | None, ip_address: str | None) -> AccessAttempt | None:
    """axes' record of these failures, where no user has the username."""
    return AccessAttempt.objects.filter(username=username, ip_address=ip_address).order_by("-attempt_time").first()


# axes keeps the username in a varchar(255); PostgreSQL refuses a longer one (a 500). No
# username can be longer than the user model's field, so what axes counts is cut to that.
USERNAME_MAX_LENGTH = 150


def username_of(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The username axes counts and records (AXES_USERNAME_CALLABLE): as typed, from the
    credentials authenticate was given or else from the form, cut to USERNAME_MAX_LENGTH."""
    typed = (credentials or {}).get("username")
    if typed is None:
        typed = getattr(request, "POST", {}).get("username")
    return None if typed is None else str(typed)[:USERNAME_MAX_LENGTH]


def client_address(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE. Behind RSPORTAL_TRUSTED_PROXIES reverse proxies the client is
    that many entries from the right of X-Forwarded-For (each proxy appends the address it
    was called from); without proxies, or with a header that names no address there, the
    address the request came from. Only a valid address is returned: the column is one."""
    proxies = settings.RSPORTAL_TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies and _valid(forwarded[-proxies]):
            return forwarded[-proxies]
    remote = request.META.get("REMOTE_ADDR", "")
    return remote if _valid(remote) else None


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


class LockoutHandler(AxesDatabaseHandler):
    """AXES_HANDLER: axes' database handler, with the request's headers that it stores made
    safe first. A User-Agent or Accept header with a NUL would make the failure's row a
    DataError on PostgreSQL, a 500 instead of "wrong password"."""

    def user_login_failed(self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
        if request is not None:
            for name in ("axes_user_agent", "axes_path_info", "axes_http_accept"):
                value = getattr(request, name, None)
                if isinstance(value, str):
                    setattr(request, name, _CONTROL.sub("\ufffd", value))
        super().user_login_failed(sender, credentials, request, **kwargs)
