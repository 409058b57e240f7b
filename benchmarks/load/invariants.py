"""The invariants checked after a load run: nothing lost, nothing done twice.

    python -m benchmarks.load.invariants --database-url URL --created FILE --reports FILE \\
        [--since ISO-TIME] [--until ISO-TIME] [--sweep-period-seconds S]

Exits 0 when all five hold, 1 naming each breach with its count and up to 10 example ids.
The load command may call `check(...)` instead (Django set up, `configure(url)` if not).

The load test's two files, JSON Lines, one object a line:

--created   one line per order the load test was told was created (the answer to sending
            the order form named it): {"order_id": 123, "order_number": "PUK-000123"}.
            Either key is enough; with both, the number must name the id.
--reports   one line per status report sent to the print-house webhook, or written to its
            inbox: {"event_id": "...", "letter_id": "PUK-000123-1", "status": "printed",
            "duplicate": false, "answer": 204}. `duplicate`: a deliberate resend of an
            event_id sent before. `answer`: the HTTP status, or null when none came (a
            dropped connection, a report written as a file).

"During the run" is the window [--since, --until] on the orders' created_at: the load
command passes the time just before its first request (UTC, ISO 8601), and --until when
anything after the run may create orders. Without --since, the first told order's
created_at is used, which cannot see an order made before it whose answer was lost.

The orders examined are those made during the run, those with an audit event since its
start (decided, given a letter, reported on) and those the two files name; seeded orders
the run never touched are not read. What is checked, and how:

1. One letter per generation. Each order's letters are generations 1..n with no gap, and
   n is what its state and its LETTER_SENT_AGAIN events allow: none before a decision or
   after a rejection; the sends-again while `approved` or `failed` (the next letter not
   made yet); one more than that from `letter_queued` to `closed`; either while
   `cancelled` or `handled_at_desk` (a spooled letter is kept when its card ends).
2. No order stuck. Only `approved` waits on the system alone (every other open state waits
   on a person or the print house), and the sweep re-enqueues an approved order once its
   letter task is due (letter_retry_at, else updated_at) longer than the sweep's age
   ago, every beat interval. So every approved order in the database, seeded or not, must
   be due less than age + interval + a grace for the task itself ago (--sweep-period-seconds
   overrides). The load command waits that long after its traffic stops, or runs the sweep
   and lets the workers drain, before checking.
3. Each report applied once, for the reports in --reports: an event_id is answered 2xx at
   most once; one answered 2xx is recorded (a PrintHouseEvent for its letter and status);
   one refused by every answer (4xx) is not; and for each letter and status the audit
   trail's status changes equal the reports recorded.
4. Orders told = orders made: every told id exists, no order made during the run is
   missing from the file, and no id is told twice.
5. One audit event per act: per order ORDER_SUBMITTED once; ORDER_FIRST_APPROVAL once if
   it had a first of two approvals; ORDER_APPROVED once if decided and not rejected, else
   never; ORDER_REJECTED once if rejected, else never. Per letter made during the run,
   LETTER_QUEUED once, plus once more for each time its file was lost and the letter made
   again (a LETTER_FAILED naming it). For letters made during the run that --reports does
   not name (3 counts those), each status change once per report recorded.
"""

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

EXAMPLES = 10
CHUNK = 2000
ORDER = "orders.pukorder"
# The letter task's own run after the sweep enqueued it, on a loaded machine.
SWEEP_GRACE_SECONDS = 30

ONE_LETTER = "1 one letter per generation"
NOT_STUCK = "2 no order stuck"
REPORTS_ONCE = "3 each report applied once"
ORDERS_TOLD = "4 orders told = orders made"
AUDIT_PER_ACT = "5 one audit event per act"


@dataclass(frozen=True)
class Breach:
    invariant: str
    what: str
    count: int
    examples: list[str]

    def __str__(self) -> str:
        return f"BREACH {self.invariant}: {self.count} {self.what}: {', '.join(self.examples)}"


def breach(invariant: str, what: str, ids: Iterable[Any]) -> list[Breach]:
    ids = sorted({str(i) for i in ids}, key=lambda i: (len(i), i))  # PUK-000009 before PUK-000010
    return [Breach(invariant, what, len(ids), ids[:EXAMPLES])] if ids else []


