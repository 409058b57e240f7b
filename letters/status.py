"""Status reports from the print house: printed, posted (with the registered-mail tracking
id), delivered, returned (with its reason: unknown_address, not_collected or other). They
arrive as files in the spool's inbox or as a webhook signed with a shared secret (HMAC-SHA256 over "timestamp.body").

A report for an unknown letter, with a bad signature, seen before or signed too long ago
(replayed), or out of order for the order's state is rejected and logged, and changes
nothing. Its body goes through `rsportal.jsonbody` (size, depth, control characters, each
field's type) before any field is read.
"""

import hashlib
import hmac
import logging
import re
import time

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone, translation

from orders import transitions
from orders.models import Letter, PrintHouseEvent, PukOrder, ReturnReason
from orders.transitions import OrderRefused
from rsportal import jsonbody
from rsportal.jsonbody import Object, Text

from .print_house import get_print_house

log = logging.getLogger(__name__)

MAX_SIGNATURE_AGE_SECONDS = 300
STATUSES = ("printed", "posted", "delivered", "returned")
# One report, as the print house sends it: a line of a status file or the webhook's body.
EVENT = Object(
    required={
        "event_id": Text(100, nonblank=True),
        "letter_id": Text(100, nonblank=True),
        "status": Text(20, choices=STATUSES),
    },
    optional={
        "tracking_id": Text(64, nonblank=True, nullable=True),
        "reason": Text(40, choices=ReturnReason.values, nullable=True),
    },
)
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class StatusRejected(Exception):
    """The report is refused and nothing changed. `http_status` is the webhook's answer."""

    http_status = 400  # malformed, or not about a letter of ours


class BadSignature(StatusRejected):
    http_status = 403


class StatusConflict(StatusRejected):
    """Well-formed and correctly signed, but seen before, signed longer ago than the
    window (a replay either way: nothing to send again), out of order for the order's
    state, or about a letter that a newer one has replaced."""

    http_status = 409


def sign(body: bytes, timestamp: str, secret: str) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, timestamp: str, signature: str, *, now: float | None = None) -> None:
    """The signature first: without the right one nothing else is said (403). A correctly
    signed report from longer ago than the window is a replay (409); one timestamped
    further ahead than the window is a clock to fix (400)."""
    secret = settings.RSPORTAL_PRINT_HOUSE_SECRET
    if not secret:
        raise BadSignature("no shared secret is configured")
    if not _TIMESTAMP.fullmatch(timestamp or ""):
        raise BadSignature("bad timestamp: seconds since 1970 in ASCII digits expected")
    expected = sign(body, timestamp, secret).encode("ascii")
    if not hmac.compare_digest(expected, (signature or "").encode("utf-8", "replace")):
        raise BadSignature("bad signature")
    age = (time.time() if now is None else now) - int(timestamp)
    if age > MAX_SIGNATURE_AGE_SECONDS:
        raise StatusConflict(f"signed more than {MAX_SIGNATURE_AGE_SECONDS} seconds ago: a replay")
    if age < -MAX_SIGNATURE_AGE_SECONDS:
        raise StatusRejected(f"timestamp more than {MAX_SIGNATURE_AGE_SECONDS} seconds ahead of our clock")


def parse_event(raw: bytes | str) -> dict:
    """The event, its fields checked for type and length, or StatusRejected."""
    try:
        event = jsonbody.parse(raw, EVENT)
    except jsonbody.Refused as refused:
        raise StatusRejected(refused.reason) from None
    if event["status"] == "posted" and not event.get("tracking_id"):
        raise StatusRejected("posted needs a tracking id, as text of at most 64 characters")
    if event["status"] == "returned" and not event.get("reason"):
        raise StatusRejected(f"returned needs a reason, one of {', '.join(ReturnReason.values)}")
    return event


def apply_event(event: dict) -> Letter:
    """Apply one parsed status event, or raise StatusRejected (nothing changed). The order
    is locked first, so two reports for one order are applied one after the other."""
    order_pk, generation = _letter_key(event["letter_id"])
    try:
        with transaction.atomic():
            letter = _current_letter(order_pk, generation)
            try:
                with transaction.atomic():
                    PrintHouseEvent.objects.create(event_id=event["event_id"], letter=letter, status=event["status"])
            except IntegrityError:  # the unique event_id: the only constraint this insert can break
                raise StatusConflict("event already received (replay)") from None
            _apply(letter, event)
    except OrderRefused:
        raise StatusConflict(f"{event['status']} does not follow the order's state {letter.order.state}") from None
    if event["status"] in ("printed", "posted"):
        _discard(letter)
    return letter


