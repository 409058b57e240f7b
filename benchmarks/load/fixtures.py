"""What the traffic needs in the run's database, beside the seed: passwords, the
population register's file, card stations with operators, PUKs for the desk's cards,
and the people's logins (each logged in once, through the login form, before the run)."""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

PASSWORD = "load-test-password-4711"
STATIONS = 3
DESK_CARDS = 300


def django_on(env: dict[str, str]) -> None:
    import django

    os.environ.update(env)
    django.setup()


def prepare(workdir: Path, employees: int, contact_persons: int, weekend_orders: int) -> dict:
    """Seeds the run's own records, `weekend_orders` waiting orders in each förvaltning
    among them; returns the traffic's configuration (without logins)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Permission

    from cards.models import Card, PukRecord
    from cards.puk_store import encrypt_puk
    from desk.credentials import new_credential
    from desk.models import Station
    from organisation.models import Employee, User

    _nothing_in_the_future()
    # One hash for everyone: the password check at login costs what it costs in
    # production (PBKDF2 at Django's iterations), but seeding does not hash 40,000 times.
    User.objects.update(password=make_password(PASSWORD))
    register = {
        personnummer: {"status": "registered", "name": f"{first} {last}", "street": "Bänkgatan 1",
                       "postal_code": "211 34", "town": "MALMÖ", "registered_since": "2010-01-01"}
        for personnummer, first, last in Employee.objects.values_list("personnummer", "first_name", "last_name")
    }  # fmt: skip
    (workdir / "population_register.json").write_text(json.dumps(register))

    permission = Permission.objects.get(codename="operate_station", content_type__app_label="cards")
    stations = []
    for n in range(1, STATIONS + 1):
        credential, hashed = new_credential()
        station = Station.objects.create(name=f"Lastteststation {n}", location="Lund", credential_hash=hashed)
        operator = User.objects.create_user(f"operator{n}", f"operator{n}@load.test", PASSWORD, first_name="Olle")
        operator.user_permissions.add(permission)
        station.operators.add(operator)
        stations.append({"credential": credential, "username": operator.username, "password": PASSWORD})
    # Every card's PUK in the store (the letter prints it; the desk redeems it), under this
    # run's key: cards.puk_store's AES-GCM, as the PUK import writes it.
    cards = list(Card.objects.order_by("pk").values_list("pk", "card_number"))
    PukRecord.objects.bulk_create(
        (PukRecord(card_id=pk, ciphertext=encrypt_puk(number, f"{pk % 10**8:08d}")) for pk, number in cards),
        batch_size=5000,
    )
    desk_cards = list(
        Card.objects.filter(status=Card.Status.ACTIVE, card_type__code="rs-kort", valid_to__gt=date.today())
        .order_by("pk")
        .values_list("card_number", flat=True)[:: max(1, len(cards) // DESK_CARDS)][:DESK_CARDS]
    )
    # Employees spread over the förvaltningar and over the card types they hold (a prime
    # stride: employee n holds cards n, n + 40,000, ..., whose type follows n % 20).
    count = Employee.objects.filter(user__username__startswith="e").count()
    people = sorted({f"e{k * 7919 % count:05d}" for k in range(employees)})
    deciders = [f"kp{index:02d}0" for index in range(contact_persons)]
    _orders_of_the_weekend(weekend_orders, spared_people=people, spared_cards=desk_cards)
    return {
        "employees": people,
        "contact_persons": deciders,
        "stations": stations,
        "desk_cards": desk_cards,
    }


def _nothing_in_the_future() -> None:
    """The seed decides recent orders up to three days after they were placed, so some of
    their letters lie in the future; brought to now, so that a letter "made during the
    run" (created at or after its start) is one. (Their audit events stay: append-only.)"""
    from django.db import connection

    columns = {
        "orders_pukorder": ["decided_at", "updated_at"],
        "orders_letter": ["created_at", "printed_at", "posted_at", "delivered_at", "returned_at"],
    }
    with connection.cursor() as cursor:
        for table, names in columns.items():
            for name in names:
                cursor.execute(f"UPDATE {table} SET {name} = now() - interval '1 minute' WHERE {name} > now()")


