"""The traffic (the mix and its weights: benchmarks/load/__init__.py). Run by
`python -m benchmarks.load`, which sets LOAD_CONFIG to the run's JSON configuration:
the people's cookies, the stations' credentials, the print house's secret and spool,
and the files this writes (every request, every order created, every report sent)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import time
import uuid
from datetime import date, timedelta
from http.cookiejar import Cookie
from pathlib import Path
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, between, events, task

CONFIG = json.loads(Path(os.environ["LOAD_CONFIG"]).read_text())
# Each request is a page (a GET someone waits to see) or a write (a POST that changes something).
KIND = {
    "mina kort": "page", "order form": "page", "my orders": "page", "my order page": "page",
    "queue": "page", "queue filtered": "page", "queue search": "page", "queue order page": "page",
    "csv export": "page",
    "order confirm": "write", "send order": "write", "approve": "write", "reject": "write",
    "bulk approve": "write", "print-house report": "write", "desk login": "write", "card read": "write",
    "id check": "write", "unblock ticket": "write", "ticket redeem": "write", "unblock outcome": "write",
}  # fmt: skip
ORDER_LINK = re.compile(r"/bestall/(\d+)/")
MY_ORDER = re.compile(r"/mina-bestallningar/(\d+)/")
QUEUE_ROW = re.compile(r'name="order" value="(\d+)"[^>]*><input type="hidden" name="state-\d+" value="(\w+)"')
QUEUE_LINK = re.compile(r"/att-hantera/(\d+)/")
SURNAME = re.compile(r'data-label="[^"]*">([A-ZÅÄÖ][a-zåäö]+) ([A-ZÅÄÖ][a-zåäö]+)<')


class Recorder:
    """Every request, as Locust's request event tells it, into the run's samples file."""

    def __init__(self) -> None:
        files = CONFIG["files"]
        self.samples = open(files["samples"], "a", buffering=1 << 16)  # noqa: SIM115  (open for the run)
        self.created = open(files["created"], "a", buffering=1)  # noqa: SIM115
        self.reports = open(files["reports"], "a", buffering=1)  # noqa: SIM115
        self.count = 0
        self.environment = None

    def request(self, request_type, name, response_time, response, exception, start_time=None, **_) -> None:
        status = getattr(response, "status_code", 0) or 0
        started = start_time if start_time is not None else time.time() - response_time / 1000
        self.samples.write(f"{started:.3f},{name},{KIND.get(name, 'page')},{status},{response_time:.1f}\n")
        self.count += 1
        if self.count == CONFIG["max_requests"] and self.environment is not None:
            gevent.spawn(self.environment.runner.quit)

    def close(self) -> None:
        for file in (self.samples, self.created, self.reports):
            file.close()


RECORDER = Recorder()
events.request.add_listener(RECORDER.request)
events.quitting.add_listener(lambda **_: RECORDER.close())


@events.init.add_listener
def _init(environment, **_) -> None:
    RECORDER.environment = environment


def _accept(response, *codes: int) -> None:
    """Expected answers are not Locust failures (the report counts status codes itself)."""
    if response.status_code in codes:
        response.success()
    else:
        response.failure(f"HTTP {response.status_code}")


def _cookie(name: str, value: str) -> Cookie:
    return Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, True, None, None, {}
    )  # fmt: skip


# FastHttpUser (geventhttpclient) rather than HttpUser (requests): the load generator shares
# the machine's two cores with the stack, and requests cost it about 3 ms of CPU a request.
class Person(FastHttpUser):
    """Logged in once before the run (benchmarks/load/fixtures.py); the cookies are theirs."""

    abstract = True
    wait_time = between(0.2, 0.8)
    people: list[str] = []
    next_person = itertools.count()

    def on_start(self) -> None:
        self.username = self.people[next(self.next_person) % len(self.people)]
        for name, value in CONFIG["sessions"][self.username].items():
            self.client.cookiejar.set_cookie(_cookie(name, value))
        self.csrf = CONFIG["sessions"][self.username]["csrftoken"]

    def post(self, path: str, name: str, data, *expected: int):
        body = urlencode({**data, "csrfmiddlewaretoken": self.csrf}, doseq=True)  # doseq: bulk approve's rows
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        with self.client.post(
            path, data=body, headers=headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            _accept(response, *expected)
            return response


class Employee(Person):
    """Mina kort, the order form and sending an order, their orders and an order's page."""

    weight = 3
    people = CONFIG["employees"]
    next_person = itertools.count()

    @task(4)
    def my_cards(self) -> None:
        self.client.get("/mina-kort/", name="mina kort")

    @task(3)
    def my_order(self) -> None:
        page = self.client.get("/mina-bestallningar/", name="my orders")
        found = MY_ORDER.findall(page.text or "")
        if found:
            self.client.get(f"/mina-bestallningar/{random.choice(found)}/", name="my order page")

    @task(1)
    def order(self) -> None:
        cards = ORDER_LINK.findall(self.client.get("/mina-kort/", name="mina kort").text or "")
        if not cards:
            return
        path = f"/bestall/{random.choice(cards)}/"
        self.client.get(path, name="order form")
        form = {"blocked_codes": "legitimering", "reason": random.choice(["lost_letter", "never_received"])}
        self.post(path, "order confirm", form, 200)
        sent = self.post(path, "send order", {**form, "confirmed": "True"}, 302, 200)
        created = MY_ORDER.search(sent.headers.get("Location", "")) if sent.status_code == 302 else None
        if created:
            RECORDER.created.write(json.dumps({"order_id": int(created.group(1))}) + "\n")
            self.client.get(f"/mina-bestallningar/{created.group(1)}/", name="my order page")


