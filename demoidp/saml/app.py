"""The demo SAML IdP as a WSGI app: metadata, single sign-on (HTTP-Redirect in, HTTP-POST out),
its own login page, an IdP session (a cookie) with step-up, single logout, and (for the tests)
faults ordered for the next response."""

import json
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from demoidp.methods import METHODS, Method, level_of_context, method_by_key, methods_at_least
from demoidp.people import check_password, load_people

from . import pages
from .responses import FAULTS, Request, authn_response

COOKIE = "demoidp_saml_session"
XMLSEC = "/usr/bin/xmlsec1"

Answer = tuple[str, list[tuple[str, str]], bytes]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


@dataclass
class IdpSession:
    """One browser's login at the IdP."""

    username: str
    method: Method
    logged_in_at: int
    name_id: str = field(default_factory=lambda: secrets.token_urlsafe(24))


@dataclass
class Pending:
    """An AuthnRequest waiting for the person to log in."""

    request: Request
    min_level: int


class SamlIdp:
    def __init__(
        self, base_url: str, people_file: Path, sp_metadata: str, key_file: Path, cert_file: Path, faults: bool
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.people_file = people_file
        self.sp_metadata = sp_metadata
        self.key_file, self.cert_file = key_file, cert_file
        self.faults_enabled = faults
        self.next_fault: str | None = None
        self.sessions: dict[str, IdpSession] = {}
        self.pending: dict[str, Pending] = {}
        self._server: Server | None = None
        self._lock = threading.RLock()

    # --- pysaml2 ---------------------------------------------------------------

    def config(self, sp_metadata_xml: str | None) -> IdPConfig:
        conf = IdPConfig()
        conf.load(
            {
                "entityid": f"{self.base_url}/metadata",
                "xmlsec_binary": XMLSEC,
                "key_file": str(self.key_file),
                "cert_file": str(self.cert_file),
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "metadata": {"inline": [sp_metadata_xml]} if sp_metadata_xml else {},
                "service": {
                    "idp": {
                        "name": "Demo-IdP (SAML)",
                        "endpoints": {
                            "single_sign_on_service": [(f"{self.base_url}/sso/redirect", BINDING_HTTP_REDIRECT)],
                            "single_logout_service": [(f"{self.base_url}/slo/redirect", BINDING_HTTP_REDIRECT)],
                        },
                        "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                        "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}},
                    }
                },
            }
        )
        return conf

    def server(self, refresh: bool = False) -> Server:
        """The pysaml2 server, with the SP's metadata read at first use (the SP may start after
        the IdP) and read again when asked (a request from an SP it did not know yet)."""
        with self._lock:
            if self._server is None or refresh:
                self._server = Server(config=self.config(self._read_sp_metadata()))
            return self._server

    def _read_sp_metadata(self) -> str:
        if self.sp_metadata.startswith(("http://", "https://")):
            with urllib.request.urlopen(self.sp_metadata, timeout=10) as answer:
                return str(answer.read().decode("utf-8"))
        return Path(self.sp_metadata).read_text(encoding="utf-8")

    # --- WSGI ------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        form: dict[str, str] = {}
        body = b""
        if method == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        session_id = cookie[COOKIE].value if COOKIE in cookie else ""
        with self._lock:
            status, headers, content = self.route(method, path, query, form, body, session_id)
        start_response(status, [("Cache-Control", "no-store"), *headers])
        return [content]

    def route(
        self, method: str, path: str, query: dict[str, str], form: dict[str, str], body: bytes, session_id: str
    ) -> Answer:
        if method == "GET" and path == "/metadata":
            metadata = create_metadata_string(None, config=self.config(None), valid=24 * 365)
            return "200 OK", [("Content-Type", "application/samlmetadata+xml")], metadata
        if method == "GET" and path == "/sso/redirect" and "SAMLRequest" in query:
            return self.single_sign_on(query, session_id)
        if method == "POST" and path == "/login":
            return self.login(form, session_id)
        if method == "GET" and path == "/slo/redirect" and "SAMLRequest" in query:
            return self.single_logout(query, session_id)
        if method == "POST" and path == "/_faults/" and self.faults_enabled:
            return self.order_fault(body)
        return _html("404 Not Found", pages.message_page("Finns inte", "Sidan finns inte hos demo-IdP:n."))

    # --- single sign-on ----------------------------------------------------------

    def single_sign_on(self, query: dict[str, str], session_id: str) -> Answer:
        try:
            parsed = self._parse_authn_request(query)
        except Exception:  # whatever pysaml2 refuses, the browser gets a page
            return _html(
                "400 Bad Request", pages.message_page("Felaktig begäran", "Inloggningsbegäran gick inte att läsa.")
            )
        message = parsed.message
        args = self.server().response_args(message, [BINDING_HTTP_POST])
        request = Request(
            sp_entity_id=args["sp_entity_id"],
            acs_url=args["destination"],
            in_response_to=args["in_response_to"],
            relay_state=query.get("RelayState", ""),
        )
        min_level = _requested_level(message)
        session = self.sessions.get(session_id)
        forced = str(message.force_authn).lower() == "true"
        if session is not None and session.method.level >= min_level and not forced:
            return self.respond(request, session, session_id)
        token = secrets.token_urlsafe(24)
        self.pending[token] = Pending(request, min_level)
        return self._login_page(token, session.username if session else "", "")

    def _parse_authn_request(self, query: dict[str, str]) -> Any:
        args = (query["SAMLRequest"], BINDING_HTTP_REDIRECT, query.get("RelayState"),
                query.get("SigAlg"), query.get("Signature"))  # fmt: skip
        try:
            return self.server().parse_authn_request(*args)
        except Exception:  # perhaps an SP whose metadata came after ours: read it again
            return self.server(refresh=True).parse_authn_request(*args)

    def _login_page(self, token: str, username: str, error: str) -> Answer:
        pending = self.pending[token]
        return _html(
            "200 OK",
            pages.login_page(
                token=token,
                sp_name=pending.request.sp_entity_id,
                methods=methods_at_least(pending.min_level),
                min_level=pending.min_level,
                username=username,
                error=error,
            ),
        )

    def login(self, form: dict[str, str], session_id: str) -> Answer:
        token = form.get("token", "")
        if token not in self.pending:
            return _html("400 Bad Request", pages.message_page("Inloggningen har gått ut", "Börja om från tjänsten."))
        pending = self.pending[token]
        person = check_password(load_people(self.people_file), form.get("username", ""), form.get("password", ""))
        chosen = method_by_key(form.get("method", ""))
        if person is None:
            return self._login_page(token, form.get("username", ""), "Fel användarnamn eller lösenord.")
        if chosen is None or chosen.level < pending.min_level:
            return self._login_page(token, person.username, "Välj en metod med tillräcklig tillitsnivå.")
        del self.pending[token]
        self.sessions.pop(session_id, None)
        new_id = secrets.token_urlsafe(32)
        session = IdpSession(username=person.username, method=chosen, logged_in_at=int(time.time()))
        self.sessions[new_id] = session
        return self.respond(pending.request, session, new_id)

    def respond(self, request: Request, session: IdpSession, session_id: str) -> Answer:
        person = load_people(self.people_file).get(session.username)
        if person is None:
            return _html("403 Forbidden", pages.message_page("Okänd person", "Personen finns inte längre hos IdP:n."))
        fault, self.next_fault = self.next_fault, None
        server = self.server()
        xml = authn_response(server, request, person, session.method, session.name_id, session.logged_in_at, fault)
        http_args = server.apply_binding(
            BINDING_HTTP_POST, xml, destination=request.acs_url, relay_state=request.relay_state, response=True
        )
        cookie = f"{COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Lax"
        return (
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Set-Cookie", cookie)],
            http_args["data"].encode(),
        )

    # --- single logout -----------------------------------------------------------

    def single_logout(self, query: dict[str, str], session_id: str) -> Answer:
        server = self.server()
        try:
            parsed = server.parse_logout_request(
                query["SAMLRequest"], BINDING_HTTP_REDIRECT, query.get("RelayState"),
                query.get("SigAlg"), query.get("Signature"),
            )  # fmt: skip
        except Exception:  # an unreadable or wrongly signed request
            return _html("400 Bad Request", pages.message_page("Felaktig begäran", "Utloggningen gick inte att läsa."))
        name_id = parsed.message.name_id.text if parsed.message.name_id is not None else ""
        self.sessions.pop(session_id, None)
        for key in [key for key, session in self.sessions.items() if session.name_id == name_id]:
            del self.sessions[key]
        response = server.create_logout_response(parsed.message, [BINDING_HTTP_REDIRECT], sign=False)
        destination = server.response_args(parsed.message, [BINDING_HTTP_REDIRECT])["destination"]
        http_args = server.apply_binding(
            BINDING_HTTP_REDIRECT, str(response), destination, query.get("RelayState", ""),
            response=True, sign=True, sigalg=SIG_RSA_SHA256,
        )  # fmt: skip
        location = dict(http_args["headers"])["Location"]
        expired = f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        return "303 See Other", [("Location", location), ("Set-Cookie", expired)], b""

    # --- faults (tests only) -------------------------------------------------------

    def order_fault(self, body: bytes) -> Answer:
        try:
            kind = json.loads(body or b"{}").get("next")
        except (ValueError, AttributeError):
            kind = None
        if kind not in FAULTS:
            return "400 Bad Request", [("Content-Type", "application/json")], json.dumps({"faults": FAULTS}).encode()
        self.next_fault = kind
        return "200 OK", [("Content-Type", "application/json")], json.dumps({"next": kind}).encode()


def _requested_level(message: Any) -> int:
    """The lowest level among the requested contexts (comparison minimum or exact); 0 for none."""
    context = message.requested_authn_context
    if context is None:
        return 0
    levels = [level_of_context(ref.text or "") for ref in context.authn_context_class_ref]
    known = [level for level in levels if level]
    if not known:
        return 0
    if context.comparison == "better":
        return min(min(known) + 1, max(m.level for m in METHODS))
    return min(known)


def _html(status: str, content: bytes) -> Answer:
    return status, [("Content-Type", "text/html; charset=utf-8")], content
