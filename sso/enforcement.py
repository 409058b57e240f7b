"""The lowest level of assurance for ordering, for deciding and for the desk, and the view
decorator that holds a person below it at a page that sends them to step up."""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from audit.actions import AuditAction
from audit.services import record

from .session import assurance_of

PURPOSES = ("order", "decide", "desk")

_Request = TypeVar("_Request", bound=HttpRequest)
_P = ParamSpec("_P")
_R = TypeVar("_R")


def required_level(purpose: str) -> int:
    if purpose not in PURPOSES:
        raise ValueError(f"no level is set for {purpose!r}")
    return int(getattr(settings, f"RSPORTAL_MIN_LEVEL_{purpose.upper()}"))


def level_of_session(request: HttpRequest) -> int:
    """The session's level; a login without an assurance (a password, a test's force_login)
    counts as a password login."""
    found = assurance_of(request)
    return found.level if found is not None else int(settings.RSPORTAL_PASSWORD_LEVEL)


def require_assurance(
    purpose: str,
) -> Callable[[Callable[Concatenate[_Request, _P], _R]], Callable[Concatenate[_Request, _P], _R | HttpResponse]]:
    """A view decorator (inside login_required): below the purpose's level, the page that says
    so (403), or for an htmx request a redirect of the whole page to it."""
    if purpose not in PURPOSES:
        raise ValueError(f"no level is set for {purpose!r}")

    def decorator(
        view: Callable[Concatenate[_Request, _P], _R],
    ) -> Callable[Concatenate[_Request, _P], _R | HttpResponse]:
        @wraps(view)
        def checked(request: _Request, *args: _P.args, **kwargs: _P.kwargs) -> _R | HttpResponse:
            needed = required_level(purpose)
            level = level_of_session(request)
            if level >= needed:
                return view(request, *args, **kwargs)
            record(
                AuditAction.LOGIN_STEP_UP_REQUIRED,
                request.user,  # type: ignore[arg-type]
                actor=request.user,
                syfte=purpose,
                kravd_niva=needed,
                niva=level,
                sida=request.path[:200],
            )
            back = _back_to(request)
            if request.headers.get("HX-Request") == "true":
                response = HttpResponse(status=204)
                response["HX-Redirect"] = f"{reverse('sso:too_low')}?{urlencode({'niva': needed, 'next': back})}"
                return response
            return too_low_page(request, needed, back)

        return checked

    return decorator


def too_low_page(request: HttpRequest, needed: int, next_url: str) -> HttpResponse:
    context = {
        "needed": needed,
        "level": level_of_session(request),
        "step_up_url": f"{reverse('sso:step_up')}?{urlencode({'niva': needed, 'next': next_url})}",
        "can_step_up": bool(settings.RSPORTAL_SSO),
    }
    return render(request, "sso/too_low.html", context, status=403)


def same_site(url: str, request: HttpRequest) -> str:
    """`url` when it stays on this site, else the home page."""
    host = {request.get_host()}
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts=host, require_https=request.is_secure()):
        return url
    return reverse("home")


def _back_to(request: HttpRequest) -> str:
    """Where to come back to after stepping up: this page, or for a form's POST (or an htmx
    request) the page the form was on."""
    if request.method == "GET" and request.headers.get("HX-Request") != "true":
        return request.get_full_path()
    referer = request.headers.get("HX-Current-URL") or request.headers.get("Referer", "")
    parts = urlsplit(referer)
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("home")
