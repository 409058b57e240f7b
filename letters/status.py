"""Status reports from the print house: printed, posted (with the registered-mail tracking
id), delivered, returned (with its reason: unknown_address, not_collected or other). They
arrive as files in the spool's inbox or as a webhook signed with a shared secret (HMAC-SHA256 over "timestamp.body").

A report for an unknown letter, with a bad signature, seen before (replayed), too old, or
out of order for the order's state is rejected and logged, and changes nothing.
"""

import hashlib
import hmac
import json
import logging
import re
import time

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from orders import transitions
from orders.models import Letter, PrintHouseEvent, PukOrder, ReturnReason
from orders.transitions import OrderRefused

from .print_house import get_print_house

log = logging.getLogger(__name__)

MAX_SIGNATURE_AGE_SECONDS = 300
STATUSES = {"printed", "posted", "delivered", "returned"}


class StatusRejected(Exception):
    """The report is refused and nothing changed. `http_status` is the webhook's answer."""

    http_status = 400  # malformed, or not about a letter of ours


class BadSignature(StatusRejected):
    http_status = 403


class StatusConflict(StatusRejected):
    """Well-formed, but seen before, out of order for the order's state, or about a
    letter that a newer one has replaced."""

    http_status = 409


def sign(body: bytes, timestamp: str, secret: str) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, timestamp: str, signature: str, *, now=None) -> None:
    secret = settings.RSPORTAL_PRINT_HOUSE_SECRET
    if not secret:
        raise BadSignature("no shared secret is configured")
    try:
        age = (now or time.time()) - int(timestamp)
    except (TypeError, ValueError):
        raise BadSignature("bad timestamp") from None
    if abs(age) > MAX_SIGNATURE_AGE_SECONDS:
        raise BadSignature("timestamp outside the allowed window")
    if not hmac.compare_digest(sign(body, timestamp, secret), signature or ""):
        raise BadSignature("bad signature")


def parse_event(raw: bytes | str) -> dict:
    """The event, its fields checked for type and length, or StatusRejected."""
    try:
        event = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise StatusRejected("not JSON") from None
    if not isinstance(event, dict) or not all(_text(event.get(k), 100) for k in ("event_id", "letter_id", "status")):
        raise StatusRejected("event_id, letter_id and status are required, as text of at most 100 characters")
    if event["status"] not in STATUSES:
        raise StatusRejected("unknown status")
    if event["status"] == "posted" and not _text(event.get("tracking_id"), 64):
        raise StatusRejected("posted needs a tracking id, as text of at most 64 characters")
    if event["status"] == "returned" and event.get("reason") not in ReturnReason.values:
        raise StatusRejected(f"returned needs a reason, one of {', '.join(ReturnReason.values)}")
    return event


def _text(value, max_length):
    return isinstance(value, str) and 0 < len(value.strip()) <= max_length


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
            reason_in_words=str(ReturnReason(event["reason"]).label),
        )
    letter.save()


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
