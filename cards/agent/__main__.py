"""python -m cards.agent --server URL --station-credential-file FILE [--port 8765] [--reader NAME]

Starts the desk agent and prints the link that pairs the desk PC's browser with it.
PCSCLITE_CSOCK_NAME (read by the PC/SC library) picks a private pcscd, as for rs-card.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from cards.reader import i18n, messages
from cards.reader.errors import StationError

from .agent import Agent
from .server import InsecureServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cards.agent", description="Kortstationens program för skrivbordsdatorn."
    )
    parser.add_argument("--server", required=True, help="RS-portal, t.ex. https://rs-portal.skane.se")
    parser.add_argument(
        "--station-credential-file",
        required=True,
        type=Path,
        help="fil med stationens inloggningsnyckel (bara läsbar för stationens användare)",
    )
    parser.add_argument("--port", type=int, default=8765, help="porten på 127.0.0.1 (standard 8765)")
    parser.add_argument("--reader", help="kortläsarens namn (eller en del av det)")
    parser.add_argument(
        "--heartbeat-seconds",
        type=float,
        default=None,
        help="sekunder mellan hälsorapporterna till RS-portal, 0 stänger av (standard RS_AGENT_HEARTBEAT_SECONDS, 60)",
    )
    parser.add_argument("--profiles", default=os.environ.get("RS_STATION_PROFILES"), help="JSON-fil med kortprofiler")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        credential = args.station_credential_file.read_text().strip()
    except OSError as problem:
        print(f"Stationens nyckelfil går inte att läsa: {problem}", file=sys.stderr)
        return 2
    try:
        agent = Agent(
            server_url=args.server,
            credential=credential,
            port=args.port,
            reader=args.reader,
            profiles_file=args.profiles,
            announce=lambda link: print(f"Öppna kortstationen i webbläsaren: {link}", flush=True),
            heartbeat=args.heartbeat_seconds,
        )
    except StationError as problem:
        logging.getLogger("cards.agent").warning(
            "fault %s at start (%s): %s", problem.reference, type(problem).__name__, problem
        )
        print(messages.describe_error(problem).say(i18n.translations(i18n.DEFAULT)), file=sys.stderr)
        return 2
    except (InsecureServer, ValueError) as problem:  # ValueError: RS_AGENT_HEARTBEAT_SECONDS not a number
        print(problem, file=sys.stderr)
        return 2
    except OSError as problem:
        print(f"Kortstationen kan inte starta: {problem}", file=sys.stderr)
        return 2
    agent.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with contextlib.suppress(KeyboardInterrupt):
        done.wait()
    agent.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
