"""The letter's journey: produce the code letter, hand it to the print house, follow the
status it reports, and the contact person's actions on a returned or failed letter.

Producing a letter is idempotent: it runs under a row lock on the order, only from
`approved`, writes the PDF under the letter's own id (a rerun overwrites, never adds) and
records the Letter row, whose unique (order, generation) the database enforces, in the
same transaction as the order's move to `letter_queued`.
"""

import logging
import traceback
from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_noop

from audit.actions import AuditAction
from audit.services import record
from cards.puk_store import PukUnavailable, get_puk_store
from orders import transitions
from orders.models import Letter, PrintHouseEvent, PukOrder
from orders.states import BEFORE_POSTING, OPEN_STATES, OrderState
from organisation.identity import display_personnummer
from organisation.models import User
from organisation.population_register import AddressStatus, RegisterUnavailable, get_population_register
from rsportal.queueing import enqueue, enqueue_on_commit

from .pdf import LetterContent, render_letter
from .print_house import PrintHouse, get_print_house

log = logging.getLogger(__name__)


class LetterNotPossible(Exception):
    """A permanent reason the letter cannot be made; the order goes to `failed`.

    The order keeps a letter error as its Swedish message id (gettext_noop), whatever the
    language active where the task runs; the pages translate it for their reader."""


def produce_letter(order_id: int) -> Letter | None:
    """Make the order's letter and hand it to the print house. Returns the Letter, or None
    when there is nothing to do (already made, or the order moved on). A permanent cause
    fails the order at once; anything else raises, for attempt_letter to retry."""
    with transaction.atomic():
        order = (
            PukOrder.objects.select_for_update(of=("self",))
            .select_related("holder", "card__card_type")
            .filter(pk=order_id, state=OrderState.APPROVED)
            .first()
        )
        if order is None:
            return None
        generation = order.letters.count() + 1
        try:
            content = _letter_content(order, f"{order.reference}-{generation}")
        except LetterNotPossible as problem:
            transitions.fail_letter(order, error=str(problem))
            return None
        letter = Letter.objects.create(order=order, generation=generation, forwarded=content.forwarded)
        get_print_house().hand_over(letter.letter_id, render_letter(content))
        transitions.queue_letter(order, letter_id=letter.letter_id)
    return letter


def _letter_content(order: PukOrder, letter_id: str) -> LetterContent:
    """Look the address up again at letter time and take the PUK from the store."""
    answer = get_population_register().lookup(order.holder.personnummer)  # RegisterUnavailable → retry
    if answer.status == AddressStatus.MISSING:
        raise LetterNotPossible(
            gettext_noop("Innehavaren saknar numera folkbokföringsadress: hänvisa till en kortstation.")
        )
    try:
        puk = get_puk_store().puk_for(order.card)
    except PukUnavailable:
        raise LetterNotPossible(gettext_noop("PUK-koden för kortet finns inte i PUK-arkivet.")) from None
    except ImproperlyConfigured:
        log.error("the PUK store's key is missing or invalid (RSPORTAL_PUK_STORE_KEY)")
        raise LetterNotPossible(
            gettext_noop("PUK-arkivet kan inte läsas: dess nyckel saknas eller är fel. Kontakta IT-support.")
        ) from None
    forwarded = answer.status == AddressStatus.PROTECTED
    recipient: tuple[str, ...]
    if forwarded:
        # The inner envelope names the person; the outer one goes to the forwarding service.
        recipient = (order.holder.full_name, display_personnummer(order.holder.personnummer))
    else:
        address = answer.address  # the status is REGISTERED
        if address is None:
            raise RuntimeError("the population register answered REGISTERED without an address")
        recipient = tuple(
            line
            for line in (address.name, address.care_of, address.street, f"{address.postal_code} {address.town}")
            if line
        )
    return LetterContent(
        letter_id=letter_id,
        recipient_lines=recipient,
        holder_name=order.holder.full_name,
        card_type=order.card.card_type.name,
        masked_card_number=order.card.masked_number,
        puk=puk,
        puk_length=order.card.card_type.puk_length,
        letter_date=timezone.localdate(),
        forwarded=forwarded,
    )


