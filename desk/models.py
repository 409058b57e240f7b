"""Card stations, the operators' visits at them, unblock attempts and PUK tickets.

A station is known to the server only through its credential (stored as a SHA-256
hash: it is a random 256-bit secret, so a slow hash adds nothing). The ID check lives
on a DeskVisit: one holder's card, at one station, with one operator. No column holds a
PIN, a PUK or an ID document's number.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cards.models import Card, english_field, in_page_language
from organisation.models import RightPeriod, RightQuerySet, period_in_order


class Station(models.Model):
    name = models.CharField(_("namn"), max_length=200, unique=True)
    name_en = english_field(_("namn på engelska"), 200)
    location = models.CharField(_("plats"), max_length=300)
    location_en = english_field(_("plats på engelska"), 300)
    credential_hash = models.CharField(_("inloggningsnyckel (hash)"), max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("aktiv"), default=True)
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        through="StationOperator",
        related_name="stations",
        verbose_name=_("operatörer"),
        help_text=_("Användare som får arbeta vid stationen. De behöver också behörigheten Arbeta vid en kortstation."),
    )

    # Its health, as its agent last reported it (desk/health.py): on every call of the
    # station API (a header) and by its heartbeat. Not edited by hand.
    last_seen_at = models.DateTimeField(_("senast hörd av"), null=True, blank=True, editable=False)
    agent_version = models.CharField(_("programversion"), max_length=40, blank=True, editable=False)
    reader = models.CharField(_("kortläsare som används"), max_length=200, blank=True, editable=False)
    readers = models.JSONField(_("kortläsare"), default=dict, blank=True, editable=False)  # name: card in it
    pcscd_answers = models.BooleanField(_("kortläsartjänsten svarar"), null=True, editable=False)
    last_error_at = models.DateTimeField(_("senaste fel"), null=True, blank=True, editable=False)
    last_error_kind = models.CharField(_("felets slag"), max_length=60, blank=True, editable=False)
    last_error_reference = models.CharField(_("felets referens"), max_length=40, blank=True, editable=False)
    last_error_detail = models.CharField(_("felets tekniska beskrivning"), max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kortstation")
        verbose_name_plural = _("kortstationer")

    def __str__(self) -> str:
        return self.name

    def display_name(self) -> str:
        """The name in the page's language."""
        return in_page_language(self.name, self.name_en)

    def display_location(self) -> str:
        """Where the station is, in the page's language."""
        return in_page_language(self.location, self.location_en)


class StationFault(models.Model):
    """A fault a station's agent reported (desk/health.py): once each, kept for
    RSPORTAL_RETENTION_STATION_FAULT_DAYS (retention). Technical words only: reader names,
    ATRs, status words; never a code."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="faults", verbose_name=_("kortstation"))
    occurred_at = models.DateTimeField(_("inträffade"))
    kind = models.CharField(_("slag"), max_length=60)
    reference = models.CharField(_("referens"), max_length=40, blank=True)
    detail = models.CharField(_("teknisk beskrivning"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("mottaget"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(fields=["station", "occurred_at", "kind"], name="station_fault_once"),
        ]
        indexes = [models.Index(fields=["occurred_at"], name="station_fault_occurred")]
        verbose_name = _("stationsfel")
        verbose_name_plural = _("stationsfel")

    def __str__(self) -> str:
        return f"{self.station}: {self.kind} {self.reference}".strip()


class StationOperatorQuerySet(RightQuerySet["StationOperator"]):
    pass


class StationOperator(RightPeriod):
    """An operator's right to work at a station, for a period if it has one (an operator on
    a fixed-term contract). desk.credentials.may_operate asks for the period on every call
    of the station API; beat records the end (desk.services.end_expired_operator_rights).

    The table is the one Django made for Station.operators before the right had a period."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="operator_rights", verbose_name=_("kortstation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="station_rights",
        verbose_name=_("operatör"),
    )

    objects = StationOperatorQuerySet.as_manager()

    class Meta:
        db_table = "station_station_operators"
        unique_together = [("station", "user")]
        constraints = [period_in_order("station_operator_period_in_order")]
        verbose_name = _("operatörsbehörighet")
        verbose_name_plural = _("operatörsbehörigheter")

    def __str__(self) -> str:
        return f"{self.user} vid {self.station}"


