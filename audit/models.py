"""The append-only audit trail.

One row per domain act (an order placed, approved, a letter sent, a card unblocked):
who, what, when, on which object, and why. A field diff log (django-auditlog and
friends) would record rows, not acts, and would happily copy a code value into the log;
here each caller says exactly what is recorded, and `record` refuses a key that looks
like a code. Rows can be added, never changed or deleted: the model and queryset
refuse it, and on PostgreSQL a trigger refuses it too.
"""

from typing import Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .actions import AuditAction


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events are append-only")

    def delete(self):
        raise AppendOnlyError("audit events are append-only")

    def for_object(self, obj: models.Model) -> Self:
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class AuditEvent(models.Model):
    at = models.DateTimeField(_("tidpunkt"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utförd av"),
    )
    # A snapshot of who acted, kept readable even if the user is renamed; "system" for tasks.
    actor_label = models.CharField(_("aktör"), max_length=200)
    action = models.CharField(_("händelse"), max_length=64, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("objekttyp"), max_length=64)
    object_id = models.CharField(_("objekt-id"), max_length=64)
    reason = models.TextField(_("motivering"), blank=True)
    data = models.JSONField(_("uppgifter"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("granskningshändelse")
        verbose_name_plural = _("granskningshändelser")
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="audit_object_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only")

    @property
    def action_label(self) -> str:
        """The action's name, as get_action_display gives it. That one makes a dict of every
        action's name on each call, translating all of them: a sixth of an order page's
        time, for its timeline."""
        try:
            return str(AuditAction(self.action).label)
        except ValueError:
            return self.action
