from datetime import datetime
from typing import Self, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
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
    # Set by the retention run (retention.services, docs/retention.md) once nothing kept
    # needs the person any more (a leaver with no usable card and no order or desk visit left
    # in its period): name, personnummer, HSA-id and e-mail are replaced by a pseudonym. The
    # row stays, so the old orders keep their förvaltning and the figures stay true.
    pseudonymised_at = models.DateTimeField(_("personuppgifter gallrade"), null=True, blank=True, editable=False)
    # Set when the HSA directory says the person has left (registers.acts.person_left), cleared
    # when they return: it marks a leaver who has no login to close.
    left_at = models.DateTimeField(_("slutade"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("medarbetare")
        verbose_name_plural = pgettext_lazy("plural", "medarbetare")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def in_force_q(at: datetime | None = None, prefix: str = "") -> models.Q:
    """The rights (a RightPeriod, or through `prefix` a relation to one) in force at `at`
    (now): begun, and not yet ended. A right ends at its `valid_until` itself."""
    moment = at or timezone.now()
    begun = models.Q(**{f"{prefix}valid_from__isnull": True}) | models.Q(**{f"{prefix}valid_from__lte": moment})
    not_ended = models.Q(**{f"{prefix}valid_until__isnull": True}) | models.Q(**{f"{prefix}valid_until__gt": moment})
    return begun & not_ended


def period_in_order(name: str) -> models.CheckConstraint:
    """A right's period ends after it begins."""
    return models.CheckConstraint(
        condition=models.Q(valid_from__isnull=True)
        | models.Q(valid_until__isnull=True)
        | models.Q(valid_until__gt=models.F("valid_from")),
        name=name,
        violation_error_message=_("Slutet måste komma efter början."),
    )


class RightPeriod(models.Model):
    """A right that may hold for a period only (an ersättare for the summer, an operator on
    a fixed-term contract). It holds from `valid_from` up to, not including, `valid_until`;
    either may be left empty. Every permission check asks for the period at the time of the
    request (organisation.permissions, desk.credentials.may_operate); beat only tidies up
    after a right that ended and records the end (`recorded_end`)."""

    valid_from = models.DateTimeField(_("gäller från"), null=True, blank=True, help_text=_("Tomt: gäller redan."))
    valid_until = models.DateTimeField(
        _("gäller till"),
        null=True,
        blank=True,
        help_text=_("Tomt: gäller tills vidare. Rätten upphör i samma stund som tiden passeras."),
    )
    # The end (the valid_until) that beat has recorded as passed: each end is recorded once,
    # and a right given a new end after it ended is recorded again when that one passes.
    recorded_end = models.DateTimeField(_("registrerat slut"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def in_force_at(self, at: datetime | None = None) -> bool:
        moment = at or timezone.now()
        begun = self.valid_from is None or self.valid_from <= moment
        return begun and not self.has_ended_at(moment)

    def has_ended_at(self, at: datetime | None = None) -> bool:
        return self.valid_until is not None and self.valid_until <= (at or timezone.now())


_Right = TypeVar("_Right", bound=RightPeriod)


class RightQuerySet(models.QuerySet[_Right]):
    def in_force(self, at: datetime | None = None) -> Self:
        return self.filter(in_force_q(at))

    def not_ended(self, at: datetime | None = None) -> Self:
        """In force, or still to begin."""
        return self.exclude(valid_until__lte=at or timezone.now())

    def ended_unrecorded(self, at: datetime | None = None) -> Self:
        """Ended, and that end not recorded yet (beat's work)."""
        return self.filter(valid_until__lte=at or timezone.now()).exclude(recorded_end=models.F("valid_until"))


class ContactPersonAssignmentQuerySet(RightQuerySet["ContactPersonAssignment"]):
    pass


class ContactPersonAssignment(RightPeriod):
    """Who is kontaktperson (or ersättare, substitute) for a förvaltning.

    Saving or deleting one goes through organisation.services, which keeps the guardian
    object permissions on the förvaltning in step with it. It may hold for a period only
    (RightPeriod): outside it, the permission checks do not count it.
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

    objects = ContactPersonAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("kontaktpersonsuppdrag")
        verbose_name_plural = pgettext_lazy("plural", "kontaktpersonsuppdrag")
        constraints = [
            models.UniqueConstraint(fields=["user", "forvaltning"], name="one_assignment_per_user_and_forvaltning"),
            period_in_order("contact_assignment_period_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.forvaltning} ({self.get_role_display()})"
