"""Start and stop the desk agent: the card watcher, the desk and its web page."""

from __future__ import annotations

import threading
from collections.abc import Callable

from cards.reader import profiles, transport
from cards.reader.errors import StationError

from .desk import Desk
from .health import Health, Heartbeat, heartbeat_seconds
from .server import StationApi
from .web import DeskServer

# How soon the card watcher tries again after the reader or pcscd went away.
WATCH_RETRY_SECONDS = 1.0


class Agent:
    def __init__(
        self,
        *,
        server_url: str,
        credential: str,
        port: int,
        reader: str | None = None,
        profiles_file: str | None = None,
        announce: Callable[[str], None] = print,
        heartbeat: float | None = None,
    ):
        """`heartbeat`: seconds between heartbeats, 0 for none; None: RS_AGENT_HEARTBEAT_SECONDS (60)."""
        api = StationApi(server_url, credential)  # refuses a server that is not https first
        known = profiles.load(profiles_file)
        self.reader = transport.choose_reader(reader)
        # The station's health rides on every call (a header) and on the heartbeat (health.py).
        self.health = Health(self.reader)
        self.health.look_at_readers()
        api.health_header = self.health.header
        self.heartbeat = Heartbeat(self.health, api.heartbeat, heartbeat_seconds() if heartbeat is None else heartbeat)
        self.desk = Desk(api, lambda: transport.connect(self.reader, known), health=self.health)
        self.web = DeskServer(port, self.desk, announce)
        self._stopping = threading.Event()
        self._threads = [
            threading.Thread(target=self._watch, name="rs-desk-card", daemon=True),
            threading.Thread(target=self.web.serve_forever, name="rs-desk-web", daemon=True),
        ]

    @property
    def origin(self) -> str:
        return self.web.origin

    def start(self) -> str:
        """Start; returns the first pairing link (also announced)."""
        for thread in self._threads:
            thread.start()
        self.heartbeat.start()
        return self.web.pairing.new_link(self.origin)

    def _watch(self) -> None:
        """Watch the reader for as long as the agent runs: when the reader or pcscd goes
        away the desk says so, and watching starts again until they are back."""
        while not self._stopping.is_set():
            try:
                transport.watch_presence(self.reader, self._stopping.is_set, self.desk.presence_changed)
            except StationError as problem:
                self.desk.reader_lost(problem)
                self._stopping.wait(WATCH_RETRY_SECONDS)

    def stop(self) -> None:
        self.desk.log_out()  # the operator's token ends with the agent
        self._stopping.set()
        self.heartbeat.stop()
        self.web.shutdown()
        self.web.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
