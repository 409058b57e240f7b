"""Run a virtual card in a vpcd reader.

    python -m cards.virtualcard --profile rs|piv --state FILE [--port 35963] [--host 127.0.0.1]
                                [--control PATH] [--profiles FILE]

The card is a TCP client of vpcd (the reader driver is the server). The vpcd
protocol: each message is a 2-byte big-endian length and a payload; a payload
of one byte is a control message (00 power off, 01 power on, 02 reset, 04 get
ATR), anything longer is a command APDU. The ATR and each APDU are answered
the same way; power messages get no answer. --profiles (default
$RS_STATION_PROFILES) is the station's profiles file: the card then has the
references, padding and ATR the station expects.

The control socket (default FILE.ctl) takes one line per connection and
answers one line; see cards.virtualcard.ctl. "remove" closes the connection to
vpcd (the reader then sees no card); "insert" reads the state file again
(the web side may have changed it meanwhile) and connects.
"""

from __future__ import annotations

import argparse
import logging
import os
import selectors
import signal
import socket
import sys
import time
from pathlib import Path

from cards.reader import profiles
from cards.reader.profiles import BUILT_IN, Profile

from .card import VirtualCard
from .state import CardState, StateFile

log = logging.getLogger("cards.virtualcard")

CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0x00, 0x01, 0x02, 0x04
RECONNECT_SECONDS = 0.05
# pcscd looks for a card every 400 ms. A card back sooner than that after a
# pull-out during a command would never be seen as removed, and the reader
# would then stay empty: so a removal lasts at least this long, as a hand's does.
MIN_REMOVAL_SECONDS = 0.5


class CardProcess:
    def __init__(self, state_path: Path, profile: str, host: str, port: int, known: tuple[Profile, ...] = BUILT_IN):
        self.state_path = state_path
        self.profile = profile
        self.known = known
        self.address = (host, port)
        self.inserted = True
        self.removed_at = float("-inf")
        self.tear: tuple[str, int] | None = None  # ("before"|"after", INS): drop the link at that APDU
        self.vpcd: socket.socket | None = None
        self.selector = selectors.DefaultSelector()
        self.writer: StateFile | None = None
        self.card = self._load()

    def _load(self) -> VirtualCard:
        """The card as its state file holds it now (another card, if the file changed while it was out)."""
        state = CardState.load(self.state_path)
        if state.profile != self.profile:
            raise SystemExit(f"{self.state_path} holds a {state.profile} card, not {self.profile}")
        if self.writer is not None:
            self.writer.close()
        self.writer = StateFile(self.state_path)
        return VirtualCard(state, self.known)

    # --- vpcd link ------------------------------------------------------------

    def connect(self) -> bool:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.connect(self.address)
        except OSError:
            sock.close()
            return False
        self.vpcd = sock
        self.selector.register(sock, selectors.EVENT_READ, "vpcd")
        log.info("connected to vpcd at %s:%d", *self.address)
        return True

    def drop(self) -> None:
        if self.vpcd is not None:
            self.selector.unregister(self.vpcd)
            self.vpcd.close()
            self.vpcd = None
            log.info("link to vpcd closed")

    def _recv_exactly(self, n: int) -> bytes | None:
        if self.vpcd is None:
            raise ConnectionError("no link to vpcd")  # an OSError: serve_one drops the link
        data = self.vpcd.recv(n, socket.MSG_WAITALL) if n else b""
        # vpcd sends length and payload in separate writes; acknowledging at once
        # keeps delayed ACK (about 40 ms) out of every round trip.
        self.vpcd.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        return data if len(data) == n else None

    def serve_one(self) -> None:
        """Read one vpcd message and answer it; close the link when vpcd has gone."""
        try:
            head = self._recv_exactly(2)
            payload = head and self._recv_exactly(int.from_bytes(head, "big"))
        except OSError:
            payload = None
        if not payload:
            self.drop()
            return
        answer = self.handle(payload)
        if answer is not None and self.vpcd is not None:
            try:
                self.vpcd.sendall(len(answer).to_bytes(2, "big") + answer)
            except OSError:
                self.drop()

    def handle(self, payload: bytes) -> bytes | None:
        if len(payload) == 1:
            if payload[0] == CTRL_ATR:
                return self.card.atr
            if payload[0] in (CTRL_ON, CTRL_RESET, CTRL_OFF):
                self.card.power_on()
            return None
        ins = payload[1] if len(payload) > 1 else None
        if self.tear and self.tear == ("before", ins):
            self.tear = None
            self.remove()
            return None
        response, changed = self.card.process(payload)
        if changed:
            if self.writer is None:  # not reached: _load, which __init__ runs, opens it
                raise RuntimeError("the card's state file is not open")
            self.writer.write(self.card.state)
        if self.tear and self.tear == ("after", ins):
            self.tear = None
            self.remove()
            return None
        return response

    # --- control ----------------------------------------------------------------

    def remove(self) -> None:
        self.inserted = False
        self.removed_at = time.monotonic()
        self.drop()

    def seconds_until_insertable(self) -> float:
        return max(0.0, self.removed_at + MIN_REMOVAL_SECONDS - time.monotonic())

    def insert(self) -> None:
        if not self.inserted:
            self.card = self._load()
            self.inserted = True

    def control(self, line: str) -> str:
        words = line.split()
        match words:
            case ["remove"]:
                self.remove()
            case ["insert"]:
                self.insert()
            case ["tear", ("before" | "after") as when, ins]:
                self.tear = (when, int(ins, 16))
            case ["status"]:
                pass
            case _:
                return "error: commands are remove, insert, tear before|after INS, status"
        linked = "linked" if self.vpcd is not None else "unlinked"
        return f"ok {'inserted' if self.inserted else 'removed'} {linked}"


