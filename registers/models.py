from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncRun(models.Model):
    """One run of sync_registers for one register: what it found, and what it did or why not."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Pågår")
        OK = "ok", _("Klar")
        REFUSED = "refused", _("Nekad: för många kort eller personer skulle upphöra")
        FAILED = "failed", _("Misslyckades: inget ändrades")

    register = models.CharField(_("register"), max_length=40, db_index=True)
    started_at = models.DateTimeField(_("startad"), auto_now_add=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    dry_run = models.BooleanField(_("provkörning"), default=False)
    forced = models.BooleanField(_("säkerhetsgränsen förbigicks"), default=False)
    outcome = models.CharField(_("utfall"), max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    rows_read = models.PositiveIntegerField(_("rader lästa"), default=0)
    counts = models.JSONField(_("ändringar per slag"), default=dict, blank=True)
    writes = models.PositiveIntegerField(_("skrivningar"), default=0)
    sample = models.JSONField(_("de första ändringarna"), default=dict, blank=True)
    message = models.TextField(_("nekande eller fel"), blank=True)
    # On the run an outage is counted from (the last success, or the register's first run
    # when none succeeded): when the administrators were told no success followed. Once
    # per outage; the next success starts a new one.
    outage_alerted_at = models.DateTimeField(_("larm om uteblivna körningar skickat"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("registerkörning")
        verbose_name_plural = _("registerkörningar")
        indexes = [models.Index(fields=["register", "outcome", "-started_at"], name="sync_run_last_ok")]

    def __str__(self) -> str:
        return f"{self.register} {self.started_at:%Y-%m-%d %H:%M} ({self.get_outcome_display()})"