# An order's reference and the letter's generation: ASCII digits within the columns' ranges.
_LETTER_ID = re.compile(r"PUK-([0-9]{1,18})-([0-9]{1,4})")


def _letter_key(letter_id):
    match = _LETTER_ID.fullmatch(letter_id)
    if match is None:
        raise StatusRejected("unknown letter")
    order_pk, generation = match.groups()
    return int(order_pk), int(generation)


def _current_letter(order_pk, generation):
    order = PukOrder.objects.select_for_update().filter(pk=order_pk).first()
    letter = order and order.letters.filter(generation=generation).first()
    if letter is None:
        raise StatusRejected("unknown letter")
    if order.letters.filter(generation__gt=generation).exists():
        raise StatusConflict("superseded letter")
    letter.order = order  # the locked row, which the transition then saves
    return letter


def _discard(letter):
    """The print house has the letter: no copy stays on disk. The report stands even if
    the file cannot be removed now; the spool's clean-up removes it later."""
    try:
        get_print_house().discard(letter.letter_id)
    except OSError as exc:
        log.warning("letter %s: its file could not be removed yet (%s)", letter.letter_id, type(exc).__name__)


def _apply(letter, event):
    now = timezone.now()
    order, status = letter.order, event["status"]
    if status == "printed":
        transitions.mark_printed(order, letter_id=letter.letter_id)
        letter.printed_at = now
    elif status == "posted":
        letter.tracking_id = event["tracking_id"].strip()
        letter.posted_at = now
        transitions.mark_posted(
            order, letter_id=letter.letter_id, forwarded=letter.forwarded, tracking_id=letter.tracking_id
        )
    elif status == "delivered":
        transitions.mark_delivered(order, letter_id=letter.letter_id)
        letter.delivered_at = now
    else:
        letter.returned_at = now
        letter.return_reason = event["reason"]
        transitions.mark_returned(
            order,
            letter_id=letter.letter_id,
            return_reason=letter.return_reason,
            # The audit trail's words are Swedish, whichever language the request or task
            # that brings the report has active; pages show the reason from its code.
            reason_in_words=_in_swedish(ReturnReason(event["reason"]).label),
        )
    letter.save()


def _in_swedish(words) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(words)


def receive(raw, source):
    """Parse and apply one report; log a rejection. Returns the letter or None."""
    try:
        return apply_event(parse_event(raw))
    except StatusRejected as rejection:
        log.warning("print-house status from %s rejected: %s", source, rejection)
        return None


def import_inbox():
    """Apply the status files in the inbox, one JSON event per line, each line on its own.

    Only complete files are read: the print house writes NAME.part and renames it to
    NAME.jsonl when it is done. A read file goes to processed/; one that is not UTF-8
    text, or has a line that could not be handled, to rejected/ for someone to look at;
    while the database cannot take reports the file stays in the inbox for the next run."""
    inbox = getattr(get_print_house(), "inbox", None)  # a real print house uses the webhook only
    if inbox is None or not inbox.exists():
        return 0
    applied = 0
    for path in sorted(inbox.glob("*.jsonl")):
        try:
            lines = path.read_bytes().decode("utf-8").splitlines()
        except UnicodeDecodeError:
            log.warning("print-house status file %s rejected: not UTF-8 text", path.name)
            _move(path, inbox / "rejected")
            continue
        try:
            done, failed = _apply_lines(lines, path.name)
        except (OperationalError, InterfaceError) as exc:
            log.warning("print-house status file %s left for the next run: %s", path.name, type(exc).__name__)
            break
        applied += done
        _move(path, inbox / ("rejected" if failed else "processed"))
    return applied


def _apply_lines(lines, source):
    """(reports applied, lines that failed unexpectedly). A database that cannot take
    reports now raises, so that the file is read again later."""
    applied = failed = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            if receive(line, f"{source}:{number}") is not None:
                applied += 1
        except (OperationalError, InterfaceError):
            raise
        except Exception as exc:  # one bad line must not stop the lines and files after it
            log.error("print-house status %s:%d could not be handled: %s", source, number, type(exc).__name__)
            failed += 1
    return applied, failed


def _move(path, folder):
    folder.mkdir(exist_ok=True)
    path.rename(folder / path.name)