@dataclass
class World:
    """What the database holds about the orders examined."""

    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    generations: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    letters_made: set[str] = field(default_factory=set)  # during the run
    acts: Counter[tuple[int, str]] = field(default_factory=Counter)  # (order, action)
    letter_acts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (letter id, action)
    received: dict[str, tuple[str, str]] = field(default_factory=dict)  # event id: (letter id, status)
    recorded: Counter[tuple[str, str]] = field(default_factory=Counter)  # (letter id, status)


def check(
    *,
    created: Iterable[dict] | str | Path,
    reports: Iterable[dict] | str | Path,
    since: datetime | None = None,
    until: datetime | None = None,
    sweep_period_seconds: float | None = None,
) -> list[Breach]:
    """The breaches of the five invariants (none: all hold), on Django's database.
    `created` and `reports`: the load test's files, or their lines already read."""
    return examine(created, reports, since, until, sweep_period_seconds)[0]


def examine(created, reports, since, until, sweep_period_seconds) -> tuple[list[Breach], dict[str, Any]]:
    """(the breaches, what was examined)."""
    from django.utils import timezone

    from orders.models import PukOrder

    told = list(_lines(created))
    sent = list(_lines(reports))
    told_ids, misnumbered = _told_ids(told)
    if since is None:
        first = PukOrder.objects.filter(pk__in=told_ids).order_by("created_at").first()
        since = first.created_at if first else timezone.now()
    period = sweep_period_seconds if sweep_period_seconds is not None else default_sweep_period()
    made = PukOrder.objects.filter(created_at__gte=since)
    if until is not None:
        made = made.filter(created_at__lte=until)
    made_ids = set(made.values_list("pk", flat=True))
    named = {key[0] for key in (_letter_key(r["letter_id"]) for r in sent) if key}
    world = _read(made_ids | set(told_ids) | named | _touched_since(since), since, {r["event_id"] for r in sent})
    breaches = [
        *_one_letter_per_generation(world),
        *_not_stuck(period),
        *_reports_applied_once(world, sent),
        *_orders_told(told_ids, misnumbered, made_ids, world),
        *_audit_per_act(world, {r["letter_id"] for r in sent}),
    ]
    examined = {
        "since": since,
        "orders told": len(told_ids),
        "orders made": len(made_ids),
        "orders examined": len(world.orders),
        "letters made": len(world.letters_made),
        "reports sent": len(sent),
        "duplicates sent": sum(bool(r.get("duplicate")) for r in sent),
        "reports recorded": len(world.received),
        "sweep period s": period,
    }
    return breaches, examined


def default_sweep_period() -> float:
    """The sweep's age plus its beat interval plus a grace: read from the code, not copied."""
    import inspect

    from django.conf import settings

    from letters import services

    age = inspect.signature(services.sweep_approved_orders).parameters["older_than_seconds"].default
    interval = settings.CELERY_BEAT_SCHEDULE["letters-sweep-approved-orders"]["schedule"]
    return float(age + interval + SWEEP_GRACE_SECONDS)