def serve(process: CardProcess, control_path: Path) -> None:
    control_path.unlink(missing_ok=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(control_path))
    server.listen()
    process.selector.register(server, selectors.EVENT_READ, "control")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            timeout = None
            if process.inserted and process.vpcd is None:
                timeout = process.seconds_until_insertable()
                if not timeout and not process.connect():
                    timeout = RECONNECT_SECONDS  # vpcd not listening yet: pcscd is still starting
            for key, _ in process.selector.select(timeout):
                if key.data == "vpcd" and key.fileobj is process.vpcd:
                    process.serve_one()
                elif key.data == "control":
                    conn, _ = server.accept()
                    with conn:
                        line = conn.makefile("r", encoding="utf-8").readline()
                        conn.sendall((process.control(line) + "\n").encode())
    finally:
        process.drop()
        server.close()
        control_path.unlink(missing_ok=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cards.virtualcard", description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=("rs", "piv"), required=True)
    parser.add_argument("--state", type=Path, required=True, help="the card's JSON state file (CardState)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=35963, help="vpcd's port for the reader (default 35963)")
    parser.add_argument("--control", type=Path, help="control socket (default: STATE.ctl)")
    parser.add_argument(
        "--profiles",
        default=os.environ.get("RS_STATION_PROFILES"),
        help="the station's card profiles file (default: $RS_STATION_PROFILES)",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("RS_VIRTUALCARD_LOG", "INFO"),
        stream=sys.stderr,
        format="%(asctime)s virtualcard %(message)s",
    )
    if not args.state.exists():
        raise SystemExit(f"{args.state}: no such state file; write one with CardState(...).save(path)")
    try:
        known = profiles.load(args.profiles)
    except (OSError, ValueError) as problem:
        raise SystemExit(f"the profiles file {args.profiles} cannot be used: {problem}") from None
    process = CardProcess(args.state, args.profile, args.host, args.port, known)
    serve(process, args.control or args.state.with_name(args.state.name + ".ctl"))


if __name__ == "__main__":
    main()
