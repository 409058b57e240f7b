"""rs-card: the card station's operator command line.

    rs-card readers
    rs-card read [--reader NAME]
    rs-card unblock --pin legitimering|underskrift [--reader NAME]
    rs-card change-pin --pin legitimering|underskrift [--reader NAME]

Codes are typed at hidden prompts (or on the reader's PIN pad), never given
as arguments. RS_STATION_PROFILES (or --profiles) names a JSON file that
changes the card profiles (docs/reader.md).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable

from . import messages, operations, profiles, transport
from .codes import Code
from .errors import StationError
from .profiles import PinRole

EXIT_OK, EXIT_REFUSED, EXIT_ERROR = 0, 1, 2


class Operator:
    """The person at the desk: prompts and answers. Tests give their own."""

    def __init__(
        self,
        ask_code: Callable[[str], str] = getpass.getpass,
        ask: Callable[[str], str] = input,
        say: Callable[[str], None] = print,
    ):
        self.ask_code, self.ask, self.say = ask_code, ask, say

    def code(self, prompt: str) -> Code:
        return Code(self.ask_code(prompt))

    def confirm(self, question: str) -> bool:
        return self.ask(f"{question} [j/N] ").strip().lower() in ("j", "ja")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rs-card", description="Kortstationen för RS-kort och PIV-kort.")
    parser.add_argument(
        "--profiles",
        default=os.environ.get("RS_STATION_PROFILES"),
        help="JSON-fil som ändrar kortprofilerna (standard: $RS_STATION_PROFILES)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("readers", help="lista kortläsare")
    for name, text in (
        ("read", "läs av kortet"),
        ("unblock", "lås upp en PIN-kod med PUK-koden"),
        ("change-pin", "ändra en PIN-kod"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("--reader", help="kortläsarens namn (eller en del av det)")
        command.add_argument("--wait", type=float, default=30.0, help="sekunder att vänta på ett kort (standard 30)")
        if name != "read":
            command.add_argument("--pin", required=True, choices=[r.value for r in PinRole])
    return parser


def main(argv: list[str] | None = None, operator: Operator | None = None) -> int:
    args = _parser().parse_args(argv)
    operator = operator or Operator()
    try:
        known = profiles.load(args.profiles)
    except (OSError, ValueError) as e:
        operator.say(f"Kortprofilerna i {args.profiles} går inte att läsa: {e}")
        return EXIT_ERROR
    try:
        if args.command == "readers":
            for name in transport.list_readers():
                operator.say(name)
            return EXIT_OK
        reader = transport.choose_reader(args.reader)
        if not transport.card_present(reader):
            operator.say(f"Sätt i kortet i {reader}.")
            transport.wait_for_card(reader, args.wait)
        conn = transport.connect(reader, known)
        try:
            return _run(args, conn, operator)
        finally:
            conn.close()
    except StationError as e:
        operator.say(messages.describe_error(e))
        return EXIT_ERROR
    except (KeyboardInterrupt, EOFError):
        operator.say("Avbrutet.")
        return EXIT_REFUSED


def _run(args: argparse.Namespace, conn: transport.Connection, operator: Operator) -> int:
    if args.command == "read":
        _say_reading(operator, operations.read_card(conn))
        return EXIT_OK
    role = PinRole(args.pin)
    unblock = args.command == "unblock"
    entry = operations.PadEntry.for_unblock(conn.pinpad) if unblock else operations.PadEntry.for_change(conn.pinpad)
    codes = _typed_codes(operator, unblock, entry)
    refusal = operations.refuse_codes(
        conn.profile,
        entry,
        codes.get("new_pin"),
        codes.get("new_pin_confirm"),
        codes.get("puk", codes.get("old_pin")),
        conn.profile.puk_length if unblock else conn.profile.pin_length,
    )
    if refusal is not None:  # before any APDU
        operator.say(messages.describe_outcome(refusal, role, ""))
        return EXIT_REFUSED
    reading = operations.read_card(conn)
    _say_reading(operator, reading)
    if entry.current or entry.new_pin:
        operator.say("Kortinnehavaren slår in koderna på kortläsarens knappsats när den ber om dem.")
    if unblock:
        if reading.must_be_replaced:
            return EXIT_REFUSED

        def last_try() -> bool:
            operator.say(messages.last_try_warning(reading.puk))
            return operator.confirm("Skicka PUK-koden ändå?")

        outcome = operations.unblock_pin(conn, role, confirm_last_try=last_try, puk_tries=reading.puk, **codes)
        operator.say(messages.describe_outcome(outcome, role, "upplåst och har en ny kod"))
    else:
        outcome = operations.change_pin(conn, role, **codes)
        operator.say(messages.describe_outcome(outcome, role, "ändrad"))
    return EXIT_OK if outcome.succeeded else EXIT_REFUSED


def _typed_codes(operator: Operator, unblock: bool, entry: operations.PadEntry) -> dict[str, Code]:
    """The codes the pad does not take, at hidden prompts, asked before the card is read:
    a bad form sends nothing."""
    codes = {}
    if not entry.current:
        codes = {"puk": operator.code("PUK-kod: ")} if unblock else {"old_pin": operator.code("Nuvarande PIN-kod: ")}
    if not entry.new_pin:
        codes |= {
            "new_pin": operator.code("Ny PIN-kod (6 siffror): "),
            "new_pin_confirm": operator.code("Ny PIN-kod igen: "),
        }
    return codes


def _say_reading(operator: Operator, reading: operations.CardReading) -> None:
    for line in messages.describe_reading(reading):
        operator.say(line)


if __name__ == "__main__":
    sys.exit(main())
