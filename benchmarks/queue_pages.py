"""Benchmark: the contact person's queue at region size.

  .venv/bin/python benchmarks/queue_pages.py [--orders 1000000] [--requests 200]

Seeds a fresh PostgreSQL database (rsportal_bench_queue) with a region-sized data set:
30 förvaltningar, 40,000 employees (each with a login), 100,000 cards and N orders in all
states over five years (each card's orders follow each other; only a card's latest order
can be open, as the database demands). The latest order of every card gets its audit
timeline and its letter. Seeding goes through COPY and INSERT … SELECT generate_series.

Then, in-process with django.test.Client as a contact person with view and approve
permissions on two förvaltningar (about 33,000 orders each at 1,000,000), it measures the
queue (default view, a name search, an HSA-id search, a state + date-range + förvaltning
filter, all states), the order page and the CSV export: database queries per request,
and median and p95 server time over --requests requests; for the export the time to the
last byte, the rows and the peak Python memory (tracemalloc) at about 1,000 and 10,000
rows.

Targets (issue 3): queries per page constant in the data size and at most 10; p95 <= 50
ms for the queue and order pages; the CSV export streamed in constant memory.
"""

import argparse
import io
import random
import statistics
import time
import tracemalloc
from datetime import date, timedelta

from _setup import django_on_fresh_database

FORVALTNINGAR = 30
EMPLOYEES = 40_000
CARDS = 100_000
QUERY_LIMIT = 10
P95_LIMIT_MS = 50.0