class DeskSession(models.Model):
    """An operator logged in at a station. The operator token names it, so the server can
    end it: on logout, when idle too long, or when too old (station.credentials)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="+", verbose_name=_("kortstation"))
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("operatör")
    )
    started_at = models.DateTimeField(_("inloggad"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("senast aktiv"))
    ended_at = models.DateTimeField(_("utloggad"), null=True, blank=True)
    # How the operator logged in (sso.assurance.Assurance.as_audit()): every act through
    # this login carries it in the audit trail.
    assurance = models.JSONField(_("inloggningssätt"), default=dict, blank=True, editable=False)
    # The one-time login code's random part (desk.login_codes), when the login came with
    # one: unique, so a code opens one login only, however many try it at once.
    login_code = models.CharField(
        _("inloggningskod"), max_length=40, unique=True, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("inloggning vid kortstation")
        verbose_name_plural = _("inloggningar vid kortstation")

    def __str__(self) -> str:
        return f"{self.operator} vid {self.station}"


class IdDocument(models.TextChoices):
    """The kind of document the holder showed; never its number."""

    PASSPORT = "passport", _("Pass")
    NATIONAL_ID = "national_id", _("Nationellt id-kort")
    DRIVING_LICENCE = "driving_licence", _("Körkort")
    EMPLOYEE_CARD = "employee_card", _("Tjänstekort med foto")


class DeskVisit(models.Model):
    """A holder at the desk: the ID check, for this card, this station and this operator."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="visits", verbose_name=_("kortstation"))
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("operatör")
    )
    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="desk_visits", verbose_name=_("kort"))
    id_document = models.CharField(_("id-handling"), max_length=20, choices=IdDocument.choices)
    started_at = models.DateTimeField(_("ID-kontroll gjord"), auto_now_add=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("besök vid kortstation")
        verbose_name_plural = pgettext_lazy("plural", "besök vid kortstation")

    def __str__(self) -> str:
        return f"{self.card.masked_number} vid {self.station}"


class Outcome(models.TextChoices):
    """What the station reports an unblock or a PIN change came to: the card library's (cards.reader)
    results (cards.reader.operations.Result) and the desk's own, in words."""

    DONE = "done", _("Klart")
    NEW_PIN_REFUSED = "new_pin_refused", _("Ny PIN-kod av fel form: inget skickades")
    CODE_MALFORMED = "code_malformed", _("Kod av fel form: inget skickades")
    NOT_CONFIRMED = "not_confirmed", _("Sista PUK-försöket bekräftades inte: inget skickades")
    WRONG_PUK = "wrong_puk", _("Fel PUK-kod")
    PUK_BLOCKED = "puk_blocked", _("PUK-koden spärrad: kortet måste bytas ut")
    WRONG_PIN = "wrong_pin", _("Fel PIN-kod")
    PIN_BLOCKED = "pin_blocked", _("PIN-koden spärrad")
    CARD_REFUSED_NEW_PIN = "card_refused_new_pin", _("Kortet godtog inte den nya PIN-koden")
    NEW_PIN_NOT_WORKING = "new_pin_not_working", _("Den nya PIN-koden gick inte att kontrollera")
    NEW_PIN_NOT_SET = "new_pin_not_set", _("PUK-koden godtogs, men ingen ny PIN-kod sattes på knappsatsen")
    PINPAD_CANCELLED = "pinpad_cancelled", _("Avbrutet på kortläsarens knappsats")
    PINPAD_TIMEOUT = "pinpad_timeout", _("Ingen kod på kortläsarens knappsats i tid")
    PINPAD_MISMATCH = "pinpad_mismatch", _("Olika nya PIN-koder på knappsatsen")
    SECURITY_NOT_SATISFIED = "security_not_satisfied", _("Kortet vägrade: säkerhetsvillkoren är inte uppfyllda (6982)")
    UNKNOWN_INSTRUCTION = "unknown_instruction", _("Kortet vägrade: okänt kommando (6D00)")
    CARD_REMOVED = "card_removed", _("Kortet togs ut: utfallet är okänt")
    CARD_ERROR = "card_error", _("Kortet svarade med ett fel")
    PUK_NOT_RELEASED = "puk_not_released", _("PUK-koden lämnades inte ut")


class UnblockAttempt(models.Model):
    """One unblock of one PIN, allowed by the server before any PUK is sent."""

    class Pin(models.TextChoices):
        LEGITIMERING = "legitimering", _("PIN-koden för legitimering")
        UNDERSKRIFT = "underskrift", _("PIN-koden för underskrift")

    visit = models.ForeignKey(DeskVisit, on_delete=models.PROTECT, related_name="unblocks", verbose_name=_("besök"))
    pin = models.CharField(_("PIN-kod"), max_length=20, choices=Pin.choices)
    assisted = models.BooleanField(_("assisterad (utan PUK-brev)"), default=False)
    puk_tries_before = models.PositiveSmallIntegerField(_("PUK-försök kvar före"), null=True)
    second_operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("andra operatör"),
    )
    started_at = models.DateTimeField(_("påbörjad"), auto_now_add=True)
    result = models.CharField(_("resultat"), max_length=40, blank=True, choices=Outcome.choices)
    tries_left_after = models.PositiveSmallIntegerField(_("försök kvar efter"), null=True)
    finished_at = models.DateTimeField(_("avslutad"), null=True)

    class Meta:
        verbose_name = _("upplåsning")
        verbose_name_plural = _("upplåsningar")

    def __str__(self) -> str:
        return f"{self.visit}: {self.get_pin_display()}"


class PukTicket(models.Model):
    """The right to fetch one card's PUK once, for one operator at one station, briefly.

    The id is random (uuid4) but the ticket is worth nothing without the station's
    credential and the operator's token; `used_at` is set by a conditional UPDATE, so
    two redemptions at once yield one PUK."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    attempt = models.OneToOneField(UnblockAttempt, on_delete=models.PROTECT, related_name="ticket")
    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="+", verbose_name=_("kort"))
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("operatör")
    )
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="+", verbose_name=_("kortstation"))
    issued_at = models.DateTimeField(_("utfärdad"), auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(_("gäller till"))
    used_at = models.DateTimeField(_("använd"), null=True, blank=True)
    # Set when a ticket that was never used is recorded as expired (station.services).
    lapse_recorded_at = models.DateTimeField(_("förfallen, registrerad"), null=True, blank=True)

    class Meta:
        verbose_name = _("PUK-biljett")
        verbose_name_plural = _("PUK-biljetter")

    def __str__(self) -> str:
        # Not the id: with the station's credential and the operator's token it fetches the PUK.
        return f"PUK-biljett för {self.card.masked_number}"
