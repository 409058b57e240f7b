"""Benchmark: sync_registers at region size.

  .venv/bin/python benchmarks/registers.py [--people 60000] [--cards 90000] [--small 15000] [--keep-files]

Generates (streamed to files in a temporary directory, seed 14) a directory export of N
people in 400 units under five förvaltningar, with their kontaktpersoner and ersättare,
in the JSON Lines format of registers/directory_file.py, and a card-system export of
1.5 cards a person in the CSV format of registers/card_export.py. On a fresh PostgreSQL
database (rs_bench_registers, dropped at the end) it syncs the directory, then the cards,
as sync_registers does, three times:

1. the first import into an empty RS-portal: target <= 60 s;
2. the same exports again: 0 writes (from the SyncRuns) and <= 10 s;
3. exports with 1 % changed (people moved, renamed, left, made inactive; cards revoked,
   expired, changed, new): <= 15 s, under the safety limit.

Memory: the tracemalloc peak of reading each export (the parsers, streaming the file) and
of each register's plan (read the current state, stream the export, diff) on a run with
nothing changed, at --small and at N people. The parsers hold one line at a time; the plan
necessarily holds RS-portal's current state as a map, and the keys seen in the export
(to find who is gone), both growing with the register. Exits 1 when a target is missed.
"""

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from _setup import django_on_fresh_database

DATABASE = "rs_bench_registers"
FORVALTNINGAR = 5
UNITS = 400
FIRST_IMPORT_LIMIT = 60.0
UNCHANGED_LIMIT = 10.0
CHANGED_LIMIT = 15.0
TODAY = date.today()

FIRST = ["Anna", "Eva", "Maria", "Karin", "Sara", "Emma", "Lena", "Elin", "Ida", "Malin", "Sofia", "Hanna",
         "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Mikael", "Fredrik", "Oskar", "Ahmed"]  # fmt: skip
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson",
        "Gustafsson", "Pettersson", "Jönsson", "Lindberg", "Lindström", "Åberg", "Öberg", "Hassan", "Ali"]  # fmt: skip


# --- the exports ---------------------------------------------------------------------


def personnummer(n):
    """A valid, unique 12-digit personnummer for person n (Luhn check digit)."""
    born = date(1950, 1, 1) + timedelta(days=n % 18_000)
    body = f"{born:%y%m%d}{100 + n // 18_000:03d}"
    total = 0
    for i, digit in enumerate(body):
        d = int(digit) * (2 - i % 2)
        total += d - 9 if d > 9 else d
    return f"{born:%Y}{body[2:]}{(10 - total % 10) % 10}"


def person_hsa(n):
    return f"SE2321000289-P{n:06d}"


def forvaltning_hsa(f):
    return f"SE2321000289-F{f:03d}"


def unit_hsa(u):
    return f"SE2321000289-U{u:04d}"


PLURAL = {"unit": "units", "person": "people", "role": "roles"}


def write_directory(path, people, change=None):
    """Five förvaltningar, the other units under them (some two levels down), the people
    spread over the units, two roles on each förvaltning and a few on lower units (which
    RS-portal ignores). `change`: the 1 % changed run's Changes, or None."""
    rng = random.Random(14)
    units = [unit_hsa(u) for u in range(UNITS - FORVALTNINGAR)]
    counts = {"units": 0, "people": 0, "roles": 0}
    with open(path, "w", encoding="utf-8") as f:

        def line(record):
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            counts[PLURAL[record["kind"]]] += 1

        for fv in range(FORVALTNINGAR):
            line({"kind": "unit", "hsa_id": forvaltning_hsa(fv), "name": f"Förvaltning {fv}", "parent": None,
                  "code": f"forv{fv}"})  # fmt: skip
        for u, hsa in enumerate(units):
            # The first 100 units hang directly under a förvaltning, the rest under one of those.
            parent = forvaltning_hsa(u % FORVALTNINGAR) if u < 100 else units[u % 100]
            line({"kind": "unit", "hsa_id": hsa, "name": f"Enhet {u}", "parent": parent})
        for n in range(people):
            given = FIRST[rng.randrange(len(FIRST))]
            surname = LAST[rng.randrange(len(LAST))]
            if change and n in change.gone:
                continue
            unit = change.moved.get(n, n % len(units)) if change else n % len(units)
            if change and n in change.renamed:
                surname += "-Berg"
            record = {"kind": "person", "hsa_id": person_hsa(n), "given_name": given, "surname": surname,
                      "personnummer": personnummer(n), "unit": units[unit], "email": f"p{n}@bench.test",
                      "username": f"p{n:06d}"}  # fmt: skip
            if change and n in change.inactive:
                record["active"] = False
            line(record)
        for fv in range(FORVALTNINGAR):
            line({"kind": "role", "unit": forvaltning_hsa(fv), "role": "kontaktperson", "person": person_hsa(fv * 7)})
            line({"kind": "role", "unit": forvaltning_hsa(fv), "role": "ersattare", "person": person_hsa(fv * 7 + 1)})
        for u in range(20):
            line({"kind": "role", "unit": units[u], "role": "kontaktperson", "person": person_hsa(100 + u)})
        f.write(json.dumps({"kind": "end", "units": counts["units"], "people": counts["people"],
                            "roles": counts["roles"]}) + "\n")  # fmt: skip


