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
    pass


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


class StationApi:
    def __init__(self, base_url: str, credential: str, timeout: float = 15.0):
        self.base_url, self._credential, self.timeout = check_server_url(base_url).rstrip("/"), credential, timeout

    def __repr__(self) -> str:
        return f"StationApi({self.base_url})"  # never the credential

    def call(self, path: str, payload: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Station {self._credential}",
        }
        if token:
            headers["X-RS-Operator"] = token
        request = urllib.request.Request(
            f"{self.base_url}/api/station/{path}", json.dumps(payload).encode(), headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
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
        except (urllib.error.URLError, OSError, ValueError):
            raise ServerUnavailable(self.base_url) from None

    def log_in(self, username: str, password: str) -> dict[str, Any]:
        return self.call("login/", {"username": username, "password": password})

    def redeem(self, token: str, ticket: str, card_number: str) -> Code:
        answer = self.call(f"tickets/{ticket}/redeem/", {"card_number": card_number}, token)
        return Code(answer.pop("puk"))