class ContactPerson(Person):
    """The queue with its filters and search, an order's page, approve, reject, bulk
    approve and the CSV export."""

    weight = 2
    people = CONFIG["contact_persons"]
    next_person = itertools.count()

    def waiting(self) -> list[tuple[str, str]]:
        return QUEUE_ROW.findall(self.client.get("/att-hantera/", name="queue").text or "")

    @task(4)
    def queue(self) -> None:
        rows = self.waiting()
        if rows:
            self.client.get(f"/att-hantera/{random.choice(rows)[0]}/", name="queue order page")

    @task(2)
    def filtered(self) -> None:
        since = (date.today() - timedelta(days=random.choice([30, 90, 365]))).isoformat()
        state = random.choice(["all", "delivered", "rejected", "posted"])
        page = self.client.get(f"/att-hantera/?state={state}&created_from={since}", name="queue filtered")
        links = QUEUE_LINK.findall(page.text or "")
        if links:
            self.client.get(f"/att-hantera/{random.choice(links)}/", name="queue order page")

    @task(2)
    def search(self) -> None:
        surname = random.choice(["Andersson", "Nilsson", "Lind", "Ek", "Holm", "Berg"])
        self.client.get(f"/att-hantera/?q={surname}&state=all", name="queue search")

    @task(3)
    def approve(self) -> None:
        rows = self.waiting()
        if rows:
            pk, state = random.choice(rows)
            self.post(f"/att-hantera/{pk}/godkann/", "approve", {"state": state}, 302)

    @task(1)
    def reject(self) -> None:
        rows = self.waiting()
        if rows:
            pk, state = random.choice(rows)
            reason = {"state": state, "reason": "Kortet ska bytas i stället."}
            self.post(f"/att-hantera/{pk}/avsla/", "reject", reason, 302)

    @task(1)
    def bulk_approve(self) -> None:
        rows = self.waiting()[:5]
        if rows:
            form = {"order": [pk for pk, _ in rows], **{f"state-{pk}": state for pk, state in rows}}
            self.post("/att-hantera/godkann/", "bulk approve", form, 302)

    @task(1)
    def export(self) -> None:
        since = (date.today() - timedelta(days=30)).isoformat()
        self.client.get(f"/att-hantera/export.csv?state=all&created_from={since}", name="csv export")