def write_cards(path, people, cards, change=None):
    """Card c held by person c % people: an RS-kort each, the rest reservkort; 2 % spärrade
    and 2 % expired. `change`: the 1 % changed run's Changes."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("kortnummer;korttyp;innehavare;status;utfärdat;giltigt_till\n")
        for c in range(cards + (len(change.new_cards) if change else 0)):
            holder = c % people if c < cards else change.new_cards[c - cards]
            card_type = "rs-kort" if c < people else "reservkort"
            status = "spärrat" if c % 50 == 7 else "aktivt"
            issued = TODAY - timedelta(days=30 + c % 1500)
            valid_to = issued + timedelta(days=5 * 365)
            if c % 50 == 11:
                valid_to = TODAY - timedelta(days=1 + c % 300)
            if change:
                if c in change.revoked:
                    status = "spärrat"
                elif c in change.expired:
                    valid_to = TODAY - timedelta(days=1)
                elif c in change.extended:
                    valid_to += timedelta(days=365)
            f.write(f"97522799{c:08d};{card_type};{person_hsa(holder)};{status};{issued};{valid_to}\n")


class Changes:
    """1 % of people and cards changed, drawn with a fixed seed."""

    def __init__(self, people, cards):
        rng = random.Random(1401)
        touched = rng.sample(range(FORVALTNINGAR * 7 + 2, people), people // 100)
        q = len(touched) // 6
        units = UNITS - FORVALTNINGAR
        # Moved to the unit next door: under another förvaltning (units spread round-robin).
        self.moved = {n: (n % units + 1) % units for n in touched[: 3 * q]}
        self.renamed = set(touched[3 * q : 4 * q])
        self.gone = set(touched[4 * q : 5 * q])
        self.inactive = set(touched[5 * q :])
        drawn = rng.sample(range(cards), cards // 100)
        k = len(drawn) // 3
        usable = [c for c in drawn if c % 50 not in (7, 11)]
        self.revoked = set(usable[:k])
        self.expired = set(usable[k : k + k // 3])
        self.extended = set(usable[k + k // 3 : 2 * k])
        self.new_cards = [rng.randrange(people) for _ in range(k)]


# --- measuring -----------------------------------------------------------------------


def sync_both(directory_path, cards_path, force=False):
    """The directory, then the cards, as sync_registers runs them: (seconds, [SyncRun])."""
    from registers.card_sync import CardRegister
    from registers.card_system import CsvCardSystem
    from registers.directory_file import FileDirectory
    from registers.models import SyncRun
    from registers.services import sync

    started = time.perf_counter()
    runs = [
        sync("directory", force=force, register=_directory_register(FileDirectory(directory_path))),
        sync("cards", force=force, register=CardRegister(CsvCardSystem(cards_path))),
    ]
    seconds = time.perf_counter() - started
    for run in runs:
        if run.outcome != SyncRun.Outcome.OK:
            sys.exit(f"{run.register}: {run.outcome}: {run.message}")
    return seconds, runs


def _directory_register(directory):
    from registers.directory_sync import DirectoryRegister

    return DirectoryRegister(directory)


def print_run(label, seconds, runs, limit):
    writes = sum(run.writes for run in runs)
    verdict = "ok" if seconds <= limit else "MISSED"
    print(f"{label}: {seconds:.1f} s (target <= {limit:.0f} s, {verdict}); writes {writes:,}")
    for run in runs:
        counts = ", ".join(f"{kind} {count:,}" for kind, count in run.counts.items() if count)
        print(f"    {run.register}: rows {run.rows_read:,}; {counts or 'no changes'}; writes {run.writes:,}")
    return seconds <= limit


def read_peak(directory_path, cards_path):
    """Peak Python memory (bytes) of streaming each export through its parser."""
    from registers.card_system import CsvCardSystem
    from registers.directory_file import FileDirectory

    peaks = []
    for read in (
        FileDirectory(directory_path).entries,
        lambda: CsvCardSystem(cards_path).cards({"rs-kort", "reservkort"}),
    ):
        tracemalloc.start()
        rows = sum(1 for _ in read())
        peaks.append((rows, tracemalloc.get_traced_memory()[1]))
        tracemalloc.stop()
    return peaks


def plan_peak(directory_path, cards_path):
    """Peak Python memory of each register's plan, and of the current state alone."""
    from registers.card_sync import CardRegister, _current_cards
    from registers.card_system import CsvCardSystem
    from registers.directory_file import FileDirectory
    from registers.directory_sync import _current_people
    from registers.services import NoProgress

    result = {}
    for name, register, current in (
        ("directory", _directory_register(FileDirectory(directory_path)), _current_people),
        ("cards", CardRegister(CsvCardSystem(cards_path)), _current_cards),
    ):
        tracemalloc.start()
        state = current()
        state_bytes = tracemalloc.get_traced_memory()[0]
        del state
        tracemalloc.reset_peak()
        plan = register.plan(NoProgress())
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert not any(plan.counts().values()), plan.counts()
        result[name] = (plan.rows_read, peak, state_bytes)
    return result


