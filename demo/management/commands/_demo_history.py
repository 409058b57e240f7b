"""Orders the demo starts with, so each role's pages show work in every state: an order
waiting for its contact person, one placed on behalf (its placer and one approver: four
eyes) whose letter is at the print house, one waiting in the RS-kort administrators'
central queue (its förvaltning has no contact person), a letter on its way as registered
mail, a returned letter and a rejected order. Made through the same services, tasks and
print-house reports as real ones, so their timelines are real too."""

import uuid
from collections.abc import Collection, Iterator
from dataclasses import replace
from typing import Any

from django.db import transaction

from cards.models import Card
from letters import services as letters
from letters import status as print_house_status
from orders.models import BlockedCodes, PukOrder, Reason
from orders.services import approve_order, place_order, reject_order
from organisation.models import User
from registers.card_export import CardRow
from registers.card_system import get_card_system

# username: (first, last, personnummer, hsa-id, förvaltning code), as seed_demo's PEOPLE
PEOPLE = {
    "erik": ("Erik", "Ek", "198111025675", "SE2321000289-E009", "sus"),
    "fatima": ("Fatima", "Fors", "199004173325", "SE2321000289-F010", "sus"),
    "gustav": ("Gustav", "Gran", "197612309810", "SE2321000289-G011", "primarvard"),
    "hanna": ("Hanna", "Holm", "198707262286", "SE2321000289-H012", "sus"),
    "ivar": ("Ivar", "Isaksson", "196510154039", "SE2321000289-I013", "sus"),
    "jonas": ("Jonas", "Lind", "198402193125", "SE2321000289-J014", "regionservice"),
}
CARDS = {
    "erik": "9752270000090014",
    "fatima": "9752270000100011",
    "gustav": "9752270000110010",
    "hanna": "9752270000120019",
    "ivar": "9752270000130018",
    "jonas": "9752270000140017",
}


def made() -> bool:
    """Whether the history was made: any of these cards has an order."""
    return PukOrder.objects.filter(card__card_number__in=CARDS.values()).exists()


class CardSystemBeforeHistory:
    """The demo card system as it was before the history: Ivar's card still active. His
    card broke, which is why his order was rejected; the card system revoked it since, as
    the demo export (demo/card_system.csv) says, and seed_demo's second sync mirrors that."""

    def cards(self, card_types: Collection[str]) -> Iterator[CardRow]:
        for row in get_card_system().cards(card_types):
            yield replace(row, status=Card.Status.ACTIVE) if row.card_number == CARDS["ivar"] else row


def make_history(users: dict[str, User]) -> None:
    """The orders once: nothing is made when any of these cards already has an order."""
    if not made():
        _make_orders(users, {username: Card.objects.get(card_number=number) for username, number in CARDS.items()})


def _make_orders(users: dict[str, User], cards: dict[str, Card]) -> None:
    karin, sara, kalle = users["karin"], users["sara"], users["kalle"]

    def order(username: str, placed_by: User | None = None, **choices: Any) -> PukOrder:
        with transaction.atomic():
            return place_order(placed_by=placed_by or users[username], card=cards[username], **choices)

    order("erik", reason=Reason.LOST_LETTER, blocked_codes=BlockedCodes.LEGITIMERING)
    # Placed on behalf by kalle, who is the first pair of eyes: karin's approval is the
    # second, and the letter goes.
    on_behalf = order("gustav", placed_by=kalle, reason=Reason.NEVER_RECEIVED, blocked_codes=BlockedCodes.BOTH)
    _send(on_behalf, karin)
    # Regionservice has no contact person: the order waits in the central queue for rita.
    order("jonas", reason=Reason.LOST_LETTER, blocked_codes=BlockedCodes.LEGITIMERING)

    posted = order("fatima", reason=Reason.LOST_LETTER, blocked_codes=BlockedCodes.UNDERSKRIFT)
    _send(posted, karin, ("printed", {}), ("posted", {"tracking_id": "RR876543216SE"}))

    returned = order("hanna", reason=Reason.NEVER_RECEIVED, blocked_codes=BlockedCodes.LEGITIMERING)
    _send(
        returned,
        karin,
        ("printed", {}),
        ("posted", {"tracking_id": "RR100000003SE"}),
        ("returned", {"reason": "unknown_address"}),
    )

    rejected = order(
        "ivar", reason=Reason.OTHER, reason_text="Kortet har gått sönder.", blocked_codes=BlockedCodes.PUK_ONLY
    )
    with transaction.atomic():
        reject_order(
            order=rejected,
            by=sara,
            reason="Ett trasigt kort får ingen ny PUK-kod: beställ ett nytt kort hos din kontaktperson.",
        )


def _send(order: PukOrder, approver: User, *reports: tuple[str, dict[str, str]]) -> None:
    """Approve, make the letter now (the task does the same, and finds it made), and play
    the print house's reports."""
    with transaction.atomic():
        approve_order(order=order, by=approver)
    letter = letters.produce_letter(order.pk)
    if letter is None:  # not approved for the letter, or it could not be made
        raise RuntimeError(f"demo order {order.reference}: no letter was made")
    for status, extra in reports:
        print_house_status.apply_event(
            {"event_id": str(uuid.uuid4()), "letter_id": letter.letter_id, "status": status, **extra}
        )
