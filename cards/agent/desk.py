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

import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from cards.reader import messages, operations, pinpad
from cards.reader.codes import Code
from cards.reader.errors import CardError, StationError
from cards.reader.i18n import Text, _, sentences
from cards.reader.operations import CardReading, Outcome, Result
from cards.reader.profiles import PinRole

from .health import Health
from .server import ServerRefused, ServerUnavailable, StationApi

log = logging.getLogger(__name__)

SESSION_ENDED = _("Inloggningen vid kortstationen gäller inte längre. Logga in igen.")
LOGIN_NOT_OURS = _("Inloggningen hör inte till den här kortstationen, eller tog för lång tid. Logga in igen.")
# How long the operator has to log in through RS-portal (and the IdP) once begun.
LOGIN_WAIT_SECONDS = 600

ID_DOCUMENTS = {
    "passport": _("Pass"),
    "national_id": _("Nationellt id-kort"),
    "driving_licence": _("Körkort"),
    "employee_card": _("Tjänstekort med foto"),
}


@dataclass(frozen=True)
class OperatorSession:
    name: str
    token: str = field(repr=False)


@dataclass(frozen=True)
class PendingLogin:
    """A login through RS-portal this station began: the random state it sent, and until when
    (monotonic) the browser may come back with it."""

    state: str = field(repr=False)
    until: float

    def matches(self, state: str, now: float) -> bool:
        return now < self.until and hmac.compare_digest(state.encode(), self.state.encode())


@dataclass(frozen=True)
class Visit:
    id: int
    card_number: str
    document: str


@dataclass
class CardView:
    reading: CardReading
    registry: dict[str, Any]
    pinpad: pinpad.PinPad
    registry_problem: Text | None = None  # the registry could not be asked: why


class StationLink(operations.CardLink, Protocol):
    """The connection to the card that `connect` opens for one act, closed after it."""

    def close(self) -> None: ...


@dataclass
class Note:
    kind: str  # "ok" | "error" | "info"
    text: Text


class Refused(Exception):
    """The desk refused an unblock on its own, before any code reached the card: the words
    for the operator, and `refusal`, the reason as the server records it."""

    def __init__(self, text: Text, refusal: str) -> None:
        super().__init__(refusal)
        self.text, self.refusal = text, refusal


