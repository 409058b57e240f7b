from typing import TYPE_CHECKING, Self

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from organisation.models import Employee

from .eligibility import CardFacts

if TYPE_CHECKING:  # what gettext_lazy gives, named in django-stubs only
    from django.utils.functional import _StrPromise


def in_page_language(swedish: str, english: str) -> str:
    """A name kept in both languages (card types, card stations: data, not the UI's words):
    the English one on an English page, where there is one; else the Swedish."""
    if english and (get_language() or "").startswith("en"):
        return english
    return swedish


def english_field(label: "str | _StrPromise", max_length: int) -> "models.CharField[str, str]":
    """The English twin of a Swedish name field: optional, empty when not given."""
    return models.CharField(
        label,
        max_length=max_length,
        blank=True,
        default="",
        db_default="",
        help_text=_("Visas på de engelska sidorna."),
    )


def masked_card_number(card_number: str) -> str:
    """Only the last four digits show: enough to tell one's cards apart."""
    return "•••• " + card_number[-4:]


class CardType(models.Model):
    """A card product/generation. What can be done about a lost PUK follows from it."""

    class PukRoute(models.TextChoices):
        LETTER = "letter", _("Nytt PUK-brev kan beställas")
        DESK_ONLY = "desk_only", _("Låses upp endast på en kortstation")
        NONE = "none", _("Ingen ny PUK-kod (kortet byts)")

    code = models.SlugField(_("kod"), max_length=40, unique=True)
    name = models.CharField(_("namn"), max_length=200)
    name_en = english_field(_("namn på engelska"), 200)
    has_region_logo = models.BooleanField(_("har Region Skånes logotyp"), default=True)
    is_reserve_card = models.BooleanField(
        _("reservkort"), default=False, help_text=_("Tillfälligt kort utan foto, giltigt högst sex månader.")
    )
    puk_route = models.CharField(_("vid förlorad PUK-kod"), max_length=20, choices=PukRoute.choices)
    pin_length = models.PositiveSmallIntegerField(_("PIN-kodens längd"), default=6)
    puk_length = models.PositiveSmallIntegerField(_("PUK-kodens längd"), default=8)
    pin_max_tries = models.PositiveSmallIntegerField(_("försök innan PIN spärras"), default=3)
    puk_max_tries = models.PositiveSmallIntegerField(_("försök innan PUK spärras"), default=10)
    station_profile = models.CharField(
        _("kortprofil i kortstationen"), max_length=20, default="rs", help_text=_("t.ex. rs eller piv")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("korttyp")
        verbose_name_plural = _("korttyper")

    def __str__(self) -> str:
        return self.name

    def display_name(self) -> str:
        """The name in the page's language."""
        return in_page_language(self.name, self.name_en)


class CardQuerySet(models.QuerySet["Card"]):
    def held_by(self, employee: Employee) -> Self:
        return self.filter(holder=employee)


class Card(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Aktivt")
        REVOKED = "revoked", _("Spärrat")

    card_number = models.CharField(_("kortnummer"), max_length=32, unique=True)
    holder = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="cards", verbose_name=_("innehavare"))
    card_type = models.ForeignKey(CardType, on_delete=models.PROTECT, related_name="cards", verbose_name=_("korttyp"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    valid_from = models.DateField(_("giltigt från"))
    valid_to = models.DateField(_("giltigt till"))

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_to"]
        verbose_name = _("kort")
        verbose_name_plural = pgettext_lazy("plural", "kort")
        permissions = [("operate_station", _("Arbeta vid en kortstation"))]

    def __str__(self) -> str:
        return f"{self.card_type} {self.masked_number}"

    def eligibility_facts(self, *, has_open_order: bool) -> CardFacts:
        """The card as the pure rules of cards.eligibility see it."""
        return CardFacts(
            has_region_logo=self.card_type.has_region_logo,
            is_reserve_card=self.card_type.is_reserve_card,
            puk_route=self.card_type.puk_route,
            revoked=self.status == self.Status.REVOKED,
            valid_to=self.valid_to,
            has_open_order=has_open_order,
        )

    @property
    def masked_number(self) -> str:
        return masked_card_number(self.card_number)

    @property
    def is_expired(self) -> bool:
        return self.valid_to < timezone.localdate()


class PukRecord(models.Model):
    """A card's PUK, encrypted at rest (AES-256-GCM, the card number bound in as
    associated data so a ciphertext cannot be moved to another card). See cards.puk_store."""

    card = models.OneToOneField(Card, on_delete=models.CASCADE, related_name="puk_record", verbose_name=_("kort"))
    ciphertext = models.BinaryField(_("krypterad PUK-kod"))
    imported_at = models.DateTimeField(_("importerad"), auto_now=True)

    class Meta:
        verbose_name = _("PUK-post")
        verbose_name_plural = _("PUK-poster")

    def __str__(self) -> str:
        return f"PUK för {self.card.masked_number}"
