"""Logging in over OpenID Connect (mozilla-django-oidc): the authentication request with the
level asked for (acr_values), the callback that verifies the ID token and matches the person,
and RP-initiated logout.

Every failure of the callback is a refusal: a page saying why (in Swedish), an audit event,
no login and never a 500. Only the ID token's claims are used, once its signature, issuer,
audience, expiry, issue time and nonce have been verified."""

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from audit.actions import AuditAction
from audit.services import record_about
from organisation.models import User

from .assurance import Assurance, context_for, level_of, method_of
from .enforcement import same_site
from .matching import UnknownPerson, user_for
from .session import complete_login

BACKEND = "sso.oidc.Backend"
ID_TOKEN_KEY = "oidc_id_token"  # mozilla-django-oidc's name (OIDC_STORE_ID_TOKEN)
DISCOVERY_SECONDS = 3600

# Why a login was refused, as the person is told.
REASONS = {
    "idp_error": gettext_lazy("Region Skånes inloggning avbröt inloggningen."),
    "state": gettext_lazy(
        "Svaret från Region Skånes inloggning hör inte till någon pågående inloggning här. "
        "Det kan redan ha använts, eller kommit från en annan webbläsare."
    ),
    "code": gettext_lazy("Region Skånes inloggning godtog inte inloggningskoden. Den kan redan ha använts."),
    "signature": gettext_lazy("Inloggningsbiljetten var inte signerad av Region Skånes inloggning."),
    "issuer": gettext_lazy("Inloggningsbiljetten kom från en annan utfärdare än Region Skånes inloggning."),
    "audience": gettext_lazy("Inloggningsbiljetten var utfärdad till en annan tjänst än RS-portal."),
    "expired": gettext_lazy("Inloggningsbiljetten hade redan gått ut."),
    "nonce": gettext_lazy("Inloggningsbiljetten hörde till en annan inloggning än den här."),
    "invalid": gettext_lazy("Inloggningsbiljetten var ogiltig."),
    "level": gettext_lazy("Inloggningen gav en lägre tillitsnivå än den som begärdes."),
    "unavailable": gettext_lazy("Region Skånes inloggning svarar inte just nu. Försök igen om en stund."),
}


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str


_discovered: dict[str, tuple[float, dict[str, Any]]] = {}


def provider() -> Provider:
    """The provider's endpoints: each from settings where set, else from its discovery document
    (fetched once an hour). Raises Refused("unavailable") when it cannot be fetched."""
    issuer = settings.RSPORTAL_OIDC_OP_URL
    explicit = {
        "authorization_endpoint": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.OIDC_OP_TOKEN_ENDPOINT,
        "jwks_uri": settings.OIDC_OP_JWKS_ENDPOINT,
        "end_session_endpoint": settings.RSPORTAL_OIDC_END_SESSION_ENDPOINT,
    }
    document = _discovery(issuer) if not all(explicit.values()) else {}
    return Provider(issuer=issuer, **{name: value or str(document.get(name) or "") for name, value in explicit.items()})


