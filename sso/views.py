"""The login page, the pages that refuse (an unknown person, a level too low), stepping up
and logging out."""

from importlib import import_module
from types import ModuleType
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as local_logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.actions import AuditAction
from audit.services import record

from .assurance import Assurance
from .enforcement import same_site, too_low_page
from .session import assurance_of, complete_login


def protocol_module(protocol: str) -> ModuleType:
    """The module speaking `protocol` ("oidc", "saml"): login_url(next_url, level) and logout(request)."""
    return import_module(settings.RSPORTAL_SSO_MODULES[protocol])


def idp_login_url(next_url: str, level: int | None = None) -> str:
    """Where the IdP's button leads; "" without single sign-on."""
    if not settings.RSPORTAL_SSO:
        return ""
    return str(protocol_module(settings.RSPORTAL_SSO).login_url(next_url, level))


def may_use_password(user: Any) -> bool:
    """Whether this user may log in with a password kept here (RSPORTAL_PASSWORD_LOGIN)."""
    if settings.RSPORTAL_PASSWORD_LOGIN == "all":
        return True
    return (
        settings.RSPORTAL_PASSWORD_LOGIN == "break-glass"
        and user.is_superuser
        and user.get_username() in settings.RSPORTAL_BREAK_GLASS_USERS
    )


class Login(LoginView):
    """Django's login (its AuthenticationForm, so the login throttle counts every try),
    behind the IdP's button and only for whom RSPORTAL_PASSWORD_LOGIN lets in."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.RSPORTAL_PASSWORD_LOGIN == "none":
            return self.render_to_response(self.get_context_data(), status=403)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        if not may_use_password(form.get_user()):
            # The same words as a wrong password gets under break-glass: no oracle for the password.
            return self.render_to_response(self.get_context_data(form=form, password_refused=True))
        response = super().form_valid(form)
        password = Assurance("password", "password", settings.RSPORTAL_PASSWORD_LEVEL, "")
        complete_login(self.request, form.get_user(), password)
        return response


def unknown_person(request: HttpRequest) -> HttpResponse:
    return render(request, "sso/unknown_person.html", status=403)


def too_low(request: HttpRequest) -> HttpResponse:
    """The page a level too low leads to (where an htmx request is sent)."""
    if not request.user.is_authenticated:
        return redirect("login")
    return too_low_page(request, _level(request.GET.get("niva")), same_site(request.GET.get("next", ""), request))


def step_up(request: HttpRequest) -> HttpResponse:
    """Log in again through the IdP, asking for at least ?niva=; back to ?next= (on this site only)."""
    next_url = same_site(request.GET.get("next", ""), request)
    url = idp_login_url(next_url, _level(request.GET.get("niva")))
    if not url:
        return redirect("login")
    return redirect(url)


@require_POST
def logout(request: HttpRequest) -> HttpResponseBase:
    """Out of RS-portal, and for a single sign-on login out of the IdP too."""
    found = assurance_of(request)
    if request.user.is_authenticated:
        record(AuditAction.LOGGED_OUT, request.user, actor=request.user)
    if found is not None and found.protocol in settings.RSPORTAL_SSO_MODULES:
        response: HttpResponseBase = protocol_module(found.protocol).logout(request)
        return response
    local_logout(request)
    messages.info(request, _("Du är utloggad."))
    return redirect("login")


def _level(value: str | None) -> int:
    """?niva= as a level 0..4 (anything else: the highest, which asks the most)."""
    if value is not None and value.isascii() and value.isdigit() and len(value) == 1:
        return min(int(value), 4)
    return 4
