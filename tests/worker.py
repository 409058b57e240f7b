"""A real Celery worker process on the real broker, reading the test database."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from .conftest import REQUIRE_SERVICES

BASE_DIR = Path(__file__).resolve().parent.parent


def require_broker_and_shared_database():
    reasons = []
    if settings.CELERY_TASK_ALWAYS_EAGER:
        reasons.append("no broker (CELERY_BROKER_URL)")
    if connection.vendor != "postgresql":
        reasons.append("the test database is not PostgreSQL, so a worker process cannot share it")
    if reasons:
        message = "needs a real broker and worker: " + "; ".join(reasons)
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)


def database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class WorkerProcess:
    def __init__(self, log_path: Path, env: dict, concurrency=1):
        self.log_path = log_path
        self.env = env
        self.concurrency = concurrency
        self.process = None

    def start(self, timeout=60):
        # The worker writes to its own copy of the descriptor: ours can be closed once it runs.
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "rsportal", "worker",
                    "--queues", settings.CELERY_TASK_DEFAULT_QUEUE,
                    "--concurrency", str(self.concurrency), "--loglevel", "INFO",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                ],
                cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # a process group of its own, for kill()
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log_path.read_text(errors="replace"):
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"the Celery worker did not start:\n{self.log_path.read_text(errors='replace')[-3000:]}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self):
        """kill -9 the whole worker at once, the main process and its pool children: none
        is left to requeue the message (a main process outliving its child would), so what
        brings the message back is the broker alone."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def on_broker(task_name):
    """(messages of `task_name` waiting in this run's queue, those taken by a worker and
    not acknowledged), as Redis holds them."""
    import json

    import redis

    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    waiting = [json.loads(raw) for raw in client.lrange(f"{prefix}{queue}", 0, -1)]
    taken = [
        message for message, _, routing_key in map(json.loads, client.hvals(f"{prefix}unacked")) if routing_key == queue
    ]
    return tuple(
        sum(1 for message in messages if message["headers"]["task"] == task_name) for messages in (waiting, taken)
    )


def worker_env(tmp_path, **extra):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "RSPORTAL_MAIL_DIR": str(tmp_path / "mail"),
        "RSPORTAL_POPULATION_REGISTER_FILE": str(settings.POPULATION_REGISTER_FILE),
        "RSPORTAL_PUK_STORE_KEY": settings.RSPORTAL_PUK_STORE_KEY,
        "RSPORTAL_PRINT_DIR": str(settings.RSPORTAL_PRINT_DIR),
    }
    env.update(extra)
    return env


def wait_for(predicate, timeout=60):
    """Poll `predicate` until it is true (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False
