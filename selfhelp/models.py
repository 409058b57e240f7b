"""What the self-help figures need, and nothing more.

A guide read is statistics, not an audited act: nobody decides anything by reading, so it
is a row here, not an audit event. It keeps the guide, when, and for an employee who is
logged in the employee and their förvaltning (the monthly report's self-help rate asks
whether that employee ordered a letter afterwards); a reader who is not logged in as an
employee is kept as no one. One row per employee, guide and day: reading a page again
adds nothing the figure uses. Feedback keeps the answer, the free text and the
förvaltning of an employee who gave it, never who gave it. Both are deleted once they
are older than the retention period (selfhelp.selectors.RETENTION_MONTHS), by beat.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organisation.models import Employee, Forvaltning

from .guides import Guide


class GuideRead(models.Model):
    guide = models.CharField(_("guide"), max_length=40, choices=Guide.choices)
    # None: someone not logged in as an employee.
    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("medarbetare")
    )
    # The employee's förvaltning when they read: the report counts them there.
    forvaltning = models.ForeignKey(
        Forvaltning, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("förvaltning")
    )
    read_on = models.DateField(_("läst dag"))
    read_at = models.DateTimeField(_("läst"), db_index=True)

    class Meta:
        ordering = ["-read_at"]
        verbose_name = _("läsning av guide")
        verbose_name_plural = _("läsningar av guider")
        constraints = [
            # Rows without an employee are never equal here (NULLs are distinct): each counts.
            models.UniqueConstraint(fields=["employee", "guide", "read_on"], name="selfhelp_one_read_a_day"),
        ]
        indexes = [models.Index(fields=["forvaltning", "read_at"], name="selfhelp_read_forvaltning_at")]

    def __str__(self) -> str:
        return f"{self.get_guide_display()} {self.read_on:%Y-%m-%d}"


class GuideFeedback(models.Model):
    guide = models.CharField(_("guide"), max_length=40, choices=Guide.choices)
    helpful = models.BooleanField(_("till hjälp"))
    text = models.TextField(_("synpunkter"), max_length=1000, blank=True)
    # The förvaltning of an employee who was logged in, for the monthly report; never who.
    forvaltning = models.ForeignKey(
        Forvaltning, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("förvaltning")
    )
    created_at = models.DateTimeField(_("lämnad"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("synpunkt på guide")
        verbose_name_plural = _("synpunkter på guider")

    def __str__(self) -> str:
        return f"{self.get_guide_display()} {self.created_at:%Y-%m-%d}"
