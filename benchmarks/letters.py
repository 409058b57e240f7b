"""Benchmark: code letters.

  .venv/bin/python benchmarks/letters.py [--orders 10000] [--workers 2] [--timeout 1200]

1. Letters rendered per second on one core (PDF bytes in memory, pure layout code).
2. The time for N approved orders to reach the print-house spool through the real chain:
   Redis broker, two Celery worker processes (concurrency 1 each), PostgreSQL, the PUK
   store's decryption, the population-register look-up and the spool's atomic writes.
   Targets: >= 100 letters/s on one core; 10,000 letters end to end in <= 3 minutes.
   Then it checks that every order has exactly one letter, one file and is in
   letter_queued, and exits non-zero on a miss (a failed order is a miss, not "done").
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from _setup import BASE_DIR, django_on_fresh_database


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--render", type=int, default=2_000)
    parser.add_argument("--timeout", type=int, default=1200, help="seconds to wait for the letters")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="rsportal-bench-"))
    import base64

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    env = {
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",
        "CELERY_TASK_DEFAULT_QUEUE": f"rsportal-bench-{os.getpid()}",
        "RSPORTAL_PUK_STORE_KEY": base64.b64encode(AESGCM.generate_key(bit_length=256)).decode(),
        "RSPORTAL_PRINT_DIR": str(work / "print"),
        "RSPORTAL_POPULATION_REGISTER_FILE": str(work / "register.json"),
        "RSPORTAL_MAIL_DIR": str(work / "mail"),
        "RSPORTAL_LOG_LEVEL": "WARNING",
    }
    django_on_fresh_database("rsportal_bench_letters", **env)

    print(f"letters rendered on one core: {render_rate(args.render):.0f} letters/s (target >= 100)")
    order_ids = seed_approved_orders(args.orders, work / "register.json")
    seconds = letters_end_to_end(order_ids, args.workers, work, env, timeout=args.timeout)
    print(
        f"{args.orders} approved orders to the spool with {args.workers} worker processes: "
        f"{seconds:.1f} s, {args.orders / seconds:.0f} letters/s (target <= 180 s for 10,000)"
    )
    misses = verify(args.orders, work)
    if misses:
        raise SystemExit("MISSED: " + "; ".join(misses) + f" (see {work})")


def render_rate(count):
    from cards.reader.codes import Code
    from letters.pdf import LetterContent, render_letter

    content = LetterContent(
        letter_id="PUK-000001-1",
        recipient_lines=("Anna Andersson", "Stortorget 7 lgh 1102", "211 34 MALMÖ"),
        holder_name="Anna Andersson",
        card_type="RS-kort (eTjänstekort)",
        masked_card_number="•••• 0012",
        puk=Code("12345678"),
        puk_length=8,
        letter_date=date.today(),
    )
    render_letter(content)
    started = time.perf_counter()
    for _ in range(count):
        render_letter(content)
    return count / (time.perf_counter() - started)


def seed_approved_orders(count, register_path):
    from django.contrib.auth import get_user_model

    from cards.models import Card, CardType, PukRecord
    from cards.puk_store import encrypt_puk
    from orders.models import PukOrder
    from orders.states import OrderState
    from organisation.models import Employee, Forvaltning

    forvaltning = Forvaltning.objects.create(code="bench", name="Benchmark")
    card_type = CardType.objects.create(code="rs-kort", name="RS-kort", puk_route=CardType.PukRoute.LETTER)
    user = get_user_model().objects.create(username="bench")
    employees = Employee.objects.bulk_create(
        Employee(
            personnummer=f"19800101{n:04d}", hsa_id=f"SE-BENCH-{n}", first_name="Test", last_name=f"Person {n}",
            work_email=f"p{n}@bench.test", forvaltning=forvaltning,
        )
        for n in range(count)
    )  # fmt: skip
    register = {
        e.personnummer: {
            "status": "registered", "name": f"{e.first_name} {e.last_name}", "street": f"Storgatan {n % 90 + 1}",
            "postal_code": "211 34", "town": "MALMÖ", "registered_since": "2015-01-01",
        }
        for n, e in enumerate(employees)
    }  # fmt: skip
    register_path.write_text(json.dumps(register))
    cards = Card.objects.bulk_create(
        Card(
            card_number=f"97522799{n:08d}",
            holder=e,
            card_type=card_type,
            valid_from=date(2024, 1, 1),
            valid_to=date(2029, 1, 1),
        )
        for n, e in enumerate(employees)
    )
    PukRecord.objects.bulk_create(
        PukRecord(card=c, ciphertext=encrypt_puk(c.card_number, f"{n:08d}")) for n, c in enumerate(cards)
    )
    orders = PukOrder.objects.bulk_create(
        PukOrder(
            card=c, holder=c.holder, forvaltning=forvaltning, placed_by=user, reason="lost_letter",
            blocked_codes="both", state=OrderState.APPROVED, address_status="registered",
        )
        for c in cards
    )  # fmt: skip
    return [order.pk for order in orders]


def letters_end_to_end(order_ids, workers, work, env, timeout):
    """Seconds until no order is left in approved (made, or failed: verify tells which)."""
    from django.db import connection

    from letters.tasks import produce_letter
    from orders.models import PukOrder
    from orders.states import OrderState

    connection.close()
    worker = [sys.executable, "-m", "celery", "-A", "rsportal", "worker", "--queues", env["CELERY_TASK_DEFAULT_QUEUE"],
              "--concurrency", "1", "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
              "--without-heartbeat"]  # fmt: skip
    processes = []
    for i in range(workers):
        # The worker writes to its own copy of the descriptor: ours can be closed once it runs.
        with open(work / f"worker{i}.log", "wb") as log:
            processes.append(
                subprocess.Popen(
                    [*worker, "-n", f"bench{i}@%h"],
                    cwd=BASE_DIR,
                    env={**os.environ, **env},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        started = time.perf_counter()
        for order_id in order_ids:
            produce_letter.delay(order_id)
        pending = PukOrder.objects.filter(state=OrderState.APPROVED)
        while pending.exists():
            if any(p.poll() is not None for p in processes):
                raise SystemExit(f"a worker died; see {work}")
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"MISSED: {pending.count()} orders still approved after {timeout} s; see {work}")
            time.sleep(0.5)
        seconds = time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()
    return seconds


def verify(count, work):
    """Every order has exactly one letter, one file in the spool, and is in letter_queued.
    Returns what is missing, in words."""
    from orders.models import Letter, PukOrder
    from orders.states import OrderState

    figures = {
        "letter files in the spool": len(list((work / "print" / "spool").glob("*.pdf"))),
        "Letter rows": Letter.objects.count(),
        "orders in letter_queued": PukOrder.objects.filter(state=OrderState.LETTER_QUEUED).count(),
    }
    failed = PukOrder.objects.filter(state=OrderState.FAILED).count()
    print("; ".join(f"{what}: {n}" for what, n in figures.items()) + f"; orders failed: {failed}")
    misses = [f"{what} {n}, not {count}" for what, n in figures.items() if n != count]
    return misses + ([f"{failed} orders failed"] if failed else [])


if __name__ == "__main__":
    main()