def form_print_batch(*, force: bool = False) -> list[str]:
    """Beat: hand the spooled letters over in batches, one after the other while a full
    batch waits, and the rest once the oldest has waited long enough (or `force`).
    Returns the ids of the batches formed."""
    print_house = get_print_house()
    for unreleased_id in print_house.unreleased_batches():
        if Letter.objects.filter(batch=unreleased_id).exists():  # recorded, then the run stopped
            print_house.release_batch(unreleased_id)
    formed: list[str] = []
    while True:
        batch_id, full = _form_one_batch(print_house, force=force)
        if batch_id is None:
            return formed
        formed.append(batch_id)
        if not full:
            return formed


def _form_one_batch(print_house: PrintHouse, *, force: bool) -> tuple[str | None, bool]:
    """(batch id or None, whether the batch was full). Letters another run has locked are
    skipped (PostgreSQL), so two runs at once form two batches of different letters."""
    size = settings.RSPORTAL_PRINT_BATCH_SIZE
    max_age = timedelta(minutes=settings.RSPORTAL_PRINT_BATCH_MAX_AGE_MINUTES)
    # Waiting: the latest letter of an order in letter_queued that the print house has not
    # reported on (a report means it has the letter, batch or no batch).
    reported = PrintHouseEvent.objects.filter(letter=OuterRef("pk"))
    with transaction.atomic():
        waiting = list(
            Letter.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(batch="", order__state=OrderState.LETTER_QUEUED)
            .filter(~Exists(reported))
            .select_related("order")
            .order_by("created_at")[:size]
        )
        if not waiting or (not force and len(waiting) < size and timezone.now() - waiting[0].created_at < max_age):
            return None, False
        batch_id, missing_ids = print_house.form_batch(
            [
                {
                    "letter_id": letter.letter_id,
                    "outer_envelope": settings.RSPORTAL_FORWARDING_ADDRESS if letter.forwarded else None,
                }
                for letter in waiting
            ]
        )
        missing = set(missing_ids)
        for letter in waiting:
            if letter.letter_id in missing:
                _lose_letter(letter)
        Letter.objects.filter(pk__in=[letter.pk for letter in waiting if letter.letter_id not in missing]).update(
            batch=batch_id
        )
    if len(missing) < len(waiting):
        print_house.release_batch(batch_id)
    return batch_id, len(waiting) == size


def _lose_letter(letter: Letter) -> None:
    """A spooled letter whose file is gone: the order fails, so that a retry makes the
    letter anew under the same id. The letter never reached the print house."""
    log.error(
        "letter %s: its file is missing from the spool; the order is failed so it can be made again", letter.letter_id
    )
    order = PukOrder.objects.select_for_update().get(pk=letter.order_id)
    error = gettext_noop("Kodbrevets fil saknades när det skulle lämnas till tryckeriet. Försök igen.")
    transitions.fail_letter(order, error=error, letter_id=letter.letter_id)
    letter.delete()


def clean_print_spool() -> int:
    """Beat: no letter stays readable on disk that nothing waits for. A letter's file lives
    while its order is in letter_queued (spooled, or in a batch the print house has not
    reported printed); anything else, left longer than the grace period, is deleted."""
    # A real print house keeps no files here; SpoolPrintHouse.remove_stale(live letter ids, older than).
    remove_stale: Callable[[Collection[str], datetime], int] | None = getattr(get_print_house(), "remove_stale", None)
    if remove_stale is None:
        return 0
    queued = Letter.objects.filter(order__state=OrderState.LETTER_QUEUED).select_related("order")
    # In generation order, so each order's latest letter is the one kept.
    latest = {
        letter.order_id: letter.letter_id for letter in queued.only("generation", "order__id").order_by("generation")
    }
    grace = timedelta(minutes=settings.RSPORTAL_PRINT_SPOOL_GRACE_MINUTES)
    return remove_stale(set(latest.values()), timezone.now() - grace)


