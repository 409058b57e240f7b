"""RS-portal's station API, as the agent calls it (urllib, JSON over HTTP(S)).

Every call carries the station credential; the operator's calls also the operator
token. Nothing here logs a request or an answer body: a ticket redemption's answer
holds the PUK, which becomes a `Code` before anything else sees it.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from cards.reader.codes import Code
from cards.reader.i18n import Text, _, verbatim


class ServerRefused(Exception):
    """The server said no; `message` says why, in words for the operator."""

    def __init__(self, code: str, message: Text):
        super().__init__(code)
        self.code, self.message = code, message


class ServerUnavailable(Exception):
    """RS-portal could not be reached, or answered nothing usable (str: the address and
    why, for the log). `reference`: the code the operator gives IT-support
    (cards/reader/errors.py has the scheme)."""

    reference = "KS-301"


class InsecureServer(ValueError):
    """The server URL would send the credential and the PUK in clear."""


def check_server_url(url: str) -> str:
    """https, or plain http to this very machine (the demo, the tests): the station
    credential and an assisted unblock's PUK travel in these requests."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and _loopback(parts.hostname or ""):
        return url
    raise InsecureServer(f"RS-portal ska nås över https (http bara till den egna datorn, 127.0.0.1): {url}")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# The station's health (health.py), on every call: no request of its own.
HEALTH_HEADER = "X-RS-Station-Health"
HEARTBEAT_TIMEOUT = 5.0


def _reason(error: Exception) -> str:
    """Why a call failed, for the log: the socket's or the HTTP library's words; for an
    answer that could not be read, nothing of its content."""
    if isinstance(error, urllib.error.URLError):
        return str(error.reason)
    if isinstance(error, OSError):
        return str(error)
    return "the answer is not JSON"


class StationApi:
    def __init__(self, base_url: str, credential: str, timeout: float = 15.0):
        self.base_url, self._credential, self.timeout = check_server_url(base_url).rstrip("/"), credential, timeout
        # The health header's value (Health.header), made only when the health changed.
        self.health_header: Callable[[], str] | None = None

    def __repr__(self) -> str:
        return f"StationApi({self.base_url})"  # never the credential

    def call(
        self, path: str, payload: dict[str, Any], token: str | None = None, *, timeout: float | None = None
    ) -> dict[str, Any]:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Station {self._credential}",
        }
        if token:
            headers["X-RS-Operator"] = token
        if self.health_header is not None and path != "heartbeat/":  # the heartbeat carries it in its body
            headers[HEALTH_HEADER] = self.health_header()
        request = urllib.request.Request(
            f"{self.base_url}/api/station/{path}", json.dumps(payload).encode(), headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                answer: dict[str, Any] = json.loads(response.read())
                return answer
        except urllib.error.HTTPError as error:
            try:
                answer = json.loads(error.read())
            except ValueError:
                answer = {}
            message = answer.get("message")
            raise ServerRefused(
                answer.get("error", str(error.code)),
                verbatim(message) if isinstance(message, str) else _("RS-portal sa nej."),
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            # The address and the kind of failure only: never the request or an answer's body.
            raise ServerUnavailable(f"{self.base_url}: {type(error).__name__}: {_reason(error)}") from None

    def log_in(self, username: str, password: str) -> dict[str, Any]:
        return self.call("login/", {"username": username, "password": password})

    def begin_login(self, callback: str, state: str) -> str:
        """Where to send the browser to log the operator in through RS-portal (the region's
        IdP): RS-portal's page on this very server, which sends it back to `callback`."""
        path = self.call("login/begin/", {"callback": callback, "state": state}).get("path")
        if not isinstance(path, str) or not path.startswith("/") or path.startswith("//") or "\\" in path:
            raise ServerUnavailable(f"{self.base_url}: the login's address is not a path on this server")
        return f"{self.base_url}{path}"

    def log_in_with_code(self, code: str, state: str) -> dict[str, Any]:
        """The one-time login code RS-portal gave the browser, for the operator's token."""
        return self.call("login/", {"code": code, "state": state})

    def heartbeat(self, health: dict[str, Any]) -> dict[str, Any]:
        """The station's health, with the credential only (no operator needed)."""
        return self.call("heartbeat/", health, timeout=HEARTBEAT_TIMEOUT)

    def redeem(self, token: str, ticket: str, card_number: str) -> Code:
        answer = self.call(f"tickets/{ticket}/redeem/", {"card_number": card_number}, token)
        return Code(answer.pop("puk"))
