"""The agent's web side: the Kortstation page on 127.0.0.1, for the paired browser only.

- Pairing: the agent prints a one-time link with a random token (like an e-ID
  client's autostart token). Opening it sets an HttpOnly, SameSite=Strict cookie and
  spends the token; a new link is printed for a later pairing, which ends the
  earlier one (one paired page at a time). A request without the cookie gets 403.
- The Host header must name this agent (127.0.0.1 or localhost with its port): a page
  of another site that re-points its own name at 127.0.0.1 (DNS rebinding) is refused.
- A POST needs the form token derived from the pairing secret and, where the browser
  sends one, an Origin of this agent.
- No request line or body is logged: the forms carry PINs and the holder's PUK.
- The page has no inline script or style (the Content-Security-Policy allows none): its
  script and style sheet are the files of STATIC_FILES, the only files served.
- The page is in Swedish unless English is chosen with its language switch (a form, so
  with the form token; remembered in a cookie). As on the site, the browser's
  Accept-Language is not asked: many desk PCs run an English Windows for Swedish staff.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Callable
from http import cookies
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cards.reader import i18n
from cards.reader.codes import Code
from cards.reader.i18n import Text, _
from cards.reader.profiles import PinRole

from . import page
from .desk import Desk

COOKIE = "rs_desk"
CALLBACK = "/inloggad"  # where RS-portal sends the browser back after the operator's login
LANGUAGE_COOKIE = "rs_desk_language"
MAX_BODY = 8192
HTML, PLAIN, JSON = "text/html; charset=utf-8", "text/plain; charset=utf-8", "application/json"

STATIC = Path(__file__).with_name("static")
# A fixed list: no part of a request's path ever names a file on the disk.
STATIC_FILES = {
    "/static/desk.js": ("desk.js", "text/javascript; charset=utf-8"),
    "/static/desk.css": ("desk.css", "text/css; charset=utf-8"),
}


class Pairing:
    def __init__(self, announce: Callable[[str], None]):
        self._lock = threading.Lock()
        self._announce = announce
        self._token = ""
        self._session = ""

    def new_link(self, origin: str) -> str:
        with self._lock:
            self._token = secrets.token_urlsafe(32)
            link = f"{origin}/koppla?token={self._token}"
        self._announce(link)
        return link

    def pair(self, token: str) -> str | None:
        """A new session secret for the right token (spent at once), else None."""
        with self._lock:
            if not self._token or not hmac.compare_digest(token.encode(), self._token.encode()):
                return None
            self._token, self._session = "", secrets.token_urlsafe(32)
            return self._session

    def session_ok(self, value: str) -> bool:
        with self._lock:
            return bool(self._session) and hmac.compare_digest(value.encode(), self._session.encode())

    def csrf(self) -> str:
        with self._lock:
            return hmac.new(self._session.encode(), b"csrf", hashlib.sha256).hexdigest()


class DeskServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, desk: Desk, announce: Callable[[str], None] = print):
        super().__init__(("127.0.0.1", port), Handler)
        self.desk = desk
        self.port = self.server_address[1]
        self.hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        self.origin = f"http://127.0.0.1:{self.port}"
        self.pairing = Pairing(announce)


def _code(form: dict[str, str], name: str) -> Code | None:
    value = form.get(name, "")
    return Code(value) if value else None


def _pin(form: dict[str, str]) -> PinRole:
    return PinRole(form.get("pin", ""))


def _unblock(desk: Desk, form: dict[str, str], assisted: bool) -> None:
    second = (form["second_username"], form.get("second_password", "")) if form.get("second_username") else None
    desk.unblock(
        _pin(form),
        assisted=assisted,
        puk=None if assisted else _code(form, "puk"),
        new_pin=_code(form, "new_pin"),
        confirm=_code(form, "new_pin_confirm"),
        second_operator=second,
    )


ACTIONS: dict[str, Callable[[Desk, dict[str, str]], None]] = {
    "/logga-in": lambda desk, f: desk.log_in(f.get("username", ""), f.get("password", "")),
    "/logga-ut": lambda desk, f: desk.log_out(),
    "/las-av": lambda desk, f: desk.read_again(),
    "/id-kontroll": lambda desk, f: desk.record_id_check(f.get("id_document", "")),
    "/las-upp": lambda desk, f: _unblock(desk, f, assisted=False),
    "/las-upp-assisterat": lambda desk, f: _unblock(desk, f, assisted=True),
    "/andra-pin": lambda desk, f: desk.change_pin(
        _pin(f), _code(f, "old_pin"), _code(f, "new_pin"), _code(f, "new_pin_confirm")
    ),
    "/stang-bestallning": lambda desk, f: desk.close_order(int(f.get("order", "0"))),
}


class Handler(BaseHTTPRequestHandler):
    server: DeskServer
    server_version = "rs-desk"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # nothing logged: the request line could hold a token
        pass

    def do_GET(self) -> None:
        if not self._host_ok():
            return self._plain(403, _("Fel värdnamn."))
        url = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        if url.path == "/koppla":
            return self._pair(query.get("token", ""))
        if url.path == CALLBACK:
            return self._back_from_rs_portal(query)
        if not self._paired():
            return self._plain(
                403,
                _(
                    "Den här webbläsaren är inte kopplad till kortstationen. "
                    "Öppna kopplingslänken som stationsprogrammet skrev ut."
                ),
            )
        desk = self.server.desk
        if url.path == "/":
            return self._send(200, page.render(desk, self.server.pairing.csrf(), self._language()).encode(), HTML)
        if url.path == "/logga-in-med-region":
            where = desk.begin_login(f"http://{self.headers['Host']}{CALLBACK}")  # the Host: checked above
            return self._redirect(where or "/")
        if url.path == "/tillstand":
            return self._send(200, json.dumps({"generation": desk.generation, "present": desk.present}).encode(), JSON)
        if url.path in STATIC_FILES:
            name, content_type = STATIC_FILES[url.path]
            return self._send(200, (STATIC / name).read_bytes(), content_type)
        return self._plain(404, _("Finns inte."))

    def do_POST(self) -> None:
        if not self._host_ok() or not self._paired():
            return self._plain(403, _("Inte kopplad till kortstationen."))
        origin = self.headers.get("Origin")
        if origin is not None and origin not in {f"http://{host}" for host in self.server.hosts}:
            return self._plain(403, _("Fel ursprung."))
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._plain(413, _("För stor."))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
        if not hmac.compare_digest(form.pop("csrf", "").encode(), self.server.pairing.csrf().encode()):
            return self._plain(403, _("Formuläret har gått ut. Ladda om sidan."))
        path = urlsplit(self.path).path
        if path == "/sprak":
            return self._choose_language(form.get("language", ""))
        action = ACTIONS.get(path)
        if action is None:
            return self._plain(404, _("Finns inte."))
        try:
            action(self.server.desk, form)
        except ValueError:
            return self._plain(400, _("Felaktigt formulär."))
        finally:
            form.clear()
        self._redirect("/")

    # --- helpers ---------------------------------------------------------------------

    def _host_ok(self) -> bool:
        return self.headers.get("Host", "") in self.server.hosts

    def _cookie(self, name: str) -> str:
        jar = cookies.SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie", ""))
        except cookies.CookieError:
            return ""
        return jar[name].value if name in jar else ""

    def _paired(self) -> bool:
        return self.server.pairing.session_ok(self._cookie(COOKIE))

    def _language(self) -> str:
        chosen = self._cookie(LANGUAGE_COOKIE)
        return chosen if chosen in i18n.LANGUAGES else i18n.DEFAULT

    def _choose_language(self, language: str) -> None:
        if language not in i18n.LANGUAGES:
            return self._plain(400, _("Felaktigt formulär."))
        self._redirect("/", f"{LANGUAGE_COOKIE}={language}; HttpOnly; SameSite=Strict; Path=/; Max-Age=31536000")

    def _pair(self, token: str) -> None:
        session = self.server.pairing.pair(token)
        if session is None:
            return self._plain(
                403,
                _(
                    "Kopplingslänken är redan använd eller fel. "
                    "Använd den senaste länken som stationsprogrammet skrev ut."
                ),
            )
        self.server.desk.log_out()  # a new pairing ends the earlier page's operator session
        self.server.pairing.new_link(self.server.origin)
        self._redirect("/", f"{COOKIE}={session}; HttpOnly; SameSite=Strict; Path=/")

    def _back_from_rs_portal(self, query: dict[str, str]) -> None:
        """The browser, back from logging in to RS-portal, with the one-time code. Without the
        pairing cookie: a SameSite=Strict cookie does not come with a navigation from another
        site; the state, random and kept by the desk for this one login, stands in for it.
        The page that answers sends the browser on to the desk page from here, where the
        cookie comes along again."""
        self.server.desk.finish_login(query.get("state", ""), query.get("code", ""))
        body = page.render_back(self._language()).encode()
        self._send(200, body, HTML)

    def _redirect(self, where: str, cookie: str = "") -> None:
        self.send_response(303)
        self.send_header("Location", where)
        if cookie:
            self.send_header("Set-Cookie", cookie)
        self._common_headers()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _plain(self, status: int, text: Text) -> None:
        self._send(status, text.say(i18n.translations(self._language())).encode(), PLAIN)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self._common_headers()
        self.end_headers()
        self.wfile.write(body)

    def _common_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "same-origin")  # "no-referrer" makes Chromium send Origin: null
        self.send_header(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        )
