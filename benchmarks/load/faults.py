"""The faults, injected on a schedule while Locust runs, each logged with its start and end
(seconds since the epoch) into faults.jsonl. A fault ends when what it broke is back: the
Celery worker restarted, redis-server answering again; the others are instant (PostgreSQL's
backends terminated, a gunicorn worker killed: its master starts another) or last as long
as they are told (the burst of print-house reports)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from .stack import ADMIN_URL, RUN_DATABASE, Stack

BURST_SECONDS = 10.0  # the smoke's: 5 s


def kill_celery_worker(stack: Stack) -> str:
    worker = stack.workers[0]
    pid = worker.pid
    worker.kill()
    worker.start()
    return f"kill -9 of Celery worker pid {pid}; started again as pid {worker.pid}"


def restart_redis(stack: Stack) -> str:
    stack.redis.stop()
    stack.redis.start()
    stack.wait_for_redis()
    return f"redis-server on port {stack.redis_port} stopped (SIGTERM) and started again"


def terminate_backends(stack: Stack) -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        ended = conn.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [RUN_DATABASE],
        ).fetchone()[0]
    return f"pg_terminate_backend of the {ended} connections to {RUN_DATABASE} (gunicorn, Celery)"


def kill_gunicorn_worker(stack: Stack) -> str:
    pid = stack.gunicorn_workers()[0]
    os.kill(pid, signal.SIGKILL)
    return f"kill -9 of gunicorn worker pid {pid} (the master starts another)"


def report_burst(stack: Stack, seconds: float) -> str:
    flag = stack.workdir / "burst"
    flag.write_text(str(time.time() + seconds))
    time.sleep(seconds)
    return f"print-house reports at 10x the rate for {seconds:.0f} s"


FAULTS: list[tuple[str, Callable[..., str]]] = [
    ("celery worker killed", kill_celery_worker),
    ("redis restarted", restart_redis),
    ("postgres backends terminated", terminate_backends),
    ("gunicorn worker killed", kill_gunicorn_worker),
    ("print-house burst", report_burst),
]


def schedule(duration: float, smoke: bool) -> list[float]:
    """When each fault starts, in seconds from the run's start. The full run's are spaced so
    that each window (to 10 s after its end) is over before the next; the smoke's follow
    each other within 30 s and leave its last 8 s outside every window."""
    if smoke:
        return [3.0, 4.0, 5.0, 6.0, 7.0]
    first, spacing = duration * 0.15, duration * 0.13
    return [first + n * spacing for n in range(len(FAULTS))]


class Injector(threading.Thread):
    def __init__(self, stack: Stack, started: float, smoke: bool, duration: float, log: Path, stop: threading.Event):
        super().__init__(name="faults", daemon=True)
        self.stack, self.started, self.log, self.stop = stack, started, log, stop
        self.offsets = schedule(duration, smoke)
        self.burst = BURST_SECONDS / 2 if smoke else BURST_SECONDS

    def run(self) -> None:
        with self.log.open("a") as out:
            for (name, inject), offset in zip(FAULTS, self.offsets, strict=True):
                if self.stop.wait(max(0.0, self.started + offset - time.time())):
                    return
                start = time.time()
                try:
                    what = inject(self.stack, self.burst) if inject is report_burst else inject(self.stack)
                except Exception as exc:  # a fault that could not be injected is reported, not fatal
                    what = f"NOT INJECTED: {type(exc).__name__}: {exc}"
                out.write(json.dumps({"fault": name, "start": start, "end": time.time(), "what": what}) + "\n")
                out.flush()
                print(f"fault at +{start - self.started:.0f} s: {what}", flush=True)
