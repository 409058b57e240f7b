from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from cards.models import Card
from organisation.models import Employee, Forvaltning, User
from organisation.population_register import AddressStatus

from .rules import approvals_still_needed
from .states import AWAITING_DECISION, BEFORE_POSTING, OPEN_STATES, OrderState


def order_reference(pk: int) -> str:
    """The order's name to people: PUK-000123."""
    return f"PUK-{pk:06d}"


class Reason(models.TextChoices):
    LOST_LETTER = "lost_letter", _("Jag har tappat bort PUK-brevet")
    NEVER_RECEIVED = "never_received", _("Jag har aldrig fått något PUK-brev")
    OTHER = "other", _("Annat")


class BlockedCodes(models.TextChoices):
    LEGITIMERING = "legitimering", _("PIN-koden för legitimering är spärrad")
    UNDERSKRIFT = "underskrift", _("PIN-koden för underskrift är spärrad")
    BOTH = "both", _("Båda PIN-koderna är spärrade")
    PUK_ONLY = "puk_only", _("Ingen kod är spärrad, bara PUK-brevet är borta")


class PukOrder(ConcurrentTransitionMixin, models.Model):
    """An order for a new PUK code letter (kodbrev) for one card.

    The state field is protected: only the transition methods below change it, and only
    orders.transitions calls them. ConcurrentTransitionMixin makes a save fail if another
    request moved the state since the row was read.
    """

    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="puk_orders", verbose_name=_("kort"))
    holder = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="puk_orders", verbose_name=_("kortinnehavare")
    )
    # The holder's förvaltning when the order was placed: it owns the approval.
    forvaltning = models.ForeignKey(
        Forvaltning, on_delete=models.PROTECT, related_name="puk_orders", verbose_name=_("förvaltning")
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("beställd av")
    )
    reason = models.CharField(_("orsak"), max_length=20, choices=Reason.choices)
    reason_text = models.CharField(_("annan orsak"), max_length=500, blank=True)
    blocked_codes = models.CharField(_("spärrade koder"), max_length=20, choices=BlockedCodes.choices)
    state = FSMField(_("status"), default=OrderState.SUBMITTED, choices=OrderState.choices, protected=True)
    address_status = models.CharField(
        _("adressläge"),
        max_length=20,
        choices=AddressStatus.choices,
    )
    address_registered_since = models.DateField(_("folkbokförd på adressen sedan"), null=True, blank=True)
    needs_second_approval = models.BooleanField(_("kräver två godkännanden"), default=False)
    second_approval_reasons = models.JSONField(_("skäl till andra godkännande"), default=list, blank=True)
    # Decided by Region Skåne's RS-kort administrators too, because the förvaltning has too
    # few contact persons to give the approvals it needs (orders.services.route_to_central_queue).
    central_queue = models.BooleanField(_("hos RS-kortadministratörerna"), default=False, db_default=False)
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("första godkännare"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beslutad av"),
    )
    decided_at = models.DateTimeField(_("beslutad"), null=True, blank=True)
    rejection_reason = models.TextField(_("skäl för avslag"), blank=True)
    letter_error = models.CharField(_("fel vid brevet"), max_length=300, blank=True)
    # The letter task's failed attempts since approval, and when it will try again: the
    # sweep leaves an order alone while its task is still retrying.
    letter_attempts = models.PositiveSmallIntegerField(
        _("misslyckade försök att skapa brevet"), default=0, db_default=0
    )
    letter_retry_at = models.DateTimeField(_("nästa försök att skapa brevet"), null=True, blank=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)
    # Set by the retention run (retention.services, docs/retention.md) once the order has been
    # closed longer than its period: its free text and the holder's address facts are emptied;
    # what the monthly figures count (förvaltning, states, dates, letters) stays.
    pseudonymised_at = models.DateTimeField(_("personuppgifter gallrade"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("PUK-beställning")
        verbose_name_plural = _("PUK-beställningar")
        # Region Skåne's RS-kort administrators (the group RS-kortadministratörer, made by
        # migration 0009): they decide the orders of the central queue, of any förvaltning.
        permissions = [("decide_in_central_queue", _("Besluta om beställningar i den centrala kön"))]
        constraints = [
            models.UniqueConstraint(
                fields=["card"], condition=models.Q(state__in=OPEN_STATES), name="one_open_order_per_card"
            ),
            # Until the retention run empties the text of an order closed long ago.
            models.CheckConstraint(
                condition=~models.Q(reason=Reason.OTHER)
                | ~models.Q(reason_text="")
                | models.Q(pseudonymised_at__isnull=False),
                name="other_reason_has_text",
            ),
        ]
        indexes = [
            models.Index(fields=["forvaltning", "state", "-created_at"], name="order_queue"),
            # The queue's search finds the holders first, then their orders in the contact
            # person's förvaltningar: one index answers holder, förvaltning and state.
            models.Index(fields=["holder", "forvaltning", "state"], name="order_holder_queue"),
            # A förvaltning's orders newest first, ids and all: a page of "all states"
            # reads its 25 (or, deep in the list, its n + 25) entries, where the
            # created_at index, filtered by förvaltning, passed thirty times as many.
            models.Index(fields=["forvaltning", "-created_at", "id"], name="order_forvaltning_newest"),
            # The central queue: few orders among a million, newest first.
            models.Index(
                fields=["-created_at", "id"], condition=models.Q(central_queue=True), name="order_central_queue"
            ),
            # The beat's sweeps, every minute: the approved orders still without a letter
            # (letters.services.sweep_approved_orders) and the last day's decisions
            # (orders.mail_sweep). Without them each run read all million orders.
            models.Index(fields=["updated_at"], condition=models.Q(state="approved"), name="order_waiting_for_letter"),
            models.Index(fields=["decided_at"], condition=models.Q(decided_at__isnull=False), name="order_decided"),
        ]

    if TYPE_CHECKING:
        # Model's own signature, for mypy only: django-fsm's mixin decorates its __init__ with
        # typing.override, which does not exist on Python 3.11, and an __init__ of unknown
        # type would make PukOrder, and its managers and querysets, Any to mypy.
        def __init__(self, *args: Any, **kwargs: Any) -> None: ...

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return order_reference(self.pk)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def may_be_cancelled(self) -> bool:
        """The holder may still withdraw it: it waits for a decision (see `cancel`)."""
        return self.state in AWAITING_DECISION

    @property
    def placed_on_behalf(self) -> bool:
        return self.placed_by_id != self.holder.user_id

    @property
    def approvals_required(self) -> int:
        """Approvals by contact persons who are neither the holder nor the placer (see
        orders.rules.approvals_required): two where the first approval is not final."""
        return 2 if self.needs_second_approval else 1

    @property
    def approvals_still_needed(self) -> int:
        """0 once decided; while waiting, what orders.rules.approvals_still_needed says."""
        if self.state not in AWAITING_DECISION:
            return 0
        return approvals_still_needed(
            required=self.approvals_required, first_approved=self.first_approved_by_id is not None
        )

    @transition(field=state, source=AWAITING_DECISION, target=OrderState.CANCELLED)
    def cancel(self) -> None:
        pass

    @transition(
        field=state,
        source=OrderState.SUBMITTED,
        target=RETURN_VALUE(OrderState.SECOND_APPROVAL, OrderState.APPROVED),
    )
    def approve_first(self, approver: User) -> str:
        """The first approval; a suspicious order then waits for a second, different approver."""
        if self.needs_second_approval:
            self.first_approved_by = approver
            return OrderState.SECOND_APPROVAL
        self._decide(approver)
        return OrderState.APPROVED

    @transition(field=state, source=OrderState.SECOND_APPROVAL, target=OrderState.APPROVED)
    def approve_second(self, approver: User) -> None:
        self._decide(approver)

    @transition(field=state, source=AWAITING_DECISION, target=OrderState.REJECTED)
    def reject(self, approver: User, reason: str) -> None:
        self._decide(approver)
        self.rejection_reason = reason

    # The letter's journey. Taken by letters.services (the letter task and print-house status).

    @transition(field=state, source=OrderState.APPROVED, target=OrderState.LETTER_QUEUED)
    def queue_letter(self) -> None:
        self.letter_error = ""
        self._new_letter_attempts()

    # From letter_queued too: a spooled letter whose file was lost before its batch.
    @transition(field=state, source=[OrderState.APPROVED, OrderState.LETTER_QUEUED], target=OrderState.FAILED)
    def fail_letter(self, error: str) -> None:
        self.letter_error = error
        self.letter_retry_at = None

    @transition(field=state, source=OrderState.FAILED, target=OrderState.APPROVED)
    def retry_letter(self) -> None:
        self._new_letter_attempts()

    @transition(field=state, source=OrderState.LETTER_QUEUED, target=OrderState.PRINTED)
    def mark_printed(self) -> None:
        pass

    @transition(
        field=state,
        source=[OrderState.LETTER_QUEUED, OrderState.PRINTED],
        target=RETURN_VALUE(OrderState.POSTED, OrderState.FORWARDED),
    )
    def mark_posted(self, forwarded: bool) -> str:
        # The forwarding service gives no proof of delivery: tracking ends here.
        return OrderState.FORWARDED if forwarded else OrderState.POSTED

    @transition(field=state, source=OrderState.POSTED, target=OrderState.DELIVERED)
    def mark_delivered(self) -> None:
        pass

    @transition(field=state, source=[OrderState.PRINTED, OrderState.POSTED], target=OrderState.RETURNED)
    def mark_returned(self) -> None:
        pass

    @transition(field=state, source=OrderState.RETURNED, target=OrderState.APPROVED)
    def send_again(self) -> None:
        self._new_letter_attempts()

    @transition(field=state, source=OrderState.RETURNED, target=OrderState.CLOSED)
    def close(self) -> None:
        pass

    # The card ended in the card system (registers): no letter may be made for it. From
    # letter_queued only while the letter is spooled, not in a batch (letters.services).
    @transition(field=state, source=[*BEFORE_POSTING, OrderState.LETTER_QUEUED], target=OrderState.CANCELLED)
    def cancel_card_ended(self) -> None:
        self.letter_retry_at = None

    # The holder left (registers: the HSA directory): before the letter is made, the system
    # withdraws the order. A letter already made is on its way to the holder's own address.
    @transition(field=state, source=BEFORE_POSTING, target=OrderState.CANCELLED)
    def cancel_holder_left(self) -> None:
        self.letter_retry_at = None

    @transition(field=state, source=BEFORE_POSTING, target=OrderState.HANDLED_AT_DESK)
    def handle_at_desk(self) -> None:
        """The holder was helped at a card station: no letter is needed any more."""

    def _new_letter_attempts(self) -> None:
        self.letter_attempts = 0
        self.letter_retry_at = None

    def _decide(self, approver: User) -> None:
        self.decided_by = approver
        self.decided_at = timezone.now()


class Notification(models.Model):
    """One email about one order to one recipient. The unique constraint is what keeps a
    task that is delivered twice from mailing twice."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Kvitto till kortinnehavaren")
        NEW_ORDER = "new_order", _("Ny beställning till kontaktperson")
        DECISION = "decision", _("Beslut till kortinnehavaren")
        REMINDER = "reminder", _("Påminnelse till kontaktperson")
        ESCALATION = "escalation", _("Påminnelse till ersättare")
        HOLDER_LEFT = "holder_left", _("Återkallad, innehavaren har slutat: till kontaktperson")

    order = models.ForeignKey(PukOrder, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.EmailField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "kind", "recipient"], name="one_notification_per_recipient")
        ]

    def __str__(self) -> str:
        return f"{order_reference(self.order_id)} {self.kind} → {self.recipient}"


class ReturnReason(models.TextChoices):
    """Why the post brought a letter back, as the print house reports it."""

    UNKNOWN_ADDRESS = "unknown_address", _("Okänd adress")
    NOT_COLLECTED = "not_collected", _("Inte uthämtat i tid")
    OTHER = "other", _("Annan orsak")


class Letter(models.Model):
    """One code letter produced for an order. An order gets a second letter only when a
    returned one is sent again; the unique (order, generation) is the idempotency key
    that keeps a task delivered twice from producing two."""

    order = models.ForeignKey(PukOrder, on_delete=models.PROTECT, related_name="letters", verbose_name=_("beställning"))
    generation = models.PositiveSmallIntegerField(_("brev nr"), default=1)
    created_at = models.DateTimeField(_("skapat"), auto_now_add=True)
    forwarded = models.BooleanField(_("via Skatteverkets förmedling"), default=False)
    batch = models.CharField(_("tryckomgång"), max_length=64, blank=True, db_index=True)
    printed_at = models.DateTimeField(_("utskrivet"), null=True, blank=True)
    posted_at = models.DateTimeField(_("postat"), null=True, blank=True)
    tracking_id = models.CharField(_("kolli-id"), max_length=64, blank=True)
    delivered_at = models.DateTimeField(_("utlämnat"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returnerat"), null=True, blank=True)
    return_reason = models.CharField(_("returorsak"), max_length=20, choices=ReturnReason.choices, blank=True)

    class Meta:
        ordering = ["order", "generation"]
        verbose_name = _("kodbrev")
        verbose_name_plural = pgettext_lazy("plural", "kodbrev")
        constraints = [models.UniqueConstraint(fields=["order", "generation"], name="one_letter_per_generation")]

    def __str__(self) -> str:
        return self.letter_id

    @property
    def letter_id(self) -> str:
        return f"{self.order.reference}-{self.generation}"


class PrintHouseEvent(models.Model):
    """A status report from the print house, kept so a replayed one is recognised."""

    event_id = models.CharField(max_length=100, unique=True)
    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(max_length=20)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.event_id}: {self.status}"


class Escalation(models.Model):
    """A reminder that an order has waited too long for its decision. The unique (order,
    level) is what makes each level happen once, however often the beat task runs."""

    class Level(models.IntegerChoices):
        CONTACT_PERSONS = 1, _("Påminnelse till kontaktpersonerna")
        SUBSTITUTES = 2, _("Påminnelse till ersättarna")

    order = models.ForeignKey(PukOrder, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("nivå"), choices=Level.choices)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("påminnelse")
        verbose_name_plural = _("påminnelser")
        constraints = [models.UniqueConstraint(fields=["order", "level"], name="one_escalation_per_level")]

    def __str__(self) -> str:
        return f"{order_reference(self.order_id)}: {self.get_level_display()}"


class DigestSent(models.Model):
    """The daily digest mailed to one contact person on one day: the idempotency key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    order_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "date"], name="one_digest_per_user_and_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.date}"
