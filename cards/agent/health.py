"""The station's health, as the agent reports it to RS-portal (docs/desk.md, "Station health").

What is reported: the agent's version, the readers pcscd knows and whether a card is in
each, the reader this agent uses, whether pcscd answers, and the last error with its
time: its kind (the StationError's class), its stable reference (the code an operator
gives IT-support) and the technical detail, str(error), which holds reader names, ATRs
and status words, never a code (cards.reader.errors).

It travels two ways: on every call to the station API as the header
`X-RS-Station-Health` (server.HEALTH_HEADER) (compact JSON, ASCII only; made again only when something changed),
and in the body of the heartbeat (`heartbeat/`), which the agent's heartbeat thread sends
every RS_AGENT_HEARTBEAT_SECONDS and at once when a fault happens or clears.

`Health` has a lock of its own, held only to read or change a few fields: the desk calls
it under the desk's lock, the heartbeat thread never holds that lock (an HTTP call never
waits on the desk, nor the desk on an HTTP call).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from cards.reader import transport
from cards.reader.errors import PcscUnavailable, ReaderGone, StationError

from . import __version__
from .server import ServerRefused, ServerUnavailable

log = logging.getLogger(__name__)

HEARTBEAT_ENV = "RS_AGENT_HEARTBEAT_SECONDS"
DEFAULT_HEARTBEAT_SECONDS = 60.0
# Between two heartbeats sent at once (faults that come and go fast): at least this long.
MIN_GAP_SECONDS = 1.0
# What the server takes (desk/health.py): the agent keeps within it.
MAX_READERS, MAX_NAME, MAX_DETAIL, MAX_KIND, MAX_REFERENCE = 8, 200, 300, 60, 40

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def heartbeat_seconds(value: str | None = None) -> float:
    """RS_AGENT_HEARTBEAT_SECONDS (or `value`): seconds between heartbeats, 0 for none."""
    raw = os.environ.get(HEARTBEAT_ENV, "") if value is None else value
    if not raw.strip():
        return DEFAULT_HEARTBEAT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"{HEARTBEAT_ENV} ska vara ett antal sekunder (0 stänger av): {raw!r}") from None
    if seconds < 0 or seconds != seconds:
        raise ValueError(f"{HEARTBEAT_ENV} ska vara ett antal sekunder (0 stänger av): {raw!r}")
    return seconds


def _clean(text: str, limit: int) -> str:
    """As the server takes text: no control character, within its length."""
    return _CONTROL.sub(" ", text)[:limit]


class Health:
    def __init__(self, reader: str = "", version: str = __version__) -> None:
        self.reader, self.version = reader, version
        self._lock = threading.Lock()
        self.readers: dict[str, bool | None] = {reader: None} if reader else {}
        self.pcscd: bool | None = None
        self.error: dict[str, Any] | None = None
        self.fault = False  # the reader or pcscd is unusable now
        self._header: str | None = None
        # Called (outside the lock) when a fault happens or clears, or a new error comes:
        # the heartbeat thread wakes and sends at once.
        self.on_news: Callable[[], None] = lambda: None

    # --- what the agent sees -----------------------------------------------------

    def card_seen(self, present: bool) -> None:
        """The card watcher saw the agent's reader: pcscd answers, the reader is there."""
        with self._lock:
            cleared = self.fault
            changed = cleared or self.pcscd is not True or self.readers.get(self.reader) is not present
            self.fault, self.pcscd = False, True
            self.readers[self.reader] = present
            if changed:
                self._header = None
        if cleared:
            self.on_news()

    def failed(self, problem: StationError, *, fault: bool = False) -> None:
        """An error from the reader, the card or pcscd; `fault`: the reader or pcscd is
        unusable until the watcher sees it again. The same fault said again (the watcher
        tries every second) is not news."""
        kind = type(problem).__name__
        detail = str(problem)
        with self._lock:
            said = (self.error or {}).get("kind"), (self.error or {}).get("detail")
            if fault and self.fault and said == (_clean(kind, MAX_KIND), _clean(detail, MAX_DETAIL)):
                return
            self.error = {
                "kind": _clean(kind, MAX_KIND),
                "reference": _clean(str(getattr(problem, "reference", "") or ""), MAX_REFERENCE),
                "detail": _clean(detail, MAX_DETAIL),
                "at": int(time.time()),
            }
            if isinstance(problem, PcscUnavailable):
                self.pcscd, self.readers = False, {}
            elif isinstance(problem, ReaderGone):
                self.pcscd = True
                self.readers.pop(problem.args[0] if problem.args else self.reader, None)
                self.readers.pop(self.reader, None)
            self.fault = self.fault or fault
            self._header = None
        self.on_news()

    def look_at_readers(self) -> None:
        """Ask pcscd for its readers and whether a card is in each (the heartbeat thread,
        before each heartbeat; never under the desk's lock). The agent's own reader keeps
        what its watcher saw."""
        try:
            names = transport.list_readers()[:MAX_READERS]
            seen = {name: (None if name == self.reader else transport.card_present(name)) for name in names}
            answers = True
        except PcscUnavailable:
            seen, answers = {}, False
        with self._lock:
            for name in seen:
                if name == self.reader:
                    seen[name] = self.readers.get(name)
            if (seen, answers) != (self.readers, self.pcscd):
                self.readers, self.pcscd, self._header = seen, answers, None

    # --- what is sent ------------------------------------------------------------

    def report(self) -> dict[str, Any]:
        """The health as the heartbeat's body (and the header's JSON)."""
        with self._lock:
            return self._report()

    def _report(self) -> dict[str, Any]:
        readers = {_clean(name, MAX_NAME): present for name, present in list(self.readers.items())[:MAX_READERS]}
        return {
            "version": _clean(self.version, 40),
            "reader": _clean(self.reader, MAX_NAME),
            "readers": readers,
            "pcscd": self.pcscd,
            "error": dict(self.error) if self.error else None,
        }

    def header(self) -> str:
        """The report as the header's value: compact JSON, ASCII only (a header is latin-1
        on the wire, and \\u escapes keep any reader name's letters)."""
        with self._lock:
            if self._header is None:
                self._header = json.dumps(self._report(), separators=(",", ":"), ensure_ascii=True)
            return self._header


class Heartbeat:
    """A thread that sends the health every `seconds` (0: never) and at once on news;
    `send` posts it (StationApi.heartbeat)."""

    def __init__(self, health: Health, send: Callable[[dict[str, Any]], object], seconds: float) -> None:
        self.health, self._send, self.seconds = health, send, seconds
        self._wake, self._stopping = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, name="rs-desk-heartbeat", daemon=True)
        self.sent = 0
        health.on_news = self._wake.set

    def start(self) -> None:
        if self.seconds > 0:
            self.thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            self.beat()
            if self._wake.wait(self.seconds):  # news (or stop) before the next beat was due
                self._stopping.wait(MIN_GAP_SECONDS)  # a burst of news: one heartbeat a second at most

    def beat(self) -> None:
        self.health.look_at_readers()
        try:
            self._send(self.health.report())
            self.sent += 1
        except ServerRefused as refused:
            log.warning("heartbeat refused by RS-portal: %s", refused.code)
        except ServerUnavailable:
            log.warning("heartbeat: RS-portal does not answer")
