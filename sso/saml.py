"""SAML 2.0 single sign-on (djangosaml2 on pysaml2): the SP's configuration, the backend that
matches the IdP's person to an employee, the views djangosaml2 gives (made to answer every
refusal with a page of ours), login_url() and logout() for the core.
"""

import logging
import time
import urllib.request
from typing import Any
from urllib.parse import urlencode

import saml2
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from djangosaml2 import views as djangosaml2_views
from djangosaml2.backends import Saml2Backend
from djangosaml2.cache import IdentityCache, StateCache
from djangosaml2.exceptions import IdPConfigurationMissing
from djangosaml2.overrides import Saml2Client
from djangosaml2.utils import get_location
from saml2.client_base import LogoutError
from saml2.config import SPConfig
from saml2.response import SignatureError, StatusError, UnsolicitedResponse
from saml2.s_utils import UnsupportedBinding
from saml2.saml import NAMEID_FORMAT_TRANSIENT, AuthnContextClassRef
from saml2.samlp import RequestedAuthnContext
from saml2.validate import ResponseLifetimeExceed, ToEarly
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from .assurance import Assurance, context_for, level_of, method_of
from .matching import UnknownPerson, user_for
from .session import complete_login

logger = logging.getLogger(__name__)

LEVEL_PARAMETER = "niva"
UNREADABLE_LOGOUT = gettext_lazy(
    "Utloggningsbegäran från inloggningstjänsten gick inte att läsa. Du är fortfarande inloggad."
)
UNCONFIRMED_LOGOUT = gettext_lazy(
    "Du är utloggad från RS-portal, men inloggningstjänsten bekräftade inte utloggningen. "
    "Stäng webbläsaren för att vara säker."
)
# The IdP's metadata, fetched at most once in this many seconds (Inera's is large).
_metadata_cache: dict[str, tuple[float, str]] = {}


class IdpUnavailable(Exception):
    """The IdP's metadata could not be read."""


def enabled() -> bool:
    return bool(settings.RSPORTAL_SSO == "saml")


# --- the SP's configuration -------------------------------------------------------------


