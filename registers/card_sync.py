"""The card system's register for sync_registers: RS-portal's cards against the export.

What follows from a change, each an audited act of the owning app's services:
- a new card is registered (its holder found by HSA-id) and shows under Mina kort;
- a changed card gets the card system's facts;
- a card that ended (spärrat, expired, or gone from the card system) gets its status,
  its open order is withdrawn before a letter goes out (letters.services), and its PUK
  record is purged (cards.puk_store).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cards.models import Card, CardType, PukRecord
from cards.puk_store import purge_puk
from cards.services import register_cards, update_card_from_register
from letters.services import withdraw_for_ended_card
from orders.models import Letter, PukOrder
from orders.states import BEFORE_POSTING, OPEN_STATES, OrderState
from organisation.models import Employee

from .card_diff import DEACTIVATING, REVOKED, CardDiff, Change, CurrentCard, Kind, diff_cards
from .card_export import CardRow
from .card_system import CardSystem, get_card_system
from .services import Progress, counted

_ENDED_REASON = {
    Kind.REVOKED: "Kortet har spärrats i kortsystemet.",
    Kind.EXPIRED: "Kortets giltighetstid har gått ut enligt kortsystemet.",
    Kind.GONE: "Kortet finns inte längre i kortsystemet.",
}


@dataclass
class CardPlan(CardDiff):
    card_ids: dict[str, int] = field(default_factory=dict)


class CardRegister:
    def __init__(self, card_system: CardSystem | None = None) -> None:
        """`card_system`: the port named in settings unless given."""
        self.card_system = card_system

    def plan(self, progress: Progress) -> CardPlan:
        today = timezone.localdate()
        current, card_ids = _current_cards()
        progress.phase("Läser kortsystemets export")
        rows = (self.card_system or get_card_system()).cards(set(CardType.objects.values_list("code", flat=True)))
        holders = Employee.objects.values_list("hsa_id", flat=True).iterator(chunk_size=5000)
        diff = diff_cards(current, counted(rows, progress), today, holders)
        return CardPlan(
            changes=diff.changes,
            rows_read=diff.rows_read,
            usable_before=diff.usable_before,
            card_ids=card_ids,
            today=today,
        )

    def apply(self, plan: CardPlan, progress: Progress) -> int:
        changes = plan.all_changes()
        progress.phase("Uppdaterar korten", total=len(changes))
        card_types = {card_type.code: card_type for card_type in CardType.objects.all()}
        wanted = {change.row.holder_hsa_id for change in changes if change.row is not None}
        holders = dict(Employee.objects.filter(hsa_id__in=wanted).values_list("hsa_id", "pk"))
        new = [change.row for change in plan.changes[Kind.NEW] if change.row is not None]
        for start in range(0, len(new), _CHUNK):
            chunk = new[start : start + _CHUNK]
            register_cards([_new_card(row, card_types, holders) for row in chunk])
            progress.advance(len(chunk))
        known = [change for change in changes if change.kind is not Kind.NEW]
        cards = Card.objects.select_related("card_type").in_bulk([plan.card_ids[c.card_number] for c in known])
        writes = len(new)
        for change in counted(known, progress):
            writes += _apply(change, cards[plan.card_ids[change.card_number]], card_types, holders, plan.today)
        return writes


_CHUNK = 2000


def _new_card(row: CardRow, card_types: dict[str, CardType], holders: dict[str, int]) -> Card:
    return Card(
        card_number=row.card_number,
        card_type=card_types[row.card_type],
        holder_id=holders[row.holder_hsa_id],
        status=row.status,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )


def _current_cards() -> tuple[dict[str, CurrentCard], dict[str, int]]:
    """Every card as the diff sees it, and its id by card number."""
    cancellable = PukOrder.objects.filter(card=OuterRef("pk")).filter(
        Q(state__in=BEFORE_POSTING) | Q(state=OrderState.LETTER_QUEUED, letters__in=Letter.objects.filter(batch=""))
    )
    rows = (
        Card.objects.annotate(
            has_puk=Exists(PukRecord.objects.filter(card=OuterRef("pk"))), has_order=Exists(cancellable)
        )
        .values_list(
            "pk",
            "card_number",
            "card_type__code",
            "holder__hsa_id",
            "status",
            "valid_from",
            "valid_to",
            "has_puk",
            "has_order",
        )
        .iterator(chunk_size=5000)
    )
    current: dict[str, CurrentCard] = {}
    ids: dict[str, int] = {}
    for pk, number, card_type, holder, status, valid_from, valid_to, has_puk, has_order in rows:
        current[number] = CurrentCard(number, card_type, holder, status, valid_from, valid_to, has_puk or has_order)
        ids[number] = pk
    return current, ids


def _apply(change: Change, card: Card, card_types: dict[str, CardType], holders: dict[str, int], today: date) -> int:
    row = change.row
    ended = change.kind in DEACTIVATING
    reason = _ENDED_REASON.get(change.kind, "Kortets uppgifter har ändrats i kortsystemet.")
    writes = int(
        update_card_from_register(
            card,
            card_type=card_types[row.card_type] if row else card.card_type,
            holder_id=holders[row.holder_hsa_id] if row else card.holder_id,
            status=row.status if row else REVOKED,
            valid_from=row.valid_from if row else card.valid_from,
            valid_to=row.valid_to if row else card.valid_to,
            ended=ended,
            reason=reason,
        )
    )
    if not ended:
        return writes
    newly_ended = change.current is not None and change.current.usable(today)
    order = PukOrder.objects.filter(card=card, state__in=OPEN_STATES).first()
    if order is not None and withdraw_for_ended_card(order, reason=reason, flag=newly_ended):
        writes += 1
    return writes + int(purge_puk(card, reason=reason))
