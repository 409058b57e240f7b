"""May a new PUK letter be ordered for this card? Pure rules, no database.

The answer says what to do instead when the answer is no: the employee must never be
left without a next step.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Refusal(StrEnum):
    RESERVE_CARD = "reserve_card"
    NO_REGION_LOGO = "no_region_logo"
    DESK_ONLY = "desk_only"
    NO_NEW_PUK = "no_new_puk"
    REVOKED = "revoked"
    EXPIRED = "expired"
    OPEN_ORDER = "open_order"


REFUSAL_MESSAGES = {
    Refusal.RESERVE_CARD: _(
        "Ett reservkort kan inte få någon ny PUK-kod. Kortet klipps och avregistreras i stället: "
        "kontakta din kontaktperson eller IT-support, så får du ett nytt kort."
    ),
    Refusal.NO_REGION_LOGO: _(
        "Kortet har inte Region Skånes logotyp, så en ny PUK-kod kan inte beställas här. "
        "Kontakta den organisation som gav ut kortet."
    ),
    Refusal.DESK_ONLY: _(
        "Den här kortgenerationen låses upp endast på plats. Besök en kortstation eller "
        "support med giltig id-handling, så låser en id-administratör upp kortet."
    ),
    Refusal.NO_NEW_PUK: _("Det går inte att beställa en ny PUK-kod för den här korttypen. Kontakta IT-support."),
    Refusal.REVOKED: _("Kortet är spärrat. Kontakta din kontaktperson för att beställa ett nytt kort."),
    Refusal.EXPIRED: _("Kortets giltighetstid har gått ut. Kontakta din kontaktperson för att beställa ett nytt kort."),
    Refusal.OPEN_ORDER: _("Det finns redan en pågående beställning för kortet."),
}

# The same, said to a contact person about the employee's card (the on-behalf search).
REFUSAL_MESSAGES_TO_CONTACT_PERSON = {
    **REFUSAL_MESSAGES,
    Refusal.RESERVE_CARD: _(
        "Ett reservkort kan inte få någon ny PUK-kod. Kortet klipps och avregistreras i stället, "
        "och medarbetaren får ett nytt kort."
    ),
    Refusal.NO_REGION_LOGO: _(
        "Kortet har inte Region Skånes logotyp, så en ny PUK-kod kan inte beställas här. "
        "Hänvisa medarbetaren till den organisation som gav ut kortet."
    ),
    Refusal.DESK_ONLY: _(
        "Den här kortgenerationen låses upp endast på plats. Hänvisa medarbetaren till en "
        "kortstation eller support med giltig id-handling."
    ),
    Refusal.REVOKED: _("Kortet är spärrat. Beställ ett nytt kort åt medarbetaren i stället."),
    Refusal.EXPIRED: _("Kortets giltighetstid har gått ut. Beställ ett nytt kort åt medarbetaren i stället."),
}


@dataclass(frozen=True)
class CardFacts:
    """What the rules need to know about a card, detached from the ORM."""

    has_region_logo: bool
    is_reserve_card: bool
    puk_route: str  # CardType.PukRoute value
    revoked: bool
    valid_to: date
    has_open_order: bool


def letter_refusal(card: CardFacts, today: date) -> Refusal | None:
    """None when a PUK letter may be ordered, else the first reason it may not."""
    if card.is_reserve_card:
        return Refusal.RESERVE_CARD
    if not card.has_region_logo:
        return Refusal.NO_REGION_LOGO
    if card.revoked:
        return Refusal.REVOKED
    if card.valid_to < today:
        return Refusal.EXPIRED
    if card.puk_route == "desk_only":
        return Refusal.DESK_ONLY
    if card.puk_route != "letter":
        return Refusal.NO_NEW_PUK
    if card.has_open_order:
        return Refusal.OPEN_ORDER
    return None