def attempt_letter(order_id: int, *, max_attempts: int) -> int | None:
    """One run of the letter task. Returns the seconds to wait before the next attempt, or
    None when there is none to make: the letter is made, the order has moved on, or this
    was the last attempt and the order is now `failed` with the error in words."""
    try:
        produce_letter(order_id)
        return None
    except Exception as exc:  # every failure ends in another attempt or in `failed`
        error = _failure_in_words(order_id, exc)
    # Outside the except block, so nothing raised below carries the exception along: its
    # text may hold a code value (a UnicodeEncodeError quotes the string it could not encode).
    with transaction.atomic():
        order = PukOrder.objects.select_for_update().filter(pk=order_id, state=OrderState.APPROVED).first()
        if order is None:
            return None
        attempts = order.letter_attempts + 1
        if attempts >= max_attempts:
            transitions.fail_letter(order, error=error)
            return None
        delay: int = min(2 ** (attempts - 1) * 10, 600)  # int ** int is Any to typeshed
        PukOrder.objects.filter(pk=order_id).update(
            letter_attempts=attempts, letter_retry_at=timezone.now() + timedelta(seconds=delay)
        )
    return delay


def _failure_in_words(order_id: int, exc: Exception) -> str:
    """What the contact person reads. The log names the exception's class and where it was
    raised, never its text."""
    where = traceback.extract_tb(exc.__traceback__)[-1]
    log.warning("letter for order %s failed: %s at %s:%s", order_id, type(exc).__name__, where.filename, where.lineno)
    if isinstance(exc, RegisterUnavailable):
        return gettext_noop("Folkbokföringsregistret svarade inte.")
    if isinstance(exc, OSError):
        return gettext_noop("Brevet kunde inte lämnas till tryckeriet.")
    return gettext_noop(
        "Ett oväntat fel uppstod när kodbrevet skulle skapas. Försök igen; kvarstår felet, kontakta IT-support."
    )


def sweep_approved_orders(older_than_seconds: int = 120) -> int:
    """Enqueue the letter task for approved orders that have waited too long: the task
    that was enqueued at approval may have been lost (a broker that was down). An order
    whose task is retrying waits for that retry, and counts as waiting only once the
    retry is overdue."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    order_ids = list(
        PukOrder.objects.filter(state=OrderState.APPROVED)
        .alias(due=Coalesce("letter_retry_at", "updated_at"))
        .filter(due__lt=cutoff)
        .values_list("pk", flat=True)[:1000]
    )
    for order_id in order_ids:
        enqueue("letters.tasks.produce_letter", order_id)
    return len(order_ids)


def retry_letter(*, order: PukOrder, by: User) -> None:
    transitions.retry_letter(order, by=by)
    enqueue_on_commit("letters.tasks.produce_letter", order.pk)


def send_letter_again(*, order: PukOrder, by: User) -> None:
    """A returned letter: a fresh address look-up happens when the new letter is made."""
    transitions.send_letter_again(order, by=by)
    enqueue_on_commit("letters.tasks.produce_letter", order.pk)


def close_returned(*, order: PukOrder, by: User, reason: str) -> None:
    transitions.close_returned(order, by=by, reason=reason)


def withdraw_for_ended_card(order: PukOrder, *, reason: str, flag: bool = True) -> str:
    """The order's card ended in the card system (registers): no letter may go out for it.
    Before its letter is made, and while the letter is still spooled here (not in a batch),
    the order is cancelled and the spooled file discarded: "cancelled". Once the letter is
    in a batch the print house may already have taken it, and this port cannot withdraw a
    batch: the order is flagged in its trail for the RS-kort administrators ("flagged",
    unless `flag` is false: it was flagged when the card ended); "" when nothing was done."""
    with transaction.atomic():
        order = PukOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
        letter = order.letters.select_for_update().order_by("-generation").first()
        spooled = order.state == OrderState.LETTER_QUEUED and letter is not None and not letter.batch
        if order.state in BEFORE_POSTING or spooled:
            transitions.cancel_card_ended(order, reason=reason)
            if spooled and letter is not None:
                letter_id = letter.letter_id
                transaction.on_commit(lambda: get_print_house().discard(letter_id))
            return "cancelled"
        if not flag or order.state not in OPEN_STATES:
            return ""
        record(AuditAction.ORDER_FLAGGED_CARD_ENDED, order, reason=reason, state=order.state)
        return "flagged"
