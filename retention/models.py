"""The record of what each retention run did: the gallring's own log. The audit trail holds
the same (retention_carried_out, audit_year_removed), on this row."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionRun(models.Model):
    """A run that removed or pseudonymised something (a run with nothing due leaves no row)."""

    at = models.DateTimeField(_("tidpunkt"), auto_now_add=True, db_index=True)
    # Per kind of record (retention.policy.Kind): how many rows of each sort it removed or
    # pseudonymised, e.g. {"desk": {"visits": 2, "unblock_attempts": 3, …}, …}.
    counts = models.JSONField(_("antal"), default=dict, blank=True)
    # The audit trail's whole years it dropped (PostgreSQL), oldest first.
    audit_years_removed = models.JSONField(_("borttagna år av granskningsloggen"), default=list, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("gallring")
        verbose_name_plural = _("gallringar")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"