def _discovery(issuer: str) -> dict[str, Any]:
    fetched = _discovered.get(issuer)
    if fetched is not None and time.monotonic() - fetched[0] < DISCOVERY_SECONDS:
        return fetched[1]
    try:
        response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
    except (requests.RequestException, ValueError) as error:
        raise Refused("unavailable") from error
    if str(document.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
        raise Refused("unavailable")  # a discovery document of another issuer: trust none of it
    _discovered[issuer] = (time.monotonic(), document)
    return document


def login_url(next_url: str, level: int | None) -> str:
    """Where to send the browser to log in; with a level, the IdP is asked for at least that."""
    query = {"next": next_url} | ({"niva": str(level)} if level else {})
    return f"{reverse('sso:oidc_login')}?{urlencode(query)}"


def logout(request: HttpRequest) -> HttpResponseBase:
    """Out of RS-portal and out of the IdP (RP-initiated logout), then back to the login page."""
    id_token = request.session.get(ID_TOKEN_KEY, "")
    auth.logout(request)
    messages.info(request, _("Du är utloggad."))
    try:
        end_session = provider().end_session_endpoint
    except Refused:
        end_session = ""
    if not end_session:
        return redirect("login")
    query = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    if id_token:
        query["id_token_hint"] = id_token
    return render(request, "sso/oidc_logout.html", {"end_session_url": f"{end_session}?{urlencode(query)}"})


class Backend(OIDCAuthenticationBackend):
    """Only the callback below authenticates with it (and only given a nonce); listed in
    AUTHENTICATION_BACKENDS so that the session's user is found again. It never creates a user."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Nothing from the provider here: Django makes one of these for every request's user.
        self.UserModel = User
        self.assurance: Assurance | None = None
        self.id_token = ""

    def get_user(self, user_id: Any) -> Any:
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if request is None or "nonce" not in kwargs:
            return None  # a password login, for the backends after this one
        endpoints = provider()
        self.OIDC_OP_TOKEN_ENDPOINT = endpoints.token_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = endpoints.jwks_uri
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        try:
            return super().authenticate(request, **kwargs)
        except requests.HTTPError as error:  # the token endpoint said no: a used or unknown code
            raise Refused("code") from error
        except requests.RequestException as error:
            raise Refused("unavailable") from error
        except SuspiciousOperation as error:  # none of the provider's keys has the token's kid
            raise Refused("signature") from error
        except (jwt.PyJWTError, KeyError, ValueError) as error:  # no ID token, not a JWT, no kid
            raise Refused("invalid") from error

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = self._verify_jws(token, self.retrieve_matching_jwk(token))
        if payload.get("nonce") != kwargs.get("nonce"):
            raise Refused("nonce")
        return payload

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        try:
            algorithm = jwt.get_unverified_header(payload).get("alg")
            if algorithm != self.OIDC_RP_SIGN_ALGO:
                raise Refused("signature")
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.RSPORTAL_OIDC_OP_URL,
                leeway=settings.RSPORTAL_OIDC_LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise Refused("expired") from error
        except jwt.InvalidAudienceError as error:
            raise Refused("audience") from error
        except jwt.InvalidIssuerError as error:
            raise Refused("issuer") from error
        except (jwt.InvalidSignatureError, jwt.DecodeError) as error:
            raise Refused("signature") from error
        except jwt.InvalidTokenError as error:  # issued in the future, a claim missing
            raise Refused("invalid") from error
        if isinstance(claims["aud"], list) and len(claims["aud"]) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise Refused("audience")  # OIDC Core 3.1.3.7: several audiences, so azp must name us
        return claims

    def store_tokens(self, access_token: str, id_token: str) -> None:
        self.id_token = id_token  # into the session only after login(), which may begin a new one

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The employee the verified ID token names (UnknownPerson if none), and how they logged in."""
        amr = payload.get("amr") or []
        amr_values = [amr] if isinstance(amr, str) else [str(value) for value in amr]
        acr = str(payload.get("acr") or "")
        self.assurance = Assurance(
            protocol="oidc",
            method=method_of(amr_values, settings.RSPORTAL_AUTHN_METHODS),
            level=level_of(acr, settings.RSPORTAL_ASSURANCE_CONTEXTS),
            context=acr,
        )
        return user_for(
            hsa_id=_claim(payload, settings.RSPORTAL_OIDC_HSA_ID_CLAIM),
            personnummer=_claim(payload, settings.RSPORTAL_OIDC_PERSONNUMMER_CLAIM),
            protocol="oidc",
        )


def _claim(payload: dict[str, Any], name: str) -> str | None:
    value = payload.get(name)
    return str(value) if value else None


def _requested_level(request: HttpRequest) -> int:
    value = request.GET.get("niva", "")
    return min(int(value), 4) if value.isascii() and value.isdigit() and len(value) == 1 else 0


class _OnlyWhenOidc:
    """The endpoints answer only where OIDC is the site's login (as the SAML ones)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if settings.RSPORTAL_SSO != "oidc":
            raise Http404
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class AuthenticationRequest(_OnlyWhenOidc, OIDCAuthenticationRequestView):
    """To the IdP, with state, nonce and PKCE kept in the session (the library's), and the level asked for."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider().authorization_endpoint
        except Refused as refusal:
            return refused(request, refusal.reason)
        response: HttpResponse = super().get(request)
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        request.session["oidc_states"][state]["niva"] = _requested_level(request)
        request.session.modified = True
        return response

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        level = _requested_level(request)
        context = context_for(level, settings.RSPORTAL_ASSURANCE_CONTEXTS) if level else ""
        return {"acr_values": context} if context else {}


class Callback(_OnlyWhenOidc, OIDCAuthenticationCallbackView):
    """Back from the IdP: the state must be one this session started (used once), the ID token
    must pass the backend, the person must be a known employee, the level at least the one asked."""

    def get(self, request: HttpRequest) -> HttpResponse:
        states: dict[str, Any] = request.session.get("oidc_states") or {}
        started = states.pop(request.GET.get("state", ""), None)
        request.session["oidc_states"] = states  # a state is used once, whatever comes of it
        if request.GET.get("error"):
            return refused(request, "idp_error")
        if started is None or not request.GET.get("code"):
            return refused(request, "state")
        next_url = same_site(request.session.pop("oidc_login_next", None) or "", request)
        backend = Backend()
        try:
            user = backend.authenticate(request, nonce=started["nonce"], code_verifier=started.get("code_verifier"))
        except UnknownPerson:
            return redirect("sso:unknown_person")
        except Refused as refusal:
            return refused(request, refusal.reason)
        if user is None or backend.assurance is None:
            return refused(request, "invalid")
        if backend.assurance.level < started.get("niva", 0):
            return refused(request, "level", asked=started["niva"], given=backend.assurance.level)
        auth.login(request, user, backend=BACKEND)
        request.session[ID_TOKEN_KEY] = backend.id_token
        complete_login(request, user, backend.assurance)
        return redirect(next_url)


def refused(request: HttpRequest, reason: str, **facts: Any) -> HttpResponse:
    record_about(AuditAction.SSO_LOGIN_REFUSED, "sso.login", "oidc", protokoll="oidc", orsak=reason, **facts)
    status = 503 if reason == "unavailable" else 403
    context = {"reason": REASONS[reason], "retry_url": reverse("login")}
    return render(request, "sso/oidc_refused.html", context, status=status)
