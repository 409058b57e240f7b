"""rs-card: the card station's operator command line.

    rs-card [--lang sv|en] [--verbose] readers
    rs-card [--lang sv|en] [--verbose] read [--reader NAME] [--wait [SECONDS]]
    rs-card [--lang sv|en] [--verbose] unblock --pin legitimering|underskrift [--reader NAME] [--wait [SECONDS]]
    rs-card [--lang sv|en] [--verbose] change-pin --pin legitimering|underskrift [--reader NAME] [--wait [SECONDS]]

Without --reader it uses the one reader that holds a card (a desk PC often has a
built-in reader besides the desk's); with --wait it waits for a card to go into
any reader (or into the one named), SECONDS at most (60 when not given). It names
the reader it uses. A fault is told as what the operator can do and a reference
for IT-support (messages.describe_error); its technical cause goes to the log,
which --verbose shows on stderr.

Codes are typed at hidden prompts (or on the reader's PIN pad), never given
as arguments. RS_STATION_PROFILES (or --profiles) names a JSON file that
changes the card profiles (docs/reader.md). It speaks Swedish, or English with
--lang en or RS_CARD_LANG=en: the same words as the desk agent's page (messages.py).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable

from . import i18n, messages, operations, profiles, transport
from .codes import Code
from .errors import NoCard, ReaderChoice, SeveralCards, StationError
from .i18n import Text, _
from .profiles import PinRole

EXIT_OK, EXIT_REFUSED, EXIT_ERROR = 0, 1, 2
WAIT_SECONDS = 60.0  # --wait without a number

log = logging.getLogger(__name__)


class Operator:
    """The person at the desk: prompts and answers, in `words` (main sets the language).
    Tests give their own."""

    def __init__(
        self,
        ask_code: Callable[[str], str] = getpass.getpass,
        ask: Callable[[str], str] = input,
        say: Callable[[str], None] = print,
    ):
        self.ask_code, self.ask, self.say = ask_code, ask, say
        self.words = i18n.translations(i18n.DEFAULT)

    def tell(self, text: Text) -> None:
        self.say(text.say(self.words))

    def code(self, prompt: Text) -> Code:
        return Code(self.ask_code(prompt.say(self.words)))

    def confirm(self, question: Text) -> bool:
        answer = self.ask(_("%(question)s [j/N] ", question=question).say(self.words)).strip().lower()
        return answer in (_("j").say(self.words), _("ja").say(self.words))


def _language(argv: list[str] | None) -> str:
    """--lang, else RS_CARD_LANG, else Swedish: read first, as the help is in it too."""
    chosen = os.environ.get("RS_CARD_LANG", "")
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--lang", default=chosen if chosen in i18n.LANGUAGES else i18n.DEFAULT)
    return str(parser.parse_known_args(argv)[0].lang)


def _parser(language: str) -> argparse.ArgumentParser:
    words = i18n.translations(language)

    def say(text: Text) -> str:
        return text.say(words)

    parser = argparse.ArgumentParser(prog="rs-card", description=say(_("Kortstationen för RS-kort och PIV-kort.")))
    parser.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        default=language,
        help=say(_("språk: sv (svenska) eller en (engelska) (standard: $RS_CARD_LANG, annars sv)")),
    )
    parser.add_argument(
        "--profiles",
        default=os.environ.get("RS_STATION_PROFILES"),
        help=say(_("JSON-fil som ändrar kortprofilerna (standard: $RS_STATION_PROFILES)")),
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help=say(_("skriv felets tekniska orsak på stderr (för IT-supporten)")),
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("readers", help=say(_("lista kortläsare")))
    for name, text in (
        ("read", _("läs av kortet")),
        ("unblock", _("lås upp en PIN-kod med PUK-koden")),
        ("change-pin", _("ändra en PIN-kod")),
    ):
        command = sub.add_parser(name, help=say(text))
        command.add_argument("--reader", help=say(_("kortläsarens namn (eller en del av det)")))
        command.add_argument(
            "--wait",
            nargs="?",
            type=_seconds,
            const=WAIT_SECONDS,
            metavar=say(_("SEKUNDER")),
            help=say(_("vänta på att ett kort sätts i en kortläsare, högst SEKUNDER (standard 60)")),
        )
        if name != "read":
            command.add_argument("--pin", required=True, choices=[r.value for r in PinRole])
    return parser


def _seconds(value: str) -> float:
    seconds = float(value)
    if not 0 <= seconds < float("inf"):
        raise ValueError(value)
    return seconds


def main(argv: list[str] | None = None, operator: Operator | None = None) -> int:
    args = _parser(_language(argv)).parse_args(argv)
    operator = operator or Operator()
    operator.words = i18n.translations(args.lang)
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        known = profiles.load(args.profiles)
    except (OSError, ValueError) as e:
        operator.tell(_("Kortprofilerna i %(file)s går inte att läsa: %(problem)s", file=args.profiles, problem=str(e)))
        return EXIT_ERROR
    try:
        if args.command == "readers":
            for name in transport.list_readers():
                operator.say(name)
            return EXIT_OK
        reader = transport.reader_with_card(args.reader, args.wait, lambda readers: _waiting(operator, readers, args))
        operator.tell(_("Kortläsare: %(reader)s", reader=reader))
        conn = transport.connect(reader, known)
        try:
            return _run(args, conn, operator)
        finally:
            conn.close()
    except StationError as e:
        log.info("%s %s: %s", e.reference, type(e).__name__, e)  # the cause: for IT-support, never in the text
        operator.tell(messages.describe_error(e))
        if isinstance(e, NoCard) and getattr(args, "wait", 0) is None:
            operator.tell(_("Med --wait väntar rs-card på att kortet sätts i."))
        if isinstance(e, (SeveralCards, ReaderChoice)) and not getattr(args, "reader", ""):
            operator.tell(_("Med --reader väljer du vilken kortläsare som ska användas."))
        return EXIT_ERROR
    except (KeyboardInterrupt, EOFError):
        operator.tell(_("Avbrutet."))
        return EXIT_REFUSED


def _waiting(operator: Operator, readers: list[str], args: argparse.Namespace) -> None:
    """No card in yet: say where to put it, and for how long rs-card waits."""
    seconds = f"{args.wait:g}"
    if len(readers) == 1:
        operator.tell(
            _("Sätt i kortet i %(reader)s. Väntar i högst %(seconds)s sekunder.", reader=readers[0], seconds=seconds)
        )
    else:
        operator.tell(_("Sätt i kortet i en kortläsare. Väntar i högst %(seconds)s sekunder.", seconds=seconds))


def _run(args: argparse.Namespace, conn: transport.Connection, operator: Operator) -> int:
    if args.command == "read":
        _say_reading(operator, operations.read_card(conn))
        return EXIT_OK
    role = PinRole(args.pin)
    unblock = args.command == "unblock"
    done = messages.pin_unblocked(role) if unblock else messages.pin_changed(role)
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
        operator.tell(messages.describe_outcome(refusal, role, done))
        return EXIT_REFUSED
    reading = operations.read_card(conn)
    _say_reading(operator, reading)
    if entry.current or entry.new_pin:
        operator.tell(_("Kortinnehavaren slår in koderna på kortläsarens knappsats när den ber om dem."))
    if unblock:
        if reading.must_be_replaced:
            return EXIT_REFUSED

        def last_try() -> bool:
            operator.tell(messages.last_try_warning(reading.puk))
            return operator.confirm(_("Skicka PUK-koden ändå?"))

        outcome = operations.unblock_pin(conn, role, confirm_last_try=last_try, puk_tries=reading.puk, **codes)
    else:
        outcome = operations.change_pin(conn, role, **codes)
    operator.tell(messages.describe_outcome(outcome, role, done))
    return EXIT_OK if outcome.succeeded else EXIT_REFUSED


def _typed_codes(operator: Operator, unblock: bool, entry: operations.PadEntry) -> dict[str, Code]:
    """The codes the pad does not take, at hidden prompts, asked before the card is read:
    a bad form sends nothing."""
    codes = {}
    if not entry.current:
        codes = (
            {"puk": operator.code(_("PUK-kod: "))} if unblock else {"old_pin": operator.code(_("Nuvarande PIN-kod: "))}
        )
    if not entry.new_pin:
        codes |= {
            "new_pin": operator.code(_("Ny PIN-kod (6 siffror): ")),
            "new_pin_confirm": operator.code(_("Ny PIN-kod igen: ")),
        }
    return codes


def _say_reading(operator: Operator, reading: operations.CardReading) -> None:
    for line in messages.describe_reading(reading):
        operator.tell(line)


if __name__ == "__main__":
    sys.exit(main())
