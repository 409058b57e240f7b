"""What a list of cards offers about a lost PUK, known when the list is drawn (Mina kort,
the contact person's on-behalf search): for each card its open order to follow, or why
no letter can be ordered and what to do instead, or else the order button. Nobody fills
in the order form only to be refused after it.

Two kinds of reasons: the card's own (cards.eligibility: a reserve card, a card unblocked
only at a desk, …) and the holder's (no registered address to mail the letter to, from
the population register). The register is asked once per person on the page, and only
for a person with a card that could otherwise get a letter. A register that does not
answer refuses nothing here: the button is offered, and the order form says it then.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.utils import timezone

from cards.eligibility import REFUSAL_MESSAGES, REFUSAL_MESSAGES_TO_CONTACT_PERSON, Refusal, letter_refusal
from cards.models import Card
from organisation.models import Employee

from . import services
from .models import PukOrder
from .selectors import open_orders_by_card
from .transitions import OrderRefused


@dataclass(frozen=True)
class CardOffer:
    card: Card
    open_order: PukOrder | None = None
    refusal: str = ""  # why no letter can be ordered, and what to do instead (in the active language)
    to_desk: bool = False  # what to do instead is to visit a card station (the page lists them)

    @property
    def may_order(self) -> bool:
        return self.open_order is None and not self.refusal


def card_offers(cards: Sequence[Card], *, asked_by_holder: bool) -> list[CardOffer]:
    """An offer for each of `cards` (in their order; each with its card_type and holder
    loaded), worded for the holder or, `asked_by_holder` false, for a contact person."""
    messages = REFUSAL_MESSAGES if asked_by_holder else REFUSAL_MESSAGES_TO_CONTACT_PERSON
    open_orders = open_orders_by_card(cards)
    today = timezone.localdate()
    offers: list[CardOffer] = []
    for card in cards:
        open_order = open_orders.get(card.pk)
        cards_refusal = letter_refusal(card.eligibility_facts(has_open_order=open_order is not None), today)
        if open_order is not None:
            offers.append(CardOffer(card, open_order=open_order))
        elif cards_refusal is not None:
            message = str(messages[cards_refusal])
            offers.append(CardOffer(card, refusal=message, to_desk=cards_refusal is Refusal.DESK_ONLY))
        else:
            offers.append(CardOffer(card))
    holders = {offer.card.holder_id: offer.card.holder for offer in offers if offer.may_order}
    refused = {
        holder_id: holders_refusal
        for holder_id, holder in holders.items()
        if (holders_refusal := address_refusal(holder, asked_by_holder=asked_by_holder)) is not None
    }
    for index, offer in enumerate(offers):
        holders_refusal = refused.get(offer.card.holder_id)
        if offer.may_order and holders_refusal is not None:
            offers[index] = replace(offer, refusal=str(holders_refusal.message), to_desk=holders_refusal.to_desk)
    return offers


def address_refusal(holder: Employee, *, asked_by_holder: bool) -> OrderRefused | None:
    """Why no letter can reach `holder`, as the order form would say it: no registered
    address (the person is helped at a card station instead). None when a letter can be
    mailed, and when the register does not answer: that passes, and the order form, which
    asks again, tells it."""
    try:
        services.preview_address(holder, asked_by_holder=asked_by_holder)
    except OrderRefused as refusal:
        # services.preview_address refuses with a card station to go to for a person
        # without an address, and without one when the register did not answer.
        return refusal if refusal.to_desk else None
    return None
