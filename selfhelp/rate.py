"""The self-help rate: of the employees who read a guide, the share who then did without a
new PUK letter. A pure function over plain data; the monthly report gathers the data.

The definition, as the report page states it: of the distinct employees of a förvaltning
who, logged in, opened a guide during the month, the share who had no order for a new
PUK letter placed within ORDER_WINDOW after any of their guide reads that month. An order
counts whoever placed it (the employee, or a contact person on their behalf) and whatever
became of it. Readers who were not logged in are not in the figure: nothing ties them to
an order. A month's figure is final ORDER_WINDOW after the month ends; until then it can
still fall.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

ORDER_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class SelfHelp:
    readers: int = 0  # distinct employees who read a guide
    helped: int = 0  # of them, those with no order within the window after a read

    @property
    def rate(self) -> float | None:
        """helped / readers; None when nobody read a guide."""
        return self.helped / self.readers if self.readers else None

    @property
    def percent(self) -> int | None:
        """The rate in whole per cent; None when nobody read a guide."""
        return None if self.rate is None else round(100 * self.rate)

    def __add__(self, other: "SelfHelp") -> "SelfHelp":
        return SelfHelp(self.readers + other.readers, self.helped + other.helped)


def self_help(
    reads: Iterable[tuple[Hashable, datetime]],
    orders: Iterable[tuple[Hashable, datetime]],
    window: timedelta = ORDER_WINDOW,
) -> SelfHelp:
    """`reads`: (employee, read at) of the month's guide reads; `orders`: (employee, placed
    at) of the orders for those employees' cards, from the month's start to `window` after
    its end. An employee ordered after reading when an order falls in [read, read + window)
    for any of their reads."""
    reads_of: defaultdict[Hashable, list[datetime]] = defaultdict(list)
    for employee, read_at in reads:
        reads_of[employee].append(read_at)
    ordered = {
        employee
        for employee, placed_at in orders
        if any(read_at <= placed_at < read_at + window for read_at in reads_of.get(employee, ()))
    }
    return SelfHelp(readers=len(reads_of), helped=len(reads_of.keys() - ordered))
