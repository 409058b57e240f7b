"""The letter's journey: produce the code letter, hand it to the print house, follow the
status it reports, and the contact person's actions on a returned or failed letter.

Producing a letter is idempotent: it runs under a row lock on the order, only from
`approved`, writes the PDF under the letter's own id (a rerun overwrites, never adds) and
records the Letter row, whose unique (order, generation) the database enforces, in the
same transaction as the order's move to `letter_queued`.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cards.puk_store import PukUnavailable, get_puk_store
from organisation.identity import display_personnummer
from organisation.population_register import AddressStatus, get_population_register

from . import tasks
from .letter import LetterContent, render_letter
from .models import Letter, PukOrder
from .print_house import get_print_house
from .states import OrderState
from .transitions import take_transition

log = logging.getLogger(__name__)


class LetterNotPossible(Exception):
    """A permanent reason the letter cannot be made; the order goes to `failed`."""


def produce_letter(order_id):
    """Make the order's letter and hand it to the print house. Returns the Letter, or None
    when there is nothing to do (already made, or the order moved on). Raises
    RegisterUnavailable or OSError for the task to retry."""
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
            take_transition(order, "fail_letter", None, action="letter_failed", reason=str(problem), args=(str(problem),))
            return None
        letter = Letter.objects.create(order=order, generation=generation, forwarded=content.forwarded)
        get_print_house().hand_over(letter.letter_id, render_letter(content))
        take_transition(order, "queue_letter", None, action="letter_queued", letter=letter.letter_id)
    return letter


def _letter_content(order, letter_id):
    """Look the address up again at letter time and take the PUK from the store."""
    answer = get_population_register().lookup(order.holder.personnummer)  # RegisterUnavailable → retry
    if answer.status == AddressStatus.MISSING:
        raise LetterNotPossible(_("Innehavaren saknar numera folkbokföringsadress: hänvisa till en kortstation."))
    try:
        puk = get_puk_store().puk_for(order.card)
    except PukUnavailable:
        raise LetterNotPossible(_("PUK-koden för kortet finns inte i PUK-arkivet."))
    forwarded = answer.status == AddressStatus.PROTECTED
    if forwarded:
        # The inner envelope names the person; the outer one goes to the forwarding service.
        recipient = (order.holder.full_name, display_personnummer(order.holder.personnummer))
    else:
        address = answer.address
        recipient = tuple(
            line for line in (address.name, address.care_of, address.street, f"{address.postal_code} {address.town}") if line
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


def form_print_batch(*, force=False):
    """Hand the spooled letters over as one batch when there are enough of them or the
    oldest has waited long enough. Returns the batch id, or None."""
    waiting = Letter.objects.filter(batch="").select_related("order").order_by("created_at")
    oldest = waiting.first()
    if oldest is None:
        return None
    max_age = timezone.timedelta(minutes=settings.RSPORTAL_PRINT_BATCH_MAX_AGE_MINUTES)
    letters = list(waiting[: settings.RSPORTAL_PRINT_BATCH_SIZE])
    if not force and len(letters) < settings.RSPORTAL_PRINT_BATCH_SIZE and timezone.now() - oldest.created_at < max_age:
        return None
    batch_id = get_print_house().form_batch(
        [
            {"letter_id": letter.letter_id, "outer_envelope": settings.RSPORTAL_FORWARDING_ADDRESS if letter.forwarded else None}
            for letter in letters
        ]
    )
    Letter.objects.filter(pk__in=[letter.pk for letter in letters]).update(batch=batch_id)
    return batch_id


def sweep_approved_orders(older_than_seconds=120):
    """Enqueue the letter task for approved orders that have waited too long: the task
    that was enqueued at approval may have been lost (a broker that was down)."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    order_ids = list(
        PukOrder.objects.filter(state=OrderState.APPROVED, updated_at__lt=cutoff).values_list("pk", flat=True)[:1000]
    )
    for order_id in order_ids:
        tasks.produce_letter.delay(order_id)
    return len(order_ids)


def fail_after_retries(order_id, error):
    """The letter task gave up: the order shows the error in words and a retry button."""
    with transaction.atomic():
        order = PukOrder.objects.select_for_update(of=("self",)).filter(pk=order_id, state=OrderState.APPROVED).first()
        if order is not None:
            take_transition(order, "fail_letter", None, action="letter_failed", reason=error, args=(error,))


def retry_letter(*, order, by):
    take_transition(order, "retry_letter", by, action="letter_retried")
    transaction.on_commit(lambda: tasks.produce_letter.delay(order.pk), robust=True)


def send_letter_again(*, order, by):
    """A returned letter: a fresh address look-up happens when the new letter is made."""
    take_transition(order, "send_again", by, action="letter_sent_again")
    transaction.on_commit(lambda: tasks.produce_letter.delay(order.pk), robust=True)


def close_returned(*, order, by, reason):
    take_transition(order, "close", by, action="order_closed", reason=reason)