def _orders_of_the_weekend(per_forvaltning: int, spared_people: list[str], spared_cards: list[str]) -> None:
    """Orders placed over the long weekend, waiting in every förvaltning's queue. The seed
    leaves about 250 waiting in each, which the contact persons of a 50-user run decide
    in about four minutes; after that their approvals find nothing and the mix is no
    longer the one documented. Placed one to two days ago: older than the mail sweep's
    day (their receipts went out over the weekend) and younger than the escalation's two
    working days. Not on the cards of the run's employees, who order them in the run, nor
    on the desk's cards. Each with its order_submitted event, as the seed's."""
    from django.db import connection

    from orders.states import OPEN_STATES

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO orders_pukorder (card_id, holder_id, forvaltning_id, placed_by_id, reason, reason_text,
                blocked_codes, state, address_status, address_registered_since, needs_second_approval,
                second_approval_reasons, rejection_reason, letter_error, created_at, updated_at)
            SELECT card_id, holder_id, forvaltning_id, user_id,
                   CASE WHEN card_id %% 2 = 0 THEN 'lost_letter' ELSE 'never_received' END, '',
                   'legitimering', 'submitted', 'registered', DATE '2015-01-01', FALSE, '[]'::jsonb, '', '',
                   placed, placed
            FROM (
                SELECT c.id AS card_id, e.id AS holder_id, e.forvaltning_id, e.user_id,
                       now() - interval '25 hours' - (c.id %% 1380) * interval '1 minute' AS placed,
                       row_number() OVER (PARTITION BY e.forvaltning_id ORDER BY c.id) AS nth
                FROM cards_card c JOIN organisation_employee e ON e.id = c.holder_id
                JOIN organisation_user u ON u.id = e.user_id
                WHERE c.status = 'active' AND c.valid_to > current_date
                  AND NOT (u.username = ANY(%s)) AND NOT (c.card_number = ANY(%s))
                  AND NOT EXISTS (SELECT 1 FROM orders_pukorder o WHERE o.card_id = c.id AND o.state = ANY(%s))
            ) AS free
            WHERE nth <= %s
            RETURNING id
            """,
            [spared_people, spared_cards, [state.value for state in OPEN_STATES], per_forvaltning],
        )
        placed = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            """
            INSERT INTO audit_auditevent (at, actor_id, actor_label, action, object_type, object_id, reason, data)
            SELECT created_at, placed_by_id, 'Bench Användare', 'order_submitted', 'orders.pukorder', id::text,
                   '', '{}'::jsonb
            FROM orders_pukorder WHERE id = ANY(%s)
            """,
            [placed],
        )
        # The planner's statistics as autovacuum would leave them (it is off on these machines).
        cursor.execute("ANALYZE orders_pukorder")


def letters_of_the_weekend(timeout: float = 300) -> int:
    """The seed leaves orders approved without a letter (about one in 2,000). Over a weekend
    the sweep would have made their letters; made now by the run's Celery workers, before
    the traffic, so that the run's CPU and letters are the morning's own. Returns how many."""
    import time

    from django.db import connections

    from letters.services import sweep_approved_orders
    from orders.models import PukOrder
    from orders.states import OrderState

    waiting = PukOrder.objects.filter(state=OrderState.APPROVED)
    count = waiting.count()
    deadline, swept = time.monotonic() + timeout, 0.0
    while waiting.exists() and time.monotonic() < deadline:
        if time.monotonic() - swept > 60:  # at most 1,000 at a time; a lost task asked again
            sweep_approved_orders(older_than_seconds=0)
            swept = time.monotonic()
        time.sleep(1)
    left = waiting.count()
    connections.close_all()
    if left:
        raise SystemExit(f"{left} approved orders still had no letter after {timeout:.0f} s")
    return count


def mail_of_the_weekend() -> tuple[int, int]:
    """The seed's mail was never sent: its overdue orders never escalated, its orders of
    the last day never receipted, their decisions never mailed. The beat would have done
    it over the weekend (the escalation and the mail sweep: at a million orders 15 s and
    thousands of mails, otherwise sent in the run's first minutes). Done now, before the
    traffic, the mails through the run's Celery workers. Returns (escalations, mail tasks)."""
    from django.db import connections

    from orders.escalation import escalate_overdue_orders
    from orders.mail_sweep import sweep_unsent_mail

    escalations = escalate_overdue_orders()
    mail = sweep_unsent_mail(older_than_seconds=0)
    connections.close_all()
    return escalations, mail


def log_in_all(url: str, usernames: list[str]) -> dict[str, dict[str, str]]:
    """Each person logged in once through the login form; their cookies, by username."""
    with ThreadPoolExecutor(3) as pool:
        return dict(zip(usernames, pool.map(lambda name: _log_in(url, name), usernames), strict=True))


def _log_in(url: str, username: str) -> dict[str, str]:
    import requests

    session = requests.Session()
    page = session.get(f"{url}/logga-in/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{url}/logga-in/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code != 302:
        raise SystemExit(f"{username} could not log in: {answer.status_code}")
    return session.cookies.get_dict()
