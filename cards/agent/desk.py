"""The desk: what the operator does at the card station, in order, with the card and
the server. The web page (web.py) only shows this state and passes the forms in.

Rules kept here, before any APDU:
- nothing without a logged-in operator;
- no unblock without the ID check of this holder in this visit (the visit ends when the
  card leaves the reader);
- a new PIN of the wrong form, or a holder's PUK of the wrong form, is refused;
- the card in the reader must be the card the visit is for.
The server checks the visit, the second operator and the hourly limit again, and holds
the PUK for an assisted unblock until the very moment it is sent to the card.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Callable

from cards.reader import messages, operations, pinpad
from cards.reader.codes import Code
from cards.reader.errors import CardError, StationError
from cards.reader.operations import CardReading, Outcome, Result
from cards.reader.profiles import PinRole

from .server import ServerRefused, ServerUnavailable, StationApi

log = logging.getLogger(__name__)

SESSION_ENDED = "Inloggningen vid kortstationen gäller inte längre. Logga in igen."

ID_DOCUMENTS = {
    "passport": "Pass",
    "national_id": "Nationellt id-kort",
    "driving_licence": "Körkort",
    "employee_card": "Tjänstekort med foto",
}


@dataclass(frozen=True)
class OperatorSession:
    name: str
    token: str = field(repr=False)


@dataclass(frozen=True)
class Visit:
    id: int
    card_number: str
    document: str


@dataclass
class CardView:
    reading: CardReading
    registry: dict
    pinpad: pinpad.PinPad


@dataclass
class Note:
    kind: str  # "ok" | "error" | "info"
    text: str


class Refused(Exception):
    """The desk refused an unblock on its own, before any code reached the card: the words
    for the operator, and `refusal`, the reason as the server records it."""

    def __init__(self, text: str, refusal: str):
        super().__init__(text)
        self.refusal = refusal


class Desk:
    def __init__(self, api: StationApi, connect: Callable[[], object], station: str = ""):
        self.api, self._connect, self.station = api, connect, station
        self.lock = threading.RLock()
        self.operator: OperatorSession | None = None
        self.present = False
        self.card: CardView | None = None
        self.card_problem = ""
        self.reader_problem = ""  # the reader or pcscd is gone: in words, until it is back
        self.visit: Visit | None = None
        self.notes: list[Note] = []
        self.generation = 0  # moves whenever the page should be drawn again

    # --- the operator ------------------------------------------------------------

    def log_in(self, username: str, password: str) -> None:
        with self.lock:
            try:
                answer = self.api.log_in(username, password)
            except (ServerRefused, ServerUnavailable) as problem:
                return self._note("error", _server_text(problem))
            self.operator = OperatorSession(answer["operator"], answer["token"])
            self.station = f"{answer['station']}, {answer['location']}"
            if self.present:
                self._read()
            self._changed()

    def log_out(self) -> None:
        """Log out here and on the server, which ends the operator token for good."""
        with self.lock:
            if self.operator is not None:
                try:
                    self.api.call("logout/", {}, self.operator.token)
                except (ServerRefused, ServerUnavailable):
                    log.warning("logout not reached the server; the token ends when idle")
            self._forget_operator()

    def _forget_operator(self) -> None:
        self.operator, self.card, self.visit = None, None, None
        self._changed()

    # --- the card in the reader ------------------------------------------------------

    def presence_changed(self, present: bool) -> None:
        with self.lock:
            self.present = present
            self.card, self.card_problem, self.reader_problem = None, "", ""
            if not present:
                if self.visit:
                    self._note("info", "Kortet togs ut. ID-kontrollen gäller inte längre.")
                self.visit = None
            elif self.operator:
                self._read()
            self._changed()

    def reader_lost(self, problem: StationError) -> None:
        """The reader (or pcscd) went away: no card, no visit, and the reason shown."""
        with self.lock:
            text = messages.describe_error(problem)
            if text == self.reader_problem:
                return  # the watcher tries again every second: draw the page once
            if self.visit:
                self._note("info", "Kortläsaren försvann. ID-kontrollen gäller inte längre.")
            self.present, self.card, self.visit, self.reader_problem = False, None, None, text
            self._changed()

    def _read(self) -> None:
        """Read the card and ask the registry about it (an audited card read)."""
        try:
            conn = self._connect()
            try:
                reading = operations.read_card(conn)
                pad = conn.pinpad
            finally:
                conn.close()
        except StationError as problem:
            self.card, self.card_problem = None, messages.describe_error(problem)
            return
        payload = {"card_number": reading.card_number, "profile": reading.profile.name,
                   "pins": {role.value: tries.left for role, tries in reading.pins.items()},
                   "puk_tries_left": reading.puk.left}
        try:
            registry = self._call("card/", payload)
        except (ServerRefused, ServerUnavailable) as problem:
            registry = {"known": False, "problem": _server_text(problem)}
        if self.visit and self.visit.card_number != reading.card_number:
            self.visit = None
        self.card = CardView(reading, registry, pad)

    # --- acts --------------------------------------------------------------------

    def record_id_check(self, document: str) -> None:
        with self.lock:
            if not self._ready() or document not in ID_DOCUMENTS:
                return self._note("error", "Välj vilken sorts id-handling som visades.")
            try:
                answer = self._call("id-check/", {"card_number": self.card.reading.card_number, "id_document": document})
            except (ServerRefused, ServerUnavailable) as problem:
                return self._note("error", _server_text(problem))
            self.visit = Visit(answer["visit"], self.card.reading.card_number, answer["id_document"])
            self._note("ok", f"ID-kontrollen är registrerad ({answer['id_document']}).")

    def unblock(self, role: PinRole, *, assisted: bool, puk: Code | None, new_pin: Code | None,
                confirm: Code | None, second_operator: tuple[str, str] | None) -> None:
        with self.lock:
            if not self._ready():
                return
            card_number = self.visit.card_number if self.visit else self.card.reading.card_number
            try:
                if self.visit is None or self.visit.card_number != self.card.reading.card_number:
                    raise Refused("Gör ID-kontrollen av kortinnehavaren först. Inget skickades till kortet.", "no_id_check")
                self._note(*self._unblock(role, assisted, puk, new_pin, confirm, second_operator))
            except Refused as refused:
                self._report_refusal(card_number, refused.refusal, role, assisted)
                self._note("error", str(refused))
            except StationError as problem:
                self._note("error", messages.describe_error(problem))
                self._read_again()
            except (ServerRefused, ServerUnavailable) as problem:
                self._note("error", _server_text(problem))

    def _unblock(self, role, assisted, puk, new_pin, confirm, second_operator) -> tuple[str, str]:
        view = self.card
        profile = view.reading.profile
        # Before the server is asked (for an assisted unblock: before it releases the PUK).
        entry = operations.PadEntry.for_unblock(view.pinpad, puk_from_station=assisted)
        if entry.current:  # the pad asks for them: a page drawn before the reader was known may still send them
            puk = None
        if entry.new_pin:
            new_pin = confirm = None
        refusal = operations.refuse_codes(profile, entry, new_pin, confirm, puk, None if assisted else profile.puk_length)
        if refusal is not None:
            raise Refused(messages.describe_outcome(refusal, role, ""), refusal.result.value)
        conn = self._connect()
        try:
            # Which card it is and the PUK's tries, read first: all the unblock needs.
            card_number = operations.read_card_number(conn)
            puk_tries = operations.read_puk_tries(conn)
            if card_number != self.visit.card_number:
                self._read()
                raise Refused("Det är ett annat kort i läsaren än det ID-kontrollen gällde. Inget skickades till kortet.",
                              "other_card")
            if puk_tries.blocked:
                raise Refused("PUK-koden är spärrad: kortet måste bytas ut. Inget skickades till kortet.", "puk_blocked")
            before = CardReading(view.reading.profile, card_number, view.reading.pins, puk_tries)
            second = {"username": second_operator[0], "password": second_operator[1]} if second_operator else None
            started = self._call("unblocks/", {
                "visit": self.visit.id, "card_number": card_number, "pin": role.value,
                "assisted": assisted, "puk_tries_left": puk_tries.left, "second_operator": second})
            try:
                outcome = self._send_unblock(conn, role, assisted, started, card_number, puk, new_pin, confirm, puk_tries)
            except (StationError, ValueError) as problem:
                # Allowed by the server (for an assisted one the PUK released): the attempt
                # gets its outcome whatever the card did.
                self._report(started["attempt"], Result.CARD_ERROR.value, None)
                log.warning("unblock ended in %s, reported as card_error", type(problem).__name__)
                raise problem if isinstance(problem, StationError) else CardError("oläsligt svar") from None
            after = _read_if_there(lambda: operations.after_unblock(conn, before, role, outcome))
        finally:
            conn.close()
        self._report(started["attempt"], outcome.result.value, outcome.tries_left)
        self._show(after)
        return ("ok" if outcome.succeeded else "error"), _outcome_text(outcome, role, "upplåst och har en ny kod")

    def _send_unblock(self, conn, role, assisted, started, card_number, puk, new_pin, confirm, puk_tries) -> Outcome:
        # The server allowed this unblock after the second operator confirmed where the
        # PUK has two tries or fewer left, so the last-try question is answered yes.
        if assisted:
            try:
                puk = self.api.redeem(self.operator.token, started["ticket"], card_number)
            except (ServerRefused, ServerUnavailable):
                self._report(started["attempt"], "puk_not_released", None)
                raise
        return operations.unblock_pin(conn, role, puk, new_pin, confirm, confirm_last_try=lambda: True,
                                      puk_tries=puk_tries)

    def _report_refusal(self, card_number: str, refusal: str, role: PinRole, assisted: bool) -> None:
        """The server records the desk's own refusals too (audited as desk_refused)."""
        try:
            self._call("refusals/", {"card_number": card_number, "refusal": refusal, "pin": role.value,
                                     "assisted": assisted})
        except (ServerRefused, ServerUnavailable):
            log.warning("refusal %s not reported to the server", refusal)

    def _report(self, attempt: int, result: str, tries_left: int | None) -> None:
        try:
            self._call(f"unblocks/{attempt}/outcome/", {"result": result, "tries_left": tries_left})
        except (ServerRefused, ServerUnavailable):
            log.warning("unblock outcome %s not reported to the server", result)

    def change_pin(self, role: PinRole, old_pin: Code | None, new_pin: Code | None, confirm: Code | None) -> None:
        with self.lock:
            if not self._ready():
                return
            view = self.card
            try:
                conn = self._connect()
                try:
                    codes = {} if conn.pinpad.changes else {"old_pin": old_pin, "new_pin": new_pin, "new_pin_confirm": confirm}
                    outcome = operations.change_pin(conn, role, **codes)
                finally:
                    conn.close()
            except StationError as problem:
                self._note("error", messages.describe_error(problem))
                return self._read_again()
            try:
                self._call("pin-changes/", {"card_number": view.reading.card_number, "pin": role.value,
                                            "result": outcome.result.value, "tries_left": outcome.tries_left})
            except (ServerRefused, ServerUnavailable):
                log.warning("PIN change not reported to the server")
            self._note("ok" if outcome.succeeded else "error", _outcome_text(outcome, role, "ändrad"))
            self._show(operations.after_change(view.reading, role, outcome))

    def close_order(self, order_id: int) -> None:
        with self.lock:
            if not self._ready():
                return
            if self.visit is None:
                return self._note("error", "Gör ID-kontrollen av kortinnehavaren först.")
            try:
                answer = self._call(f"orders/{order_id}/handled-at-desk/",
                                    {"visit": self.visit.id, "card_number": self.visit.card_number})
            except (ServerRefused, ServerUnavailable) as problem:
                return self._note("error", _server_text(problem))
            self._note("ok", f"Beställningen är stängd: {answer['state']}. Inget kodbrev skickas.")
            self._read_again()

    # --- helpers --------------------------------------------------------------------

    def take_notes(self) -> list[Note]:
        with self.lock:
            notes, self.notes = self.notes, []
            return notes

    def _ready(self) -> bool:
        if self.operator is None:
            self._note("error", "Logga in först.")
            return False
        if self.card is None:
            self._note("error", "Sätt i kortet i kortläsaren.")
            return False
        return True

    def _read_again(self) -> None:
        if self.present and self.operator:
            self._read()
        self._changed()

    def _show(self, reading: CardReading | None) -> None:
        """The card after an act: as the act left it, or read afresh when that is not known."""
        if reading is None:
            return self._read_again()
        if self.card is not None:  # None: the operator's login ended meanwhile
            self.card = CardView(reading, self.card.registry, self.card.pinpad)
        self._changed()

    def _call(self, path: str, payload: dict) -> dict:
        if self.operator is None:
            raise ServerRefused("denied", SESSION_ENDED)
        try:
            return self.api.call(path, payload, self.operator.token)
        except ServerRefused as refused:
            if refused.code == "denied":  # the server ended the login (idle, too old, rights gone)
                self._forget_operator()
                self._note("error", SESSION_ENDED)
                raise ServerRefused("denied", SESSION_ENDED) from None
            raise

    def _note(self, kind: str, text: str) -> None:
        if not self.notes or self.notes[-1] != Note(kind, text):  # said once, not twice in a row
            self.notes.append(Note(kind, text))
        self._changed()

    def _changed(self) -> None:
        self.generation += 1


def _read_if_there(read: Callable[[], CardReading | None]) -> CardReading | None:
    try:
        return read()
    except StationError:
        return None


def _server_text(problem: Exception) -> str:
    if isinstance(problem, ServerRefused):
        return problem.message
    return "RS-portal svarar inte. Kontrollera nätverket och försök igen."


def _outcome_text(outcome: Outcome, role: PinRole, action: str) -> str:
    text = messages.describe_outcome(outcome, role, action)
    if outcome.succeeded and outcome.tries_left is not None:
        text += f" {messages.tries_in_words(outcome.tries_left).capitalize()}."
    return text
