"""A protocol module (login_url, logout) for the core's own tests: it only says where a
browser would be sent. The real IdPs are tested through sso.oidc and sso.saml."""

from urllib.parse import urlencode

from django.contrib.auth import logout as local_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

IDP = "https://idp.test/login"
IDP_LOGOUT = "https://idp.test/logout"
MODULES = {"oidc": "tests.sso.protocol_stub", "saml": "tests.sso.protocol_stub"}


def login_url(next_url: str, level: int | None) -> str:
    return f"{IDP}?{urlencode({'next': next_url, 'level': '' if level is None else level})}"


def logout(request: HttpRequest) -> HttpResponse:
    local_logout(request)
    return HttpResponseRedirect(IDP_LOGOUT)