class Desk:
    def __init__(
        self, api: StationApi, connect: Callable[[], StationLink], station: str = "", health: Health | None = None
    ) -> None:
        self.api, self._connect, self.station = api, connect, station
        self.health = health or Health()  # what the server is told of the reader (health.py)
        self.lock = threading.RLock()
        self.operator: OperatorSession | None = None
        self.present = False
        self.card: CardView | None = None
        self.card_problem: Text | None = None
        self.reader_problem: Text | None = None  # the reader or pcscd is gone: in words, until it is back
        self.visit: Visit | None = None
        self._pending_login: PendingLogin | None = None  # a login begun through RS-portal
        self.notes: list[Note] = []
        self.generation = 0  # moves whenever the page should be drawn again

    # --- the operator ------------------------------------------------------------

    def log_in(self, username: str, password: str) -> None:
        with self.lock:
            try:
                answer = self.api.log_in(username, password)
            except (ServerRefused, ServerUnavailable) as problem:
                return self._note("error", _server_text(problem))
            self._logged_in(answer)

    def begin_login(self, callback: str) -> str | None:
        """Where to send the browser to log in through RS-portal (the region's IdP), which
        sends it back to `callback` with a one-time code and the state kept here; None (and
        the reason said) when RS-portal says no or does not answer."""
        with self.lock:
            state = secrets.token_urlsafe(32)
            try:
                where = self.api.begin_login(callback, state)
            except (ServerRefused, ServerUnavailable) as problem:
                self._note("error", _server_text(problem))
                return None
            self._pending_login = PendingLogin(state, time.monotonic() + LOGIN_WAIT_SECONDS)
            return where

    def finish_login(self, state: str, code: str) -> None:
        """The browser is back from RS-portal: the login this station began (its state, in
        time), exchanged through the station API for the operator's token."""
        with self.lock:
            pending = self._pending_login
            if pending is None or not pending.matches(state, time.monotonic()):
                return self._note("error", LOGIN_NOT_OURS)
            self._pending_login = None
            try:
                answer = self.api.log_in_with_code(code, state)
            except (ServerRefused, ServerUnavailable) as problem:
                return self._note("error", _server_text(problem))
            self._logged_in(answer)

    def _logged_in(self, answer: dict[str, Any]) -> None:
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
        self.operator, self.card, self.visit, self._pending_login = None, None, None, None
        self._changed()

    # --- the card in the reader ------------------------------------------------------

    def presence_changed(self, present: bool) -> None:
        with self.lock:
            self.health.card_seen(present)
            self.present = present
            self.card, self.card_problem, self.reader_problem = None, None, None
            if not present:
                if self.visit:
                    self._note("info", _("Kortet togs ut. ID-kontrollen gäller inte längre."))
                self.visit = None
            elif self.operator:
                self._read()
            self._changed()

    def reader_lost(self, problem: StationError) -> None:
        """The reader (or pcscd) went away: no card, no visit, and the reason shown."""
        with self.lock:
            self.health.failed(problem, fault=True)
            text = messages.describe_error(problem)
            if text == self.reader_problem:
                return  # the watcher tries again every second: draw the page once
            _log_fault(problem)
            if self.visit:
                self._note("info", _("Kortläsaren försvann. ID-kontrollen gäller inte längre."))
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
            self.health.failed(problem)
            self.card, self.card_problem = None, _fault(problem)
            return
        payload = {
            "card_number": reading.card_number,
            "profile": reading.profile.name,
            "pins": {role.value: tries.left for role, tries in reading.pins.items()},
            "puk_tries_left": reading.puk.left,
        }
        unasked: Text | None = None
        try:
            registry = self._call("card/", payload)
        except (ServerRefused, ServerUnavailable) as refused:
            registry, unasked = {"known": False}, _server_text(refused)
        if self.visit and self.visit.card_number != reading.card_number:
            self.visit = None
        self.card = CardView(reading, registry, pad, unasked)

    # --- acts --------------------------------------------------------------------

    def read_again(self) -> None:
        """The operator asks for the card to be read now: after a fault, or to see its
        counters as they are (an audited card read, as when the card goes in)."""
        with self.lock:
            if self.operator is None:
                return self._note("error", _("Logga in först."))
            if not self.present:
                return self._note("error", _("Sätt i kortet i kortläsaren."))
            self._read()
            self._changed()

    def record_id_check(self, document: str) -> None:
        with self.lock:
            view = self._ready()
            if view is None or document not in ID_DOCUMENTS:
                return self._note("error", _("Välj vilken sorts id-handling som visades."))
            try:
                answer = self._call("id-check/", {"card_number": view.reading.card_number, "id_document": document})
            except (ServerRefused, ServerUnavailable) as problem:
                return self._note("error", _server_text(problem))
            self.visit = Visit(answer["visit"], view.reading.card_number, answer["id_document"])
            self._note("ok", _("ID-kontrollen är registrerad (%(document)s).", document=answer["id_document"]))

    def unblock(
        self,
        role: PinRole,
        *,
        assisted: bool,
        puk: Code | None,
        new_pin: Code | None,
        confirm: Code | None,
        second_operator: tuple[str, str] | None,
    ) -> None:
        with self.lock:
            view = self._ready()
            if view is None:
                return
            card_number = self.visit.card_number if self.visit else view.reading.card_number
            try:
                visit = self.visit
                if visit is None or visit.card_number != view.reading.card_number:
                    raise Refused(
                        _("Gör ID-kontrollen av kortinnehavaren först. Inget skickades till kortet."), "no_id_check"
                    )
                self._note(*self._unblock(view, visit, role, assisted, puk, new_pin, confirm, second_operator))
            except Refused as refused:
                self._report_refusal(card_number, refused.refusal, role, assisted)
                self._note("error", refused.text)
            except StationError as problem:
                self.health.failed(problem)
                self._note("error", _fault(problem))
                self._read_again()
            except (ServerRefused, ServerUnavailable) as problem:
                self._note("error", _server_text(problem))

    def _unblock(
        self,
        view: CardView,
        visit: Visit,
        role: PinRole,
        assisted: bool,
        puk: Code | None,
        new_pin: Code | None,
        confirm: Code | None,
        second_operator: tuple[str, str] | None,
    ) -> tuple[str, Text]:
        """The unblock of `view`'s card for `visit`, which unblock() checked is this card's."""
        profile = view.reading.profile
        done = messages.pin_unblocked(role)
        # Before the server is asked (for an assisted unblock: before it releases the PUK).
        entry = operations.PadEntry.for_unblock(view.pinpad, puk_from_station=assisted)
        if entry.current:  # the pad asks for them: a page drawn before the reader was known may still send them
            puk = None
        if entry.new_pin:
            new_pin = confirm = None
        puk_length = None if assisted else profile.puk_length
        refusal = operations.refuse_codes(profile, entry, new_pin, confirm, puk, puk_length)
        if refusal is not None:
            raise Refused(messages.describe_outcome(refusal, role, done), refusal.result.value)
        conn = self._connect()
        try:
            # Which card it is and the PUK's tries, read first: all the unblock needs.
            card_number = operations.read_card_number(conn)
            puk_tries = operations.read_puk_tries(conn)
            if card_number != visit.card_number:
                self._read()
                raise Refused(
                    _("Det är ett annat kort i läsaren än det ID-kontrollen gällde. Inget skickades till kortet."),
                    "other_card",
                )
            if puk_tries.blocked:
                raise Refused(
                    _("PUK-koden är spärrad: kortet måste bytas ut. Inget skickades till kortet."), "puk_blocked"
                )
            before = CardReading(view.reading.profile, card_number, view.reading.pins, puk_tries)
            second = {"username": second_operator[0], "password": second_operator[1]} if second_operator else None
            started = self._call(
                "unblocks/",
                {
                    "visit": visit.id,
                    "card_number": card_number,
                    "pin": role.value,
                    "assisted": assisted,
                    "puk_tries_left": puk_tries.left,
                    "second_operator": second,
                },
            )
            try:
                outcome = self._send_unblock(
                    conn, role, assisted, started, card_number, puk, new_pin, confirm, puk_tries
                )
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
        return ("ok" if outcome.succeeded else "error"), _outcome_text(outcome, role, done)

    def _send_unblock(
        self,
        conn: StationLink,
        role: PinRole,
        assisted: bool,
        started: dict[str, Any],
        card_number: str,
        puk: Code | None,
        new_pin: Code | None,
        confirm: Code | None,
        puk_tries: operations.Tries,
    ) -> Outcome:
        # The server allowed this unblock after the second operator confirmed where the
        # PUK has two tries or fewer left, so the last-try question is answered yes.
        if assisted:
            try:
                if self.operator is None:  # not reached: _call just answered for this operator
                    raise ServerRefused("denied", SESSION_ENDED)
                puk = self.api.redeem(self.operator.token, started["ticket"], card_number)
            except (ServerRefused, ServerUnavailable):
                self._report(started["attempt"], "puk_not_released", None)
                raise
        return operations.unblock_pin(
            conn, role, puk, new_pin, confirm, confirm_last_try=lambda: True, puk_tries=puk_tries
        )

    def _report_refusal(self, card_number: str, refusal: str, role: PinRole, assisted: bool) -> None:
        """The server records the desk's own refusals too (audited as desk_refused)."""
        try:
            self._call(
                "refusals/", {"card_number": card_number, "refusal": refusal, "pin": role.value, "assisted": assisted}
            )
        except (ServerRefused, ServerUnavailable):
            log.warning("refusal %s not reported to the server", refusal)

    def _report(self, attempt: int, result: str, tries_left: int | None) -> None:
        try:
            self._call(f"unblocks/{attempt}/outcome/", {"result": result, "tries_left": tries_left})
        except (ServerRefused, ServerUnavailable):
            log.warning("unblock outcome %s not reported to the server", result)

    def change_pin(self, role: PinRole, old_pin: Code | None, new_pin: Code | None, confirm: Code | None) -> None:
        with self.lock:
            view = self._ready()
            if view is None:
                return
            try:
                conn = self._connect()
                try:
                    codes: dict[str, Code | None] = {}
                    if not conn.pinpad.changes:
                        codes = {"old_pin": old_pin, "new_pin": new_pin, "new_pin_confirm": confirm}
                    outcome = operations.change_pin(conn, role, **codes)
                finally:
                    conn.close()
            except StationError as problem:
                self.health.failed(problem)
                self._note("error", _fault(problem))
                return self._read_again()
            try:
                self._call(
                    "pin-changes/",
                    {
                        "card_number": view.reading.card_number,
                        "pin": role.value,
                        "result": outcome.result.value,
                        "tries_left": outcome.tries_left,
                    },
                )
            except (ServerRefused, ServerUnavailable):
                log.warning("PIN change not reported to the server")
            done = messages.pin_changed(role)
            self._note("ok" if outcome.succeeded else "error", _outcome_text(outcome, role, done))
            self._show(operations.after_change(view.reading, role, outcome))

    def close_order(self, order_id: int) -> None:
        with self.lock:
            if self._ready() is None:
                return
            if self.visit is None:
                return self._note("error", _("Gör ID-kontrollen av kortinnehavaren först."))
            try:
                answer = self._call(
                    f"orders/{order_id}/handled-at-desk/",
                    {"visit": self.visit.id, "card_number": self.visit.card_number},
                )
            except (ServerRefused, ServerUnavailable) as problem:
                return self._note("error", _server_text(problem))
            self._note("ok", _("Beställningen är stängd: %(state)s. Inget kodbrev skickas.", state=answer["state"]))
            self._read_again()

    # --- helpers --------------------------------------------------------------------

    def take_notes(self) -> list[Note]:
        with self.lock:
            notes, self.notes = self.notes, []
            return notes

    def _ready(self) -> CardView | None:
        """The card to act on; None, said to the operator, without an operator or a card."""
        if self.operator is None:
            self._note("error", _("Logga in först."))
            return None
        if self.card is None:
            self._note("error", _("Sätt i kortet i kortläsaren."))
            return None
        return self.card

    def _read_again(self) -> None:
        if self.present and self.operator:
            self._read()
        self._changed()

    def _show(self, reading: CardReading | None) -> None:
        """The card after an act: as the act left it, or read afresh when that is not known."""
        if reading is None:
            return self._read_again()
        if self.card is not None:  # None: the operator's login ended meanwhile
            self.card = replace(self.card, reading=reading)
        self._changed()

    def _call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
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

    def _note(self, kind: str, text: Text) -> None:
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


def _log_fault(problem: StationError | ServerUnavailable) -> None:
    """A fault's technical cause, for IT-support: the log, with the reference the operator was given."""
    log.warning("fault %s shown to the operator (%s): %s", problem.reference, type(problem).__name__, problem)


def _fault(problem: StationError) -> Text:
    """A reader or card fault in the operator's words (the cause goes to the log)."""
    _log_fault(problem)
    return messages.describe_error(problem)


def _server_text(problem: Exception) -> Text:
    if isinstance(problem, ServerRefused):
        return problem.message
    if isinstance(problem, ServerUnavailable):
        _log_fault(problem)
    return sentences(
        _(
            "RS-portal svarar inte. Kontrollera att datorn är ansluten till nätverket, vänta en liten stund "
            "och försök igen."
        ),
        messages.it_support(ServerUnavailable.reference),
    )


def _outcome_text(outcome: Outcome, role: PinRole, done: Text) -> Text:
    text = messages.describe_outcome(outcome, role, done)
    if outcome.succeeded and outcome.tries_left is not None:
        return sentences(text, messages.tries_left(outcome.tries_left))
    return text