def sp_config(request: HttpRequest | None = None, *, with_idp: bool = True) -> SPConfig:
    """pysaml2's configuration from the settings (djangosaml2's SAML_CONFIG_LOADER)."""
    site = settings.SITE_URL.rstrip("/")
    conf = SPConfig()
    settings_dict = {
        "entityid": site + reverse("sso:saml2_metadata"),
        "xmlsec_binary": settings.RSPORTAL_SAML_XMLSEC,
        "key_file": str(settings.RSPORTAL_SAML_KEY_FILE),
        "cert_file": str(settings.RSPORTAL_SAML_CERT_FILE),
        "allow_unknown_attributes": True,
        "accepted_time_diff": settings.RSPORTAL_SAML_CLOCK_SKEW_SECONDS,
        "metadata": {"inline": [idp_metadata()]} if with_idp else {},
        "service": {
            "sp": {
                "name": "RS-portal",
                "endpoints": {
                    "assertion_consumer_service": [(site + reverse("sso:saml2_acs"), saml2.BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (site + reverse("sso:saml2_ls"), saml2.BINDING_HTTP_REDIRECT),
                        (site + reverse("sso:saml2_ls_post"), saml2.BINDING_HTTP_POST),
                    ],
                },
                "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                "allow_unsolicited": False,
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
            }
        },
    }
    try:
        conf.load(settings_dict)
    except Exception as error:  # pysaml2 has no one error for metadata it can not use
        raise IdpUnavailable(f"the IdP's metadata could not be used: {error}") from error
    return conf


def idp_metadata() -> str:
    """The IdP's metadata XML: from RSPORTAL_SAML_IDP_METADATA_FILE, else fetched from _URL."""
    if settings.RSPORTAL_SAML_IDP_METADATA_FILE:
        try:
            with open(settings.RSPORTAL_SAML_IDP_METADATA_FILE, encoding="utf-8") as file:
                return file.read()
        except OSError as error:
            raise IdpUnavailable(str(error)) from error
    url = settings.RSPORTAL_SAML_IDP_METADATA_URL
    if not url.startswith(("https://", "http://")):
        raise IdpUnavailable("RSPORTAL_SAML_IDP_METADATA_URL or _FILE is not set")
    fetched = _metadata_cache.get(url)
    if fetched and time.monotonic() - fetched[0] < settings.RSPORTAL_SAML_IDP_METADATA_MAX_AGE_SECONDS:
        return fetched[1]
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # http(s) only, checked above
            xml = str(answer.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise IdpUnavailable(str(error)) from error
    _metadata_cache[url] = (time.monotonic(), xml)
    return xml


# --- the backend ---------------------------------------------------------------------------


class SamlBackend(Saml2Backend):
    """Finds the employee for the IdP's person (sso.matching); never creates or changes a user."""

    def authenticate(
        self, request: HttpRequest | None, session_info: dict[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        if request is None or session_info is None or not enabled():
            return None
        attributes = session_info.get("ava", {})
        try:
            user = user_for(
                hsa_id=_first(attributes, settings.RSPORTAL_SAML_HSA_ID_ATTRIBUTE),
                personnummer=_first(attributes, settings.RSPORTAL_SAML_PERSONNUMMER_ATTRIBUTE),
                protocol="saml",
            )
        except UnknownPerson:
            request.sso_unknown_person = True  # type: ignore[attr-defined]  # read by the ACS view
            return None
        return user if self.user_can_authenticate(user) else None


def _first(attributes: dict[str, list[str]], name: str) -> str | None:
    values = attributes.get(name) or []
    return str(values[0]) if values and values[0] else None


def assurance_of_response(session_info: dict[str, Any]) -> Assurance:
    """How the IdP says the person logged in: AuthnContextClassRef, and the method from the
    attribute RSPORTAL_SAML_METHOD_ATTRIBUTE or else the AuthenticatingAuthority."""
    authn_info = session_info.get("authn_info") or [("", [], "")]
    context, authorities = authn_info[0][0] or "", authn_info[0][1] or []
    attribute = settings.RSPORTAL_SAML_METHOD_ATTRIBUTE
    values = session_info.get("ava", {}).get(attribute, []) if attribute else authorities
    return Assurance(
        protocol="saml",
        method=method_of([str(v) for v in values], settings.RSPORTAL_AUTHN_METHODS),
        level=level_of(context, settings.RSPORTAL_ASSURANCE_CONTEXTS),
        context=context,
    )


# --- the views -----------------------------------------------------------------------------


def error_page(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "sso/saml_error.html", {"message": message}, status=status)


class _Guarded:
    """Only when SAML is the site's single sign-on; an IdP that can not be reached gets a page."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not enabled():
            raise Http404
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except (IdpUnavailable, IdPConfigurationMissing):
            logger.exception("SAML: the IdP's metadata could not be read")
            return error_page(request, _("Inloggningstjänsten går inte att nå just nu. Försök igen om en stund."), 503)


class LoginView(_Guarded, djangosaml2_views.LoginView):
    """djangosaml2's login, asking for at least ?niva= (RequestedAuthnContext, comparison minimum).
    A logged-in person who asks for a level goes to the IdP again: that is the step-up."""

    def requested_level(self) -> int | None:
        value = self.request.GET.get(LEVEL_PARAMETER, "")
        return min(int(value), 4) if value.isascii() and value.isdigit() and len(value) == 1 else None

    def should_prevent_auth(self, request: HttpRequest) -> bool:
        return bool(request.user.is_authenticated and not self.requested_level())

    def load_sso_kwargs(self, sso_kwargs: dict[str, Any]) -> None:
        level = self.requested_level()
        context = context_for(level, settings.RSPORTAL_ASSURANCE_CONTEXTS) if level else ""
        if context:
            sso_kwargs["requested_authn_context"] = RequestedAuthnContext(
                authn_context_class_ref=[AuthnContextClassRef(text=context)], comparison="minimum"
            )


_REFUSALS: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], Any], ...] = (
    (SignatureError, gettext_lazy("Svaret från inloggningstjänsten saknade en giltig underskrift och godtogs inte.")),
    (
        (ResponseLifetimeExceed, ToEarly),
        gettext_lazy("Svaret från inloggningstjänsten var inte giltigt längre (eller ännu)."),
    ),
    (
        UnsolicitedResponse,
        gettext_lazy(
            "Svaret från inloggningstjänsten hörde inte till någon inloggning som pågår här, eller har redan använts."
        ),
    ),
    (StatusError, gettext_lazy("Inloggningen avbröts hos inloggningstjänsten.")),
)


@method_decorator(csrf_exempt, name="dispatch")  # the IdP's POST carries its own signature
class AssertionConsumerServiceView(_Guarded, djangosaml2_views.AssertionConsumerServiceView):
    """djangosaml2's ACS; each refusal is a page of ours, an unknown person gets the core's page,
    and a login keeps its assurance (core's complete_login)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "SAMLResponse" not in request.POST:
            return error_page(request, _("Inget svar från inloggningstjänsten kom med."), 400)
        return super().post(request, *args, **kwargs)

    def handle_acs_failure(
        self, request: HttpRequest, exception: BaseException | None = None, status: int = 403, **kwargs: Any
    ) -> HttpResponse:
        if getattr(request, "sso_unknown_person", False):
            return redirect("sso:unknown_person")
        logger.warning("SAML: response refused: %s", type(exception).__name__)
        reason = next((text for kind, text in _REFUSALS if isinstance(exception, kind)), None)
        if reason is None and "AudienceRestrictions" in str(exception):  # pysaml2 raises a bare Exception
            reason = _("Svaret från inloggningstjänsten var ställt till en annan tjänst och godtogs inte.")
        return error_page(request, str(reason) if reason else _("Svaret från inloggningstjänsten godtogs inte."))

    def authenticate_user(
        self,
        request: HttpRequest,
        session_info: dict[str, Any],
        attribute_mapping: Any,
        create_unknown_user: Any,
        assertion_info: Any,
    ) -> Any:
        # Not through auth.authenticate(): a person the IdP vouched for but RS-portal does not
        # know is no password guess for the login throttle to count against the address. And
        # djangosaml2's own logs the whole session_info (a personnummer among it) on a miss.
        user = SamlBackend().authenticate(request, session_info=session_info)
        if user is None:
            raise PermissionDenied("no employee for this login")
        auth.login(request, user, backend=f"{SamlBackend.__module__}.{SamlBackend.__qualname__}")
        djangosaml2_views._set_subject_id(request.saml_session, session_info["name_id"])  # type: ignore[attr-defined]
        complete_login(request, user, assurance_of_response(session_info))
        return user


@method_decorator(csrf_exempt, name="dispatch")
class LogoutView(_Guarded, djangosaml2_views.LogoutView):
    """The IdP's LogoutResponse (after our LogoutRequest, which already ended the local session)
    or its own LogoutRequest, which ends it. Something neither can read ends nothing: else any
    page could log a person out by pointing a link here."""

    def do_logout_service(self, request: HttpRequest, data: Any, binding: str, *args: Any, **kwargs: Any) -> Any:
        if "SAMLResponse" in data:
            state, client = self.get_state_client(request)
            try:
                response = client.parse_logout_request_response(data["SAMLResponse"], binding)
            except Exception:
                logger.warning("SAML: the IdP's logout response was refused", exc_info=True)
                response = None
            state.sync()
            if request.user.is_authenticated:  # no logout of ours is under way: not an answer to us
                return redirect("home")
            if response is None or not response.status_ok():
                return error_page(request, str(UNCONFIRMED_LOGOUT), 200)
            return redirect(settings.LOGOUT_REDIRECT_URL)
        try:
            return super().do_logout_service(request, data, binding, *args, **kwargs)
        except Exception:
            logger.warning("SAML: the IdP's logout request was refused", exc_info=True)
            return error_page(request, str(UNREADABLE_LOGOUT), 400)


class MetadataView(_Guarded, djangosaml2_views.MetadataView):
    """The SP's metadata, which needs nothing from the IdP (which may read it first)."""

    def get_sp_config(self, request: HttpRequest) -> SPConfig:
        return sp_config(request, with_idp=False)


# --- the core's two functions ----------------------------------------------------------------


def login_url(next_url: str, level: int | None) -> str:
    query = {"next": next_url} if next_url else {}
    if level:
        query[LEVEL_PARAMETER] = str(level)
    return reverse("sso:saml2_login") + ("?" + urlencode(query) if query else "")


def logout(request: HttpRequest) -> HttpResponseBase:
    """Single logout: a LogoutRequest to the IdP (whose answer comes to LogoutView), the local
    session ended either way."""
    try:
        client = Saml2Client(
            sp_config(request), state_cache=StateCache(request.saml_session),  # type: ignore[attr-defined]
            identity_cache=IdentityCache(request.saml_session),  # type: ignore[attr-defined]
        )  # fmt: skip
        subject_id = djangosaml2_views._get_subject_id(request.saml_session)  # type: ignore[attr-defined]
        result = client.global_logout(subject_id) if subject_id is not None else {}
        client.state.sync()
    except (IdpUnavailable, LogoutError, UnsupportedBinding, KeyError, ValueError):
        logger.warning("SAML: no single logout; local logout only", exc_info=True)
        result = {}
    auth.logout(request)
    for info in result.values():
        if isinstance(info, tuple) and info[0] == saml2.BINDING_HTTP_REDIRECT:
            return render(request, "sso/saml_logout.html", {"idp_logout_url": get_location(info[1])})
    return redirect(settings.LOGOUT_REDIRECT_URL)
