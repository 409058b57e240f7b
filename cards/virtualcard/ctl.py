"""Tell a running virtual card to be removed or inserted.

    python -m cards.virtualcard.ctl --control STATE.ctl remove|insert|status
    python -m cards.virtualcard.ctl --control STATE.ctl tear before|after INS

"tear after 2C": at the next APDU with INS 2C (RESET RETRY COUNTER) the card
carries the command out, saves its state and is pulled before it answers;
"tear before 2C" pulls it without carrying the command out. Both test what
the station says when the card goes away in the middle of an operation.
"""

from __future__ import annotations

import argparse
import socket
from pathlib import Path


def send(control: str | Path, command: str, timeout: float = 5.0) -> str:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(control))
        sock.sendall(command.encode() + b"\n")
        answer = sock.makefile("r", encoding="utf-8").readline().strip()
    if not answer.startswith("ok"):
        raise RuntimeError(answer)
    return answer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m cards.virtualcard.ctl")
    parser.add_argument("--control", required=True, type=Path, help="the card's control socket")
    parser.add_argument("command", nargs="+", help="remove | insert | status | tear before|after INS")
    args = parser.parse_args(argv)
    print(send(args.control, " ".join(args.command)))


if __name__ == "__main__":
    main()
