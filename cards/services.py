"""The card's record as the card system (registers) keeps it: each change an audited act."""

from datetime import date

from django.db import transaction

from audit.actions import AuditAction
from audit.services import record, record_many

from .models import Card, CardType


def register_cards(cards: list[Card]) -> list[Card]:
    """Cards issued in the card system appear in RS-portal (and under their holders' Mina
    kort): unsaved Card objects in, saved and each recorded, in bulk for a first import."""
    with transaction.atomic():
        created = Card.objects.bulk_create(cards, batch_size=2000)
        record_many(
            AuditAction.CARD_REGISTERED,
            ((card, {"status": card.status, "valid_to": card.valid_to.isoformat()}) for card in created),
        )
    return created


def update_card_from_register(
    card: Card,
    *,
    card_type: CardType,
    holder_id: int,
    status: str,
    valid_from: date,
    valid_to: date,
    ended: bool,
    reason: str,
) -> bool:
    """Set the card's facts to what the card system says; `ended`: the card can no longer be
    used (spärrat, expired, or gone from the card system). True when something changed."""
    new = {
        "card_type_id": card_type.pk,
        "holder_id": holder_id,
        "status": status,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }
    changed = {name: value for name, value in new.items() if getattr(card, name) != value}
    if not changed:
        return False
    with transaction.atomic():
        for name, value in changed.items():
            setattr(card, name, value)
        card.save(update_fields=[name.removesuffix("_id") for name in changed])
        action = AuditAction.CARD_ENDED_IN_REGISTER if ended else AuditAction.CARD_CHANGED_IN_REGISTER
        record(action, card, reason=reason, changed=sorted(name.removesuffix("_id") for name in changed))
    return True