class PrintHouse(FastHttpUser):
    """Signed status reports for the letters the run produced (found in the spool, as the
    print house would take them), in their order: printed, posted, then delivered or
    returned; now and then the same report again (a duplicate: 409) or a late "printed"
    after "posted" (out of order: 409). A report that met an error or no answer is sent
    again with its event id. During the burst fault, ten times as often."""

    fixed_count = 1
    STEPS = ("printed", "posted", "final")

    def wait_time(self) -> float:
        burst = Path(CONFIG["files"]["burst"])
        pause = random.uniform(0.2, 0.6)
        return pause / 10 if burst.exists() and float(burst.read_text() or 0) > time.time() else pause

    def on_start(self) -> None:
        self.step: dict[str, int] = {}  # letter id: the next of STEPS
        self.pending: dict[str, dict] = {}  # letter id: its report that got no clean answer
        self.applied: list[dict] = []

    def letters(self) -> list[str]:
        root = Path(CONFIG["print_dir"])
        for path in [*root.glob("spool/*.pdf"), *root.glob("batches/*/*.pdf")]:
            self.step.setdefault(path.stem, 0)
        return [letter for letter, step in self.step.items() if step < len(self.STEPS)]

    @task
    def report(self) -> None:
        roll = random.random()
        if roll < 0.08 and self.applied:
            self.send(random.choice(self.applied), "duplicate")
            return
        posted = [e["letter_id"] for e in self.applied if e["status"] == "posted"]
        if roll < 0.12 and posted:
            self.send(self.event(random.choice(posted), "printed"), "out_of_order")
            return
        open_letters = self.letters()
        if not open_letters:
            return
        letter = random.choice(open_letters)
        event = self.pending.get(letter) or self.event(letter, self.STEPS[self.step[letter]])
        if self.send(event, "report") in (204, 409):
            self.pending.pop(letter, None)
            self.step[letter] += 1
            self.applied.append(event)
        else:
            self.pending[letter] = event

    def event(self, letter: str, step: str) -> dict:
        event = {"event_id": str(uuid.uuid4()), "letter_id": letter, "status": step}
        if step == "posted":
            event["tracking_id"] = f"RR{random.randrange(10**9):09d}SE"
        elif step == "final":
            returned = random.random() < 0.1
            event["status"] = "returned" if returned else "delivered"
            if returned:
                event["reason"] = "unknown_address"
        return event

    def send(self, event: dict, kind: str) -> int:
        body = json.dumps(event).encode()
        stamp = str(int(time.time()))
        signature = hmac.new(CONFIG["print_secret"].encode(), stamp.encode() + b"." + body, hashlib.sha256)
        headers = {"Content-Type": "application/json", "X-Print-Timestamp": stamp,
                   "X-Print-Signature": signature.hexdigest()}  # fmt: skip
        with self.client.post(
            "/tryckeri/status/", data=body, headers=headers, name="print-house report", catch_response=True
        ) as response:
            _accept(response, 204, 409)
        answer = response.status_code or None  # 0: no answer came
        record = {**event, "kind": kind, "duplicate": kind == "duplicate", "answer": answer, "sent_at": time.time()}
        RECORDER.reports.write(json.dumps(record) + "\n")
        return response.status_code


class Station(FastHttpUser):
    """A card station's software: the operator's desk login once, then for a holder at the
    desk: card read, ID check, an assisted unblock's ticket, its redemption and the outcome."""

    fixed_count = 3
    wait_time = between(1.0, 3.0)
    next_station = itertools.count()

    def on_start(self) -> None:
        station = CONFIG["stations"][next(self.next_station) % len(CONFIG["stations"])]
        self.credential, self.token = station["credential"], ""
        self.operator = {"username": station["username"], "password": station["password"]}

    def call(self, path: str, name: str, payload: dict) -> dict | None:
        headers = {"Authorization": f"Station {self.credential}", "Content-Type": "application/json"}
        if self.token:
            headers["X-RS-Operator"] = self.token
        with self.client.post(
            f"/api/station/{path}", data=json.dumps(payload), headers=headers, name=name, catch_response=True
        ) as response:
            _accept(response, 200)
            if response.status_code == 403 and name != "desk login":
                self.token = ""  # the login is gone: log in again before the next holder
            return response.json() if response.status_code == 200 else None

    @task
    def holder_at_the_desk(self) -> None:
        if not self.token:
            answer = self.call("login/", "desk login", self.operator)
            if answer is None:
                return
            self.token = answer["token"]
        card = random.choice(CONFIG["desk_cards"])
        pins = {"legitimering": 0, "underskrift": 3}
        if self.call("card/", "card read", {"card_number": card, "profile": "rs", "pins": pins,
                                            "puk_tries_left": 10}) is None:  # fmt: skip
            return
        visit = self.call("id-check/", "id check", {"card_number": card, "id_document": "passport"})
        if visit is None:
            return
        start = {"visit": visit["visit"], "card_number": card, "pin": "legitimering", "assisted": True,
                 "puk_tries_left": 10}  # fmt: skip
        attempt = self.call("unblocks/", "unblock ticket", start)
        if attempt is None or not attempt["ticket"]:
            return
        if self.call(f"tickets/{attempt['ticket']}/redeem/", "ticket redeem", {"card_number": card}) is None:
            return
        self.call(f"unblocks/{attempt['attempt']}/outcome/", "unblock outcome", {"result": "done", "tries_left": 3})
