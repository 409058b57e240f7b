from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils import timezone
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from cards.models import Card
from organisation.models import Employee, Forvaltning
from organisation.population_register import AddressStatus

from .states import AWAITING_DECISION, OPEN_STATES, OrderState


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
    orders.services calls them. ConcurrentTransitionMixin makes a save fail if another
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
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("första godkännare"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("beslutad av"),
    )
    decided_at = models.DateTimeField(_("beslutad"), null=True, blank=True)
    rejection_reason = models.TextField(_("skäl för avslag"), blank=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("PUK-beställning")
        verbose_name_plural = _("PUK-beställningar")
        constraints = [
            models.UniqueConstraint(
                fields=["card"], condition=models.Q(state__in=OPEN_STATES), name="one_open_order_per_card"
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=Reason.OTHER) | ~models.Q(reason_text=""),
                name="other_reason_has_text",
            ),
        ]
        indexes = [models.Index(fields=["forvaltning", "state", "-created_at"], name="order_queue")]

    def __str__(self):
        return self.reference

    @property
    def reference(self):
        return f"PUK-{self.pk:06d}"

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    @property
    def placed_on_behalf(self):
        return self.placed_by_id != self.holder.user_id

    @transition(field=state, source=AWAITING_DECISION, target=OrderState.CANCELLED)
    def cancel(self):
        pass

    @transition(
        field=state,
        source=OrderState.SUBMITTED,
        target=RETURN_VALUE(OrderState.SECOND_APPROVAL, OrderState.APPROVED),
    )
    def approve_first(self, approver):
        """The first approval; a suspicious order then waits for a second, different approver."""
        if self.needs_second_approval:
            self.first_approved_by = approver
            return OrderState.SECOND_APPROVAL
        self._decide(approver)
        return OrderState.APPROVED

    @transition(field=state, source=OrderState.SECOND_APPROVAL, target=OrderState.APPROVED)
    def approve_second(self, approver):
        self._decide(approver)

    @transition(field=state, source=AWAITING_DECISION, target=OrderState.REJECTED)
    def reject(self, approver, reason):
        self._decide(approver)
        self.rejection_reason = reason

    def _decide(self, approver):
        self.decided_by = approver
        self.decided_at = timezone.now()


class Notification(models.Model):
    """One email about one order to one recipient. The unique constraint is what keeps a
    task that is delivered twice from mailing twice."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Kvitto till kortinnehavaren")
        NEW_ORDER = "new_order", _("Ny beställning till kontaktperson")
        DECISION = "decision", _("Beslut till kortinnehavaren")

    order = models.ForeignKey(PukOrder, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.EmailField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "kind", "recipient"], name="one_notification_per_recipient")
        ]
