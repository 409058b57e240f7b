"""What a card export changes in RS-portal's cards: pure, no Django.

The current cards come in as a mapping card number → CurrentCard; the export as the
CardRows of registers.card_export, streamed. Only the changes are kept, so a run with
nothing changed holds nothing but the card numbers it has seen.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from .card_export import CardExportError, CardRow

ACTIVE = "active"
REVOKED = "revoked"


class Kind(StrEnum):
    NEW = "new"  # in the export, not in RS-portal
    CHANGED = "changed"  # validity, card type or holder changed; still usable
    REVOKED = "revoked"  # spärrat in the card system
    EXPIRED = "expired"  # its giltigt_till has passed
    GONE = "gone"  # no longer in the export
    REFUSED = "refused"  # a line the sync will not apply (e.g. its holder is unknown)


# The kinds that end a card's use: the safety limit counts them.
DEACTIVATING = (Kind.REVOKED, Kind.EXPIRED, Kind.GONE)


@dataclass(frozen=True)
class CurrentCard:
    card_number: str
    card_type: str
    holder_hsa_id: str
    status: str
    valid_from: date
    valid_to: date
    # Something a card that has ended must not keep: an open order or a PUK record.
    has_leftovers: bool = False

    def usable(self, today: date) -> bool:
        return self.status == ACTIVE and self.valid_to >= today


@dataclass(frozen=True)
class Change:
    kind: Kind
    card_number: str
    row: CardRow | None  # None for GONE
    current: CurrentCard | None  # None for NEW
    detail: str = ""

    def line(self) -> str:
        """The change in one line, for the dry run and the sync's record."""
        where = f"rad {self.row.line}: " if self.row else ""
        return f"{where}{self.card_number} {self.kind.value}" + (f" ({self.detail})" if self.detail else "")


@dataclass
class CardDiff:
    changes: dict[Kind, list[Change]] = field(default_factory=lambda: {kind: [] for kind in Kind})
    rows_read: int = 0
    usable_before: int = 0  # the usable cards in RS-portal before the run
    today: date = date.min

    def counts(self) -> dict[str, int]:
        return {kind.value: len(changes) for kind, changes in self.changes.items()}

    def sample(self, lines: int) -> dict[str, list[str]]:
        """The first `lines` changes of each kind there is, in words."""
        return {kind.value: [c.line() for c in changes[:lines]] for kind, changes in self.changes.items() if changes}

    @property
    def deactivations(self) -> int:
        """The usable cards the run would end (not those that had ended already)."""
        return sum(
            1
            for kind in DEACTIVATING
            for change in self.changes[kind]
            if change.current is not None and change.current.usable(self.today)
        )

    def deactivated_share(self) -> float:
        return self.deactivations / self.usable_before if self.usable_before else 0.0

    def all_changes(self) -> list[Change]:
        return [change for kind in Kind if kind is not Kind.REFUSED for change in self.changes[kind]]

    @property
    def is_empty(self) -> bool:
        return not self.all_changes()


def diff_cards(
    current: Mapping[str, CurrentCard], rows: Iterable[CardRow], today: date, known_holders: Iterable[str] = ()
) -> CardDiff:
    """Compare. `known_holders`: the HSA-ids of RS-portal's people; a card whose holder is
    not among them is refused, not applied. Raises CardExportError for a card number
    the export gives twice."""
    holders = set(known_holders)
    diff = CardDiff(usable_before=sum(1 for card in current.values() if card.usable(today)), today=today)
    seen: dict[str, int] = {}
    for row in rows:
        diff.rows_read += 1
        if row.card_number in seen:
            raise CardExportError(row.line, f"kortnumret {row.card_number} finns redan på rad {seen[row.card_number]}")
        seen[row.card_number] = row.line
        change = _change(current.get(row.card_number), row, today, holders)
        if change is not None:
            diff.changes[change.kind].append(change)
    for number, card in current.items():
        if number not in seen and (card.usable(today) or card.has_leftovers):
            diff.changes[Kind.GONE].append(Change(Kind.GONE, number, None, card, "finns inte längre i kortsystemet"))
    return diff


def _change(card: CurrentCard | None, row: CardRow, today: date, holders: set[str]) -> Change | None:
    ended = row.status == REVOKED or row.valid_to < today
    unknown_holder = row.holder_hsa_id not in holders and (card is None or card.holder_hsa_id != row.holder_hsa_id)
    if unknown_holder and not (ended and card is not None):
        return Change(Kind.REFUSED, row.card_number, row, card, f"okänd innehavare {row.holder_hsa_id}")
    if unknown_holder and card is not None:
        # A card that ended still ends; it keeps the holder RS-portal knows.
        row = replace(row, holder_hsa_id=card.holder_hsa_id)
    if card is None:
        return Change(Kind.NEW, row.card_number, row, None)
    differences = _differences(card, row)
    if ended:
        kind = Kind.REVOKED if row.status == REVOKED else Kind.EXPIRED
        if card.usable(today) or card.has_leftovers or differences:
            return Change(kind, row.card_number, row, card, ", ".join(differences))
        return None
    if differences:
        return Change(Kind.CHANGED, row.card_number, row, card, ", ".join(differences))
    return None


def _differences(card: CurrentCard, row: CardRow) -> list[str]:
    pairs = [
        ("status", card.status, row.status),
        ("korttyp", card.card_type, row.card_type),
        ("innehavare", card.holder_hsa_id, row.holder_hsa_id),
        ("utfärdat", card.valid_from, row.valid_from),
        ("giltigt till", card.valid_to, row.valid_to),
    ]
    return [f"{name} {old} → {new}" for name, old, new in pairs if old != new]