def print_memory(label, reads, plans):
    (directory_rows, directory_read), (card_rows, card_read) = reads
    print(f"  {label}:")
    print(f"    read only: directory {directory_rows:,} entries peak {directory_read / 2**20:.1f} MiB; "
          f"cards {card_rows:,} rows peak {card_read / 2**20:.1f} MiB")  # fmt: skip
    for name, (rows, peak, state) in plans.items():
        print(f"    plan {name}: {rows:,} rows, peak {peak / 2**20:.1f} MiB "
              f"(of which the current state map {state / 2**20:.1f} MiB)")  # fmt: skip


def empty_registers():
    """Back to an empty RS-portal (the database's tables emptied, the card types kept)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN "
            "('django_migrations', 'django_content_type', 'auth_permission', 'cards_cardtype')"
        )
        tables = ", ".join(f'"{name}"' for (name,) in cursor.fetchall())
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def open_orders():
    """An open order (submitted, or approved and waiting for its letter) on every 25th usable
    card, placed by its holder: the leavers' and the ended cards' orders are cancelled."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO orders_pukorder (card_id, holder_id, forvaltning_id, placed_by_id, reason, reason_text,
                blocked_codes, state, address_status, address_registered_since, needs_second_approval,
                second_approval_reasons, rejection_reason, letter_error, created_at, updated_at)
            SELECT c.id, e.id, e.forvaltning_id, e.user_id, 'never_received', '', 'puk_only',
                   CASE WHEN c.id % 2 = 0 THEN 'submitted' ELSE 'approved' END, 'registered', DATE '2015-01-01',
                   FALSE, '[]'::jsonb, '', '', now(), now()
            FROM cards_card c JOIN organisation_employee e ON e.id = c.holder_id
            WHERE c.id % 25 = 0 AND c.status = 'active' AND c.valid_to >= current_date
            """
        )
        return cursor.rowcount


def orders_by_state():
    from django.db.models import Count

    from audit.actions import AuditAction
    from audit.models import AuditEvent
    from orders.models import PukOrder

    states = PukOrder.objects.values_list("state").annotate(n=Count("pk")).order_by("state")
    moved = AuditEvent.objects.filter(action=AuditAction.ORDER_MOVED).count()
    return ", ".join(f"{state} {n:,}" for state, n in states) + f"; moved to a new förvaltning {moved:,}"


def analyse():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=60_000)
    parser.add_argument("--cards", type=int, default=90_000)
    parser.add_argument("--small", type=int, default=15_000, help="the smaller size of the memory figures")
    parser.add_argument("--keep-files", action="store_true")
    args = parser.parse_args()

    Path("/tmp/hk").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-registers-", dir="/tmp/hk"))
    django_on_fresh_database(
        DATABASE,
        DJANGO_DEBUG="false",
        RSPORTAL_LOG_LEVEL="WARNING",
        # Tasks (the contact persons' mail about a cancelled order) run in-process, mail kept in memory.
        CELERY_BROKER_URL="memory://",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    try:
        ok = run(args, work)
    finally:
        from django.db import connections

        connections.close_all()
        _drop_database()
        if not args.keep_files:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


def run(args, work):
    from cards.models import CardType

    CardType.objects.create(code="rs-kort", name="RS-kort", puk_route=CardType.PukRoute.LETTER)
    CardType.objects.create(
        code="reservkort", name="Reservkort", puk_route=CardType.PukRoute.NONE, is_reserve_card=True
    )
    small_cards = args.cards * args.small // args.people
    started = time.perf_counter()
    files = {
        "small": (work / "directory-small.jsonl", work / "cards-small.csv"),
        "full": (work / "directory.jsonl", work / "cards.csv"),
        "changed": (work / "directory-changed.jsonl", work / "cards-changed.csv"),
    }
    write_directory(files["small"][0], args.small)
    write_cards(files["small"][1], args.small, small_cards)
    write_directory(files["full"][0], args.people)
    write_cards(files["full"][1], args.people, args.cards)
    change = Changes(args.people, args.cards)
    write_directory(files["changed"][0], args.people, change)
    write_cards(files["changed"][1], args.people, args.cards, change)
    sizes = {key: sum(p.stat().st_size for p in pair) for key, pair in files.items()}
    print(f"exports written in {time.perf_counter() - started:.1f} s ({sizes['full'] / 2**20:.1f} MiB at full size)")
    print(f"{args.people:,} people in {UNITS} units under {FORVALTNINGAR} förvaltningar, {args.cards:,} cards")

    # Memory at the small size: import it, measure a run with nothing changed, empty again.
    sync_both(*files["small"])
    open_orders()
    analyse()
    small_reads, small_plans = read_peak(*files["small"]), plan_peak(*files["small"])
    empty_registers()

    ok = True
    seconds, runs = sync_both(*files["full"])
    ok &= print_run("1. first import", seconds, runs, FIRST_IMPORT_LIMIT)
    print(f"   (then {open_orders():,} open orders placed on the cards, for the runs below)")
    analyse()
    seconds, runs = sync_both(*files["full"])
    ok &= print_run("2. nothing changed", seconds, runs, UNCHANGED_LIMIT)
    if sum(run.writes for run in runs):
        print("    MISSED: a run with nothing changed wrote")
        ok = False
    full_reads, full_plans = read_peak(*files["full"]), plan_peak(*files["full"])
    seconds, runs = sync_both(*files["changed"])
    print(f"   (1 % changed: {len(change.moved)} moved, {len(change.renamed)} renamed, {len(change.gone)} gone, "
          f"{len(change.inactive)} inactive; cards {len(change.revoked)} revoked, {len(change.expired)} expired, "
          f"{len(change.extended)} extended, {len(change.new_cards)} new)")  # fmt: skip
    ok &= print_run("3. 1 % changed", seconds, runs, CHANGED_LIMIT)
    print(f"    orders: {orders_by_state()}")

    print("memory (tracemalloc peak, a run with nothing changed):")
    print_memory(f"{args.small:,} people, {small_cards:,} cards", small_reads, small_plans)
    print_memory(f"{args.people:,} people, {args.cards:,} cards", full_reads, full_plans)
    print("all targets met" if ok else "a target was MISSED")
    return ok


def _drop_database():
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


if __name__ == "__main__":
    main()