def _lines(source: Iterable[dict] | str | Path) -> Iterator[dict]:
    if not isinstance(source, str | Path):
        yield from source
        return
    with open(source, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _told_ids(told: list[dict]) -> tuple[list[int], list[str]]:
    """The ids told, in order (an id told twice is there twice), and the numbers that do
    not name their id."""
    from orders.models import order_reference

    ids, misnumbered = [], []
    for line in told:
        number = line.get("order_number")
        order_id = line.get("order_id")
        if order_id is None:
            order_id = int(number.removeprefix("PUK-"))
        elif number is not None and number != order_reference(int(order_id)):
            misnumbered.append(number)
        ids.append(int(order_id))
    return ids, misnumbered


def _letter_key(letter_id: str) -> tuple[int, int] | None:
    """(order id, generation), or None for a letter id that is not one of ours."""
    from letters.status import StatusRejected
    from letters.status import _letter_key as parse

    try:
        return parse(letter_id)
    except StatusRejected:
        return None


def _touched_since(since: datetime) -> set[int]:
    from audit.models import AuditEvent

    touched = AuditEvent.objects.filter(object_type=ORDER, at__gte=since).values_list("object_id", flat=True)
    return {int(pk) for pk in touched.distinct()}


def _chunks(ids: Iterable[Any]) -> Iterator[list[Any]]:
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _read(order_ids: set[int], since: datetime, event_ids: set[str]) -> World:
    from audit.models import AuditEvent
    from orders.models import Letter, PrintHouseEvent, PukOrder, order_reference

    world = World()
    for chunk in _chunks(order_ids):
        for order in PukOrder.objects.filter(pk__in=chunk).values(
            "pk", "state", "decided_by_id", "first_approved_by_id"
        ):
            world.orders[order["pk"]] = order
        for order_id, generation, created_at in Letter.objects.filter(order_id__in=chunk).values_list(
            "order_id", "generation", "created_at"
        ):
            world.generations[order_id].append(generation)
            if created_at >= since:
                world.letters_made.add(f"{order_reference(order_id)}-{generation}")
        events = AuditEvent.objects.filter(object_type=ORDER, object_id__in=[str(pk) for pk in chunk])
        for object_id, action, data in events.values_list("object_id", "action", "data"):
            world.acts[int(object_id), action] += 1
            if isinstance(data, dict) and data.get("letter"):
                world.letter_acts[data["letter"], action] += 1
        received = PrintHouseEvent.objects.filter(letter__order_id__in=chunk)
        for row in received.values("event_id", "letter__order_id", "letter__generation", "status"):
            letter_id = f"{order_reference(row['letter__order_id'])}-{row['letter__generation']}"
            world.recorded[letter_id, row["status"]] += 1
            world.received[row["event_id"]] = (letter_id, row["status"])
    # A report recorded for a letter of an order outside the ones examined: still recorded.
    for chunk in _chunks(event_ids - world.received.keys()):
        for row in PrintHouseEvent.objects.filter(event_id__in=chunk).values(
            "event_id", "letter__order_id", "letter__generation", "status"
        ):
            letter_id = f"{order_reference(row['letter__order_id'])}-{row['letter__generation']}"
            world.received[row["event_id"]] = (letter_id, row["status"])
    return world


def _one_letter_per_generation(world: World) -> list[Breach]:
    from audit.actions import AuditAction
    from orders.models import order_reference
    from orders.states import OrderState as S

    bearing = {S.LETTER_QUEUED, S.PRINTED, S.POSTED, S.DELIVERED, S.FORWARDED, S.RETURNED, S.CLOSED}
    too_many, too_few, gaps = [], [], []
    for pk, order in world.orders.items():
        generations = sorted(world.generations.get(pk, []))
        again = world.acts[pk, AuditAction.LETTER_SENT_AGAIN]
        if order["decided_by_id"] is None or order["state"] == S.REJECTED:
            allowed = (0, 0)
        elif order["state"] in (S.APPROVED, S.FAILED):
            allowed = (again, again)
        elif order["state"] in bearing:
            allowed = (again + 1, again + 1)
        else:  # cancelled or handled at the desk after its decision
            allowed = (again, again + 1)
        reference = order_reference(pk)
        if len(generations) > allowed[1]:
            too_many.append(reference)
        elif len(generations) < allowed[0]:
            too_few.append(reference)
        if generations != list(range(1, len(generations) + 1)):
            gaps.append(reference)
    return [
        *breach(ONE_LETTER, "orders with more letters than their state and sends-again allow", too_many),
        *breach(ONE_LETTER, "orders approved or later without the letter they should have", too_few),
        *breach(ONE_LETTER, "orders whose letters are not generations 1..n", gaps),
    ]


def _not_stuck(period: float) -> list[Breach]:
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    from orders.models import PukOrder, order_reference
    from orders.states import OrderState

    cutoff = timezone.now() - timedelta(seconds=period)
    stuck = (
        PukOrder.objects.filter(state=OrderState.APPROVED)
        .alias(due=Coalesce("letter_retry_at", "updated_at"))
        .filter(due__lt=cutoff)
        .values_list("pk", flat=True)
    )
    return breach(
        NOT_STUCK,
        f"approved orders without a letter, due longer than the sweep period ({period:.0f} s) ago",
        [order_reference(pk) for pk in stuck],
    )


def _reports_applied_once(world: World, sent: list[dict]) -> list[Breach]:
    answers: dict[str, list[int | None]] = defaultdict(list)
    first: dict[str, dict] = {}
    for report in sent:
        answers[report["event_id"]].append(report.get("answer"))
        first.setdefault(report["event_id"], report)
    accepted_twice, not_recorded, refused_recorded = [], [], []
    for event_id, answered in answers.items():
        accepted = sum(1 for a in answered if a is not None and 200 <= a < 300)
        if accepted > 1:
            accepted_twice.append(event_id)
        if accepted and world.received.get(event_id) != (first[event_id]["letter_id"], first[event_id]["status"]):
            not_recorded.append(event_id)
        if all(a is not None and 400 <= a < 500 for a in answered) and event_id in world.received:
            refused_recorded.append(event_id)
    applied_otherwise = _status_changes_off(world, {r["letter_id"] for r in sent})
    return [
        *breach(REPORTS_ONCE, "event ids accepted (2xx) more than once", accepted_twice),
        *breach(REPORTS_ONCE, "reports accepted (2xx) but not recorded for their letter and status", not_recorded),
        *breach(REPORTS_ONCE, "reports refused (4xx) every time but recorded", refused_recorded),
        *breach(REPORTS_ONCE, "letters whose status changes differ from their reports recorded", applied_otherwise),
    ]


def _status_changes_off(world: World, letter_ids: set[str]) -> list[str]:
    """The letters among `letter_ids` whose status changes in the audit trail are not one
    per report recorded."""
    from audit.actions import AuditAction
    from letters.status import STATUSES

    return [
        f"{letter_id} {status}"
        for letter_id in letter_ids
        for status in STATUSES
        if world.letter_acts[letter_id, AuditAction(f"letter_{status}")] != world.recorded[letter_id, status]
    ]


def _orders_told(told_ids: list[int], misnumbered: list[str], made_ids: set[int], world: World) -> list[Breach]:
    from orders.models import order_reference

    told = set(told_ids)
    missing = [order_reference(pk) for pk in told - world.orders.keys()]
    extra = [order_reference(pk) for pk in made_ids - told]
    twice = [order_reference(pk) for pk, n in Counter(told_ids).items() if n > 1]
    return [
        *breach(ORDERS_TOLD, "orders told created that are not in the database", missing),
        *breach(ORDERS_TOLD, "orders made during the run that the load test was not told of", extra),
        *breach(ORDERS_TOLD, "orders told created more than once", twice),
        *breach(ORDERS_TOLD, "order numbers that do not name their order id", misnumbered),
    ]


def _audit_per_act(world: World, reported_letters: set[str]) -> list[Breach]:
    from audit.actions import AuditAction as A
    from orders.models import order_reference
    from orders.states import OrderState

    off: dict[str, list[str]] = defaultdict(list)
    for pk, order in world.orders.items():
        rejected = order["state"] == OrderState.REJECTED
        decided = order["decided_by_id"] is not None
        expected = {
            A.ORDER_SUBMITTED: 1,
            A.ORDER_FIRST_APPROVAL: int(order["first_approved_by_id"] is not None),
            A.ORDER_APPROVED: int(decided and not rejected),
            A.ORDER_REJECTED: int(rejected),
        }
        for action, count in expected.items():
            if world.acts[pk, action] != count:
                off[action].append(order_reference(pk))
    for letter_id in world.letters_made:
        if world.letter_acts[letter_id, A.LETTER_QUEUED] != 1 + world.letter_acts[letter_id, A.LETTER_FAILED]:
            off[A.LETTER_QUEUED].append(letter_id)
    off["letter status"] = _status_changes_off(world, world.letters_made - reported_letters)
    return [
        breach_
        for action, ids in off.items()
        for breach_ in breach(AUDIT_PER_ACT, f"with not one {action} event per act", ids)
    ]


def configure(database_url: str) -> None:
    """Django, on the load run's database."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rsportal.settings")
    import django

    django.setup()


def _utc_time(text: str) -> datetime:
    """An ISO 8601 time; one without an offset is UTC."""
    time = datetime.fromisoformat(text)
    return time if time.tzinfo else time.replace(tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load.invariants", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--created", required=True, type=Path)
    parser.add_argument("--reports", required=True, type=Path)
    parser.add_argument("--since", type=_utc_time)
    parser.add_argument("--until", type=_utc_time)
    parser.add_argument("--sweep-period-seconds", type=float)
    args = parser.parse_args(argv)
    configure(args.database_url)
    breaches, examined = examine(args.created, args.reports, args.since, args.until, args.sweep_period_seconds)
    print("invariants examined: " + ", ".join(f"{name} {value}" for name, value in examined.items()))
    for found in breaches:
        print(found)
    print(f"invariants: {len({b.invariant for b in breaches})} of 5 breached" if breaches else "invariants: all 5 hold")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
