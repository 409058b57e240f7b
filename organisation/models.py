from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import UserObjectPermissionBase

from .identity import validate_personnummer


class User(AbstractUser):
    """A login. Employees, contact persons, operators and administrators are all users;
    what they may do follows from their Employee record, object permissions and groups."""

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = pgettext_lazy("plural", "användare")


class Forvaltning(models.Model):
    """A förvaltning (administration): the unit that owns approval of its employees' orders."""

    code = models.SlugField(_("kod"), max_length=20, unique=True)
    name = models.CharField(_("namn"), max_length=200, unique=True)
    approval_target_days = models.PositiveSmallIntegerField(_("mål för handläggning (arbetsdagar)"), default=2)

    class Meta:
        ordering = ["name"]
        verbose_name = _("förvaltning")
        verbose_name_plural = _("förvaltningar")
        # Granted per förvaltning through guardian; never per order (see ContactPersonAssignment).
        permissions = [
            ("view_orders", _("Se förvaltningens beställningar")),
            ("approve_orders", _("Godkänna förvaltningens beställningar")),
        ]

    def __str__(self) -> str:
        return self.name


class ForvaltningUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct foreign-key table: fast joins instead of generic object ids."""

    content_object = models.ForeignKey(Forvaltning, on_delete=models.CASCADE)


class Employee(models.Model):
    """An employee (kortinnehavare when they hold a card). May exist without a login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee",
        verbose_name=_("inloggning"),
    )
    personnummer = models.CharField(_("personnummer"), max_length=12, unique=True, validators=[validate_personnummer])
    hsa_id = models.CharField(_("HSA-id"), max_length=64, unique=True)
    first_name = models.CharField(_("förnamn"), max_length=100)
    last_name = models.CharField(_("efternamn"), max_length=100)
    work_email = models.EmailField(_("e-post i tjänsten"))
    forvaltning = models.ForeignKey(
        Forvaltning, on_delete=models.PROTECT, related_name="employees", verbose_name=_("förvaltning")
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("medarbetare")
        verbose_name_plural = pgettext_lazy("plural", "medarbetare")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ContactPersonAssignment(models.Model):
    """Who is kontaktperson (or ersättare, substitute) for a förvaltning.

    Saving or deleting one goes through organisation.services, which keeps the guardian
    object permissions on the förvaltning in step with it.
    """

    class Role(models.TextChoices):
        CONTACT_PERSON = "kontaktperson", _("Kontaktperson")
        SUBSTITUTE = "ersattare", _("Ersättare")

    class EmailPreference(models.TextChoices):
        IMMEDIATE = "immediate", _("Ett mejl för varje ny beställning")
        DAILY_DIGEST = "daily_digest", _("En sammanställning per dag")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contact_assignments",
        verbose_name=_("användare"),
    )
    forvaltning = models.ForeignKey(
        Forvaltning, on_delete=models.CASCADE, related_name="contact_assignments", verbose_name=_("förvaltning")
    )
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices, default=Role.CONTACT_PERSON)
    email_preference = models.CharField(
        _("e-post om nya beställningar"),
        max_length=20,
        choices=EmailPreference.choices,
        default=EmailPreference.IMMEDIATE,
    )

    class Meta:
        verbose_name = _("kontaktpersonsuppdrag")
        verbose_name_plural = pgettext_lazy("plural", "kontaktpersonsuppdrag")
        constraints = [
            models.UniqueConstraint(fields=["user", "forvaltning"], name="one_assignment_per_user_and_forvaltning")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.forvaltning} ({self.get_role_display()})"
