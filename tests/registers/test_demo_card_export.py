"""The demo's card system export holds the demo people's cards as seed_demo makes them."""

from datetime import date

from django.conf import settings

from cards.models import Card
from demo.management.commands import _demo_history
from demo.management.commands.seed_demo import CARD_TYPES, CARDS, PEOPLE
from registers.card_export import read_card_export


def test_the_demo_export_has_every_demo_card_with_its_holder_status_and_dates():
    card_types = {spec["code"] for spec in CARD_TYPES}
    with open(settings.CARD_SYSTEM_FILE, encoding="utf-8", newline="") as f:
        exported = {
            row.card_number: (row.card_type, row.holder_hsa_id, row.status, row.valid_from, row.valid_to)
            for row in read_card_export(f, card_types)
        }
    # The demo history revokes Ivar's card (the card system did: his order was rejected).
    revoked_later = {_demo_history.CARDS["ivar"]}
    seeded = {
        number: (
            type_code,
            PEOPLE[username][3],
            Card.Status.REVOKED if number in revoked_later else status,
            date(valid_to.year - 5, valid_to.month, 1),
            valid_to,
        )
        for username, cards in CARDS.items()
        for number, type_code, status, valid_to in cards
    }
    assert exported == seeded