FIRST_NAMES = [
    "Anna", "Eva", "Maria", "Karin", "Sara", "Emma", "Lena", "Kristina", "Elin", "Johanna", "Ida", "Linnea", "Malin",
    "Sofia", "Hanna", "Julia", "Ingrid", "Marie", "Camilla", "Helena", "Cecilia", "Frida", "Louise", "Petra", "Ulrika",
    "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Mikael", "Jan", "Hans", "Peter", "Daniel", "Fredrik",
    "Andreas", "Magnus", "Oskar", "Gustav", "Axel", "Viktor", "Henrik", "Jonas", "Mattias", "Stefan", "Niklas", "Sven",
    "Bertil", "Olof", "David", "Ahmed", "Mohammed", "Ali", "Fatima", "Leila", "Omar", "Yusuf", "Zeynep",
]  # fmt: skip
# Common Swedish surnames first: the index is drawn skewed, as real surnames are.
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson",
    "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Jönsson", "Lindberg", "Jakobsson",
    "Magnusson", "Olofsson", "Lindström", "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind",
    "Lundgren", "Lundqvist", "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg", "Sjöberg",
    "Wallin", "Ali", "Engström", "Mohammed", "Eklund", "Danielsson", "Lundin", "Håkansson", "Björk", "Bergman",
    "Gunnarsson", "Holm", "Wikström", "Samuelsson", "Isaksson", "Fransson", "Bergqvist", "Nyström", "Holmberg",
    "Arvidsson", "Löfgren", "Söderberg", "Nyberg", "Blomqvist", "Claesson", "Nordström", "Mårtensson", "Lundström",
    "Ahmed", "Viklund", "Björklund", "Eliasson", "Pålsson", "Berggren", "Sandström", "Lund", "Nordin", "Ström", "Åberg",
    "Hermansson", "Ekström", "Holmgren", "Sundberg", "Hedlund", "Dahlberg", "Hellström", "Sjögren", "Abrahamsson",
    "Falk", "Öberg", "Andreasson", "Blom", "Ek", "Månsson", "Strand", "Sundström", "Nordqvist", "Kristiansson",
    "Hassan", "Lindholm", "Thorsell", "Wennerström", "Åkesson", "Bäckström",
]  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--export-requests", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="reuse the seeded database of the same size")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each page's SQL")
    args = parser.parse_args()

    env = {
        "DJANGO_ALLOWED_HOSTS": "testserver,localhost",
        "DJANGO_DEBUG": "false",
        "RSPORTAL_LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    name = f"rsportal_bench_queue_{args.orders}"
    if args.keep and _database_exists(name):
        _django_on_existing_database(name, **env)
        print(f"reusing the seeded database {name}")
    else:
        django_on_fresh_database(name, **env)
        started = time.perf_counter()
        seed(args.orders)
        print(f"seeded {args.orders:,} orders in {time.perf_counter() - started:.0f} s")

    results = measure(args)
    print_table(args, results)


# --- seeding -------------------------------------------------------------------------


def seed(order_count):
    from django.db import connection

    from cards.models import CardType
    from organisation.models import Employee, Forvaltning, User
    from organisation.services import assign_contact_person

    rng = random.Random(3)
    forvaltningar = Forvaltning.objects.bulk_create(
        Forvaltning(code=f"forv{i:02d}", name=f"Förvaltning {i:02d}", approval_target_days=2 + i % 3)
        for i in range(FORVALTNINGAR)
    )
    card_types = [
        CardType.objects.create(code="rs-kort", name="RS-kort", puk_route=CardType.PukRoute.LETTER),
        CardType.objects.create(
            code="rs-kort-gen1", name="RS-kort (generation 1)", puk_route=CardType.PukRoute.DESK_ONLY
        ),
        CardType.objects.create(
            code="reservkort", name="Reservkort", puk_route=CardType.PukRoute.NONE, is_reserve_card=True
        ),
    ]
    # Two contact persons per förvaltning (they decide the orders), and the one we measure
    # as: kontaktperson for two förvaltningar, and an employee herself.
    deciders = []
    for index, forvaltning in enumerate(forvaltningar):
        for k in range(2):
            user = User.objects.create(
                username=f"kp{index:02d}{k}",
                first_name="Kontakt",
                last_name=f"Person {index}-{k}",
                email=f"kp{index:02d}{k}@bench.test",
            )
            assign_contact_person(user=user, forvaltning=forvaltning)
            deciders.append(user.pk)
    karin = User.objects.create(username="karin", first_name="Karin", last_name="Kontakt", email="karin@bench.test")
    for forvaltning in forvaltningar[:2]:
        assign_contact_person(user=karin, forvaltning=forvaltning)

    raw = connection.connection  # psycopg 3
    with raw.cursor() as cursor:
        # Logins and employees: one login each, employee n in förvaltning n % 30.
        first_user = _next_id(cursor, "organisation_user")
        with cursor.copy(
            "COPY organisation_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined) FROM STDIN"
        ) as copy:
            for n, (first, last) in enumerate(_names(rng)):
                copy.write_row(
                    ("!", False, f"e{n:05d}", first, last, f"e{n:05d}@bench.test", False, True, "2020-01-01 00:00+00")
                )
        cursor.execute("SELECT first_name, last_name FROM organisation_user WHERE id >= %s ORDER BY id", [first_user])
        names = cursor.fetchall()
        first_employee = _next_id(cursor, "organisation_employee")
        with cursor.copy(
            "COPY organisation_employee (user_id, personnummer, hsa_id, first_name, last_name, work_email, "
            "forvaltning_id) FROM STDIN"
        ) as copy:
            for n, (first, last) in enumerate(names):
                copy.write_row((first_user + n, f"19{n:010d}", f"SE2321000289-E{n:06d}", first, last,
                                f"e{n:05d}@bench.test", forvaltningar[n % FORVALTNINGAR].pk))  # fmt: skip
        # Cards: card c held by employee c % 40,000; mostly RS-kort.
        first_card = _next_id(cursor, "cards_card")
        with cursor.copy(
            "COPY cards_card (card_number, holder_id, card_type_id, status, valid_from, valid_to) FROM STDIN"
        ) as copy:
            for c in range(CARDS):
                kind = c % 20
                card_type = card_types[1 if kind == 0 else 2 if kind == 1 else 0]
                valid_from = date(2021, 1, 1) + timedelta(days=c % 1500)
                copy.write_row((f"97522799{c:08d}", first_employee + c % EMPLOYEES, card_type.pk, "active",
                                valid_from, valid_from + timedelta(days=5 * 365)))  # fmt: skip
        # Karin is an employee too (her own förvaltning is the first).
        Employee.objects.create(user=karin, personnummer="197001011234", hsa_id="SE2321000289-KARIN",
                                first_name="Karin", last_name="Kontakt", work_email="karin@bench.test",
                                forvaltning=forvaltningar[0])  # fmt: skip

        _seed_orders(cursor, order_count, first_card, first_employee, first_user, forvaltningar, deciders)
        _seed_timelines_and_letters(cursor, order_count)
        raw.commit() if not raw.autocommit else None
        for table in ("organisation_user", "organisation_employee", "cards_card", "orders_pukorder",
                      "audit_auditevent", "orders_letter"):  # fmt: skip
            cursor.execute(f"VACUUM ANALYZE {table}")
        # Measure a database at rest: without this the checkpointer is still writing the
        # bulk load out while the first pages are timed, on the same two cores.
        cursor.execute("CHECKPOINT")


def _names(rng):
    for _ in range(EMPLOYEES):
        first = rng.choice(FIRST_NAMES)
        last = LAST_NAMES[min(int(len(LAST_NAMES) * rng.random() ** 2), len(LAST_NAMES) - 1)]
        yield first, last


def _next_id(cursor, table):
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def _seed_orders(cursor, order_count, first_card, first_employee, first_user, forvaltningar, deciders):
    """Order n is for card n % 100,000, placed five years ago (n = 0) to now (n = N-1).
    Only the latest order of a card may be open; recent ones are mostly waiting or on
    their way, older ones delivered, rejected, cancelled or closed."""
    forvaltning_ids = "ARRAY[" + ",".join(str(f.pk) for f in forvaltningar) + "]"
    decider_ids = "ARRAY[" + ",".join(str(pk) for pk in deciders) + "]"
    cursor.execute("SELECT setseed(0.42)")
    cursor.execute(
        f"""
        INSERT INTO orders_pukorder (card_id, holder_id, forvaltning_id, placed_by_id, reason, reason_text,
            blocked_codes, state, address_status, address_registered_since, needs_second_approval,
            second_approval_reasons, first_approved_by_id, decided_by_id, decided_at, rejection_reason,
            letter_error, created_at, updated_at)
        SELECT card_id, holder_id, forvaltning_id, placed_by_id, reason,
               CASE WHEN reason = 'other' THEN 'Kortet gick sönder i tvätten' ELSE '' END,
               (ARRAY['legitimering','underskrift','both','puk_only'])[1 + floor(r2 * 4)::int],
               state,
               CASE WHEN r3 < 0.01 THEN 'protected' ELSE 'registered' END,
               CASE WHEN r3 < 0.01 THEN NULL ELSE DATE '2015-01-01' + (floor(r3 * 3000))::int END,
               state = 'second_approval',
               CASE WHEN state = 'second_approval' THEN '["placed_on_behalf"]'::jsonb ELSE '[]'::jsonb END,
               CASE WHEN state = 'second_approval' THEN decider END,
               CASE WHEN state IN ('submitted','second_approval','cancelled','handled_at_desk') THEN NULL
                    ELSE decider END,
               CASE WHEN state IN ('submitted','second_approval','cancelled','handled_at_desk') THEN NULL
                    ELSE created_at + r2 * interval '3 days' END,
               CASE WHEN state = 'rejected' THEN 'Kortet ska bytas i stället.' ELSE '' END,
               CASE WHEN state = 'failed' THEN 'Tryckeriet svarar inte' ELSE '' END,
               created_at, created_at
        FROM (
            SELECT o.*,
                CASE
                    WHEN latest AND recent THEN CASE
                        WHEN r < 0.40 THEN 'submitted' WHEN r < 0.45 THEN 'second_approval'
                        WHEN r < 0.48 THEN 'approved' WHEN r < 0.51 THEN 'letter_queued'
                        WHEN r < 0.55 THEN 'printed' WHEN r < 0.70 THEN 'posted'
                        WHEN r < 0.72 THEN 'returned' WHEN r < 0.73 THEN 'failed'
                        WHEN r < 0.88 THEN 'delivered' WHEN r < 0.90 THEN 'forwarded'
                        WHEN r < 0.95 THEN 'rejected' ELSE 'cancelled' END
                    WHEN latest AND r < 0.004 THEN 'submitted'
                    WHEN latest AND r < 0.006 THEN 'returned'
                    WHEN latest AND r < 0.007 THEN 'failed'
                    ELSE CASE
                        WHEN r < 0.75 THEN 'delivered' WHEN r < 0.78 THEN 'forwarded'
                        WHEN r < 0.85 THEN 'rejected' WHEN r < 0.91 THEN 'cancelled'
                        WHEN r < 0.96 THEN 'handled_at_desk' ELSE 'closed' END
                END AS state
            FROM (
                SELECT
                    {first_card} + n % {CARDS} AS card_id,
                    {first_employee} + (n % {CARDS}) % {EMPLOYEES} AS holder_id,
                    ({forvaltning_ids})[1 + ((n % {CARDS}) % {EMPLOYEES}) % {FORVALTNINGAR}] AS forvaltning_id,
                    ({decider_ids})[1 + 2 * (((n % {CARDS}) % {EMPLOYEES}) % {FORVALTNINGAR}) + n % 2] AS decider,
                    {first_user} + (n % {CARDS}) % {EMPLOYEES} AS placed_by_id,
                    CASE WHEN n % 10 < 5 THEN 'lost_letter' WHEN n % 10 < 9 THEN 'never_received'
                         ELSE 'other' END AS reason,
                    t AS created_at,
                    t > now() - interval '30 days' AS recent,
                    n >= {order_count} - {CARDS} AS latest,
                    random() AS r, random() AS r2, random() AS r3
                FROM (
                    SELECT n, now() - (1 - (n + 0.5) / {order_count}) * interval '1826 days'
                                    - random() * interval '1 hour' AS t
                    FROM generate_series(0, {order_count} - 1) AS n
                ) AS numbered
            ) AS o
        ) AS s
        ORDER BY created_at
        """
    )


def _seed_timelines_and_letters(cursor, order_count):
    """The audit timeline and the letter of each card's latest order (the measured orders
    among them); older orders have none, which the pages do not mind."""
    cursor.execute(f"SELECT max(id) - {min(order_count, CARDS)} FROM orders_pukorder")
    since = cursor.fetchone()[0]
    events = [
        ("order_submitted", "created_at", "placed_by_id", "TRUE"),
        ("order_first_approval", "created_at + interval '2 hours'", "first_approved_by_id",
         "state = 'second_approval'"),
        ("order_cancelled", "created_at + interval '3 hours'", "placed_by_id", "state = 'cancelled'"),
        ("order_rejected", "decided_at", "decided_by_id", "state = 'rejected'"),
        ("order_approved", "decided_at", "decided_by_id", "decided_at IS NOT NULL AND state <> 'rejected'"),
        ("letter_queued", "decided_at + interval '1 minute'", "NULL",
         "state IN ('letter_queued','printed','posted','delivered','forwarded','returned')"),
        ("letter_failed", "decided_at + interval '1 minute'", "NULL", "state = 'failed'"),
        ("letter_printed", "decided_at + interval '1 day'", "NULL",
         "state IN ('printed','posted','delivered','forwarded','returned')"),
        ("letter_posted", "decided_at + interval '2 days'", "NULL",
         "state IN ('posted','delivered','forwarded','returned')"),
        ("letter_delivered", "decided_at + interval '4 days'", "NULL", "state = 'delivered'"),
        ("letter_returned", "decided_at + interval '12 days'", "NULL", "state = 'returned'"),
    ]  # fmt: skip
    for action, at, actor, condition in events:
        cursor.execute(
            f"""
            INSERT INTO audit_auditevent (at, actor_id, actor_label, action, object_type, object_id, reason, data)
            SELECT {at}, {actor}, CASE WHEN {actor} IS NULL THEN 'system' ELSE 'Bench Användare' END, '{action}',
                   'orders.pukorder', id::text,
                   CASE WHEN '{action}' = 'order_rejected' THEN rejection_reason ELSE '' END, '{{}}'::jsonb
            FROM orders_pukorder WHERE id > %s AND {condition}
            """,
            [since],
        )
    cursor.execute(
        """
        INSERT INTO orders_letter (order_id, generation, created_at, forwarded, batch, printed_at, posted_at,
            tracking_id, delivered_at, returned_at, return_reason)
        SELECT id, 1, decided_at + interval '1 minute', state = 'forwarded',
               CASE WHEN state = 'letter_queued' THEN '' ELSE 'batch-' || to_char(decided_at, 'YYYYMMDD') END,
               CASE WHEN state = 'letter_queued' THEN NULL ELSE decided_at + interval '1 day' END,
               CASE WHEN state IN ('posted','delivered','forwarded','returned') THEN decided_at + interval '2 days' END,
               CASE WHEN state IN ('posted','delivered','returned') THEN 'RR' || lpad(id::text, 9, '0') || 'SE'
                    ELSE '' END,
               CASE WHEN state = 'delivered' THEN decided_at + interval '4 days' END,
               CASE WHEN state = 'returned' THEN decided_at + interval '12 days' END,
               CASE WHEN state = 'returned' THEN 'not_collected' ELSE '' END
        FROM orders_pukorder
        WHERE id > %s AND state IN ('letter_queued','printed','posted','delivered','forwarded','returned')
        """,
        [since],
    )


def _database_exists(name):
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _django_on_existing_database(name, **env):
    import os

    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rsportal.settings")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    os.environ.update(env)
    django.setup()
    call_command("migrate", verbosity=0)


# --- measuring -----------------------------------------------------------------------


def measure(args):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from orders.models import PukOrder
    from organisation.models import Employee, Forvaltning, User

    karin = User.objects.get(username="karin")
    first, second = Forvaltning.objects.order_by("code")[:2]
    client = Client()
    client.force_login(karin)

    # A holder of the first förvaltning with an order waiting: searched by name and HSA-id.
    waiting = (
        PukOrder.objects.filter(forvaltning=first, state="submitted").select_related("holder").latest("created_at")
    )
    holder = waiting.holder
    # The order page of an order with a letter on its way and a timeline.
    shown = (
        PukOrder.objects.filter(forvaltning=first, state__in=["posted", "delivered", "returned"])
        .order_by("-created_at")
        .first()
        or waiting
    )
    today = date.today()
    queue_url = reverse("orders:queue")
    pages = [
        ("queue: default (att hantera)", queue_url, {}),
        ("queue: search name", queue_url, {"q": f"{holder.first_name} {holder.last_name}"}),
        ("queue: search HSA-id, all states", queue_url, {"q": holder.hsa_id, "state": "all"}),
        ("queue: state+dates+förvaltning", queue_url,
         {"state": "delivered", "created_from": (today - timedelta(days=400)).isoformat(),
          "created_to": (today - timedelta(days=30)).isoformat(), "forvaltning": second.pk}),
        ("queue: all states", queue_url, {"state": "all"}),
        ("queue: all states, page 40", queue_url, {"state": "all", "page": 40}),
        ("order page (queue_detail)", reverse("orders:queue_detail", args=[shown.pk]), {}),
    ]  # fmt: skip

    results = []
    for label, url, params in pages:
        results.append(_measure_page(client, label, url, params, args.requests, CaptureQueriesContext, connection))

    # The export: a filter of about 1,000 and about 10,000 rows of the first förvaltning.
    export_url = reverse("orders:queue_export")
    of_first = PukOrder.objects.filter(forvaltning=first).order_by("-created_at")
    total_first = of_first.count()
    exports = []
    for rows_wanted in (1_000, 10_000):
        nth = of_first.values_list("created_at", flat=True)[min(rows_wanted, total_first) - 1]
        params = {"state": "all", "forvaltning": first.pk,
                  "created_from": (nth.date() + timedelta(days=1)).isoformat()}  # fmt: skip
        exports.append(
            _measure_export(client, export_url, params, args.export_requests, CaptureQueriesContext, connection)
        )
    return {
        "pages": results,
        "exports": exports,
        "orders": PukOrder.objects.count(),
        "orders_first": total_first,
        "employees": Employee.objects.count(),
        "holder": holder,
    }


def _measure_page(client, label, url, params, requests, capture, connection):
    for _ in range(5):  # warm-up: the process's caches (content types, templates) filled
        client.get(url, params)
    connection.queries_log.clear()  # the client's request_started clears it: start from empty
    with capture(connection) as queries:
        response = client.get(url, params)
    # Read them now: the next request's request_started signal empties the log.
    sql = [query["sql"] for query in queries.captured_queries]
    assert response.status_code == 200, (label, response.status_code)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
    return {"label": label, "queries": len(sql), "times": times, "sql": sql}


def _measure_export(client, url, params, requests, capture, connection):
    def fetch():
        response = client.get(url, params)
        assert response.status_code == 200 and response.streaming
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
        return size, lines - 1

    fetch()
    connection.queries_log.clear()
    with capture(connection) as queries:
        fetch()
    query_count = len(queries.captured_queries)
    tracemalloc.start()
    size, rows = fetch()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        fetch()
        times.append((time.perf_counter() - started) * 1000)
    return {"rows": rows, "bytes": size, "peak": peak, "queries": query_count, "times": times}


def _p95(times):
    ordered = sorted(times)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def print_table(args, results):
    out = io.StringIO()
    print(
        f"\n{results['orders']:,} orders, {results['employees']:,} employees; the contact person sees 2 förvaltningar "
        f"({results['orders_first']:,} orders in the first); {args.requests} requests per page",
        file=out,
    )
    print(f"{'page':<36} {'queries':>7} {'median ms':>10} {'p95 ms':>8}  result", file=out)
    all_pass = True
    for page in results["pages"]:
        p95 = _p95(page["times"])
        ok = page["queries"] <= QUERY_LIMIT and p95 <= P95_LIMIT_MS
        all_pass &= ok
        print(f"{page['label']:<36} {page['queries']:>7} {statistics.median(page['times']):>10.1f} {p95:>8.1f}  "
              f"{'PASS' if ok else 'FAIL'}", file=out)  # fmt: skip
    small, large = results["exports"]
    for export in results["exports"]:
        print(f"{'CSV export, ' + format(export['rows'], ',') + ' rows':<36} {export['queries']:>7} "
              f"{statistics.median(export['times']):>10.1f} {_p95(export['times']):>8.1f}  "
              f"peak {export['peak'] / 1024:.0f} KiB, {export['bytes'] / 1024:.0f} KiB sent", file=out)  # fmt: skip
    constant = large["queries"] == small["queries"] and large["peak"] <= 1.5 * small["peak"] + 256 * 1024
    all_pass &= constant
    print(f"CSV export memory constant ({small['rows']:,} vs {large['rows']:,} rows, "
          f"{args.export_requests} requests each, time to last byte): {'PASS' if constant else 'FAIL'}",
          file=out)  # fmt: skip
    print(
        f"targets: <= {QUERY_LIMIT} queries, p95 <= {P95_LIMIT_MS:.0f} ms; overall {'PASS' if all_pass else 'FAIL'}",
        file=out,
    )
    print(out.getvalue())
    if args.verbose:
        for page in results["pages"]:
            print(f"\n## {page['label']}")
            for sql in page["sql"]:
                print("  ", sql[:400])


if __name__ == "__main__":
    main()
