"""The production-like stack on 127.0.0.1: PostgreSQL databases, a private redis-server,
gunicorn, two Celery workers and beat. Each part is stopped by the ExitStack it is put on."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parents[2]
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BIN = Path(sys.executable).parent
RUN_DATABASE = "rsportal_load_run"


def seed_database(orders: int, keep: bool) -> str:
    """The seeded database of this size (benchmarks/queue_pages.py's seed), made unless --keep
    finds one. Seeded under a temporary name and renamed when complete, so a half-seeded
    database is never taken for a seeded one."""
    name = f"rsportal_load_seed_{orders}"
    if keep and _exists(name):
        print(f"reusing the seeded database {name}", flush=True)
        return name
    partial = f"{name}_partial"
    subprocess.run(
        [sys.executable, "-m", "benchmarks.load.seed", partial, str(orders)],
        cwd=BASE_DIR,
        env=dict(os.environ, PYTHONPATH=str(BASE_DIR)),
        check=True,
    )
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
    return name


def fresh_run_database(template: str, stack: contextlib.ExitStack) -> str:
    """A copy of the seeded database for this run (the seed stays untouched for --keep)."""
    started = time.monotonic()
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{RUN_DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{RUN_DATABASE}" TEMPLATE "{template}"')
    stack.callback(drop_database, RUN_DATABASE)
    print(f"database {RUN_DATABASE} copied from {template} in {time.monotonic() - started:.0f} s", flush=True)
    return f"postgres://postgres@127.0.0.1:5432/{RUN_DATABASE}"


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _exists(name: str) -> bool:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(workdir: Path, database_url: str, redis_port: int, puk_key: str, print_secret: str) -> dict[str, str]:
    """RSPORTAL_ENV=production as benchmarks/desk_end_to_end.py sets it, over plain http on
    loopback, with password logins standing in for the IdP's (level 3, as SITHS)."""
    return {
        "DJANGO_SETTINGS_MODULE": "rsportal.settings",
        "RSPORTAL_ENV": "production",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",  # the client speaks http on loopback
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "RSPORTAL_PUK_STORE_KEY": puk_key,
        "RSPORTAL_PRINT_HOUSE": "letters.print_house.SpoolPrintHouse",
        "RSPORTAL_PRINT_DIR": str(workdir / "print"),
        "RSPORTAL_PRINT_HOUSE_SECRET": print_secret,
        "RSPORTAL_POPULATION_REGISTER_FILE": str(workdir / "population_register.json"),
        "RSPORTAL_MAIL_DIR": str(workdir / "mail"),
        "RSPORTAL_PASSWORD_LOGIN": "all",
        "RSPORTAL_PASSWORD_LEVEL": "3",
        "RSPORTAL_ASSISTED_UNBLOCKS_PER_HOUR": "1000000",
        "RSPORTAL_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(BASE_DIR),
    }


class Process:
    """A child process that a fault may kill and start again, stopped at the end."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path):
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.argv, cwd=BASE_DIR, env=dict(os.environ, **self.env), stdout=out, stderr=subprocess.STDOUT
            )
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def kill(self) -> None:
        assert self.popen is not None
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait()

    def stop(self, timeout: float = 15) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


class Stack:
    """redis-server, gunicorn (3 sync workers, --preload as in production), 2 Celery workers (solo pool: one process
    each, so kill -9 takes the whole worker) and beat."""

    def __init__(self, workdir: Path, env: dict[str, str], redis_port: int, logs: Path, stack: contextlib.ExitStack):
        self.workdir, self.env, self.redis_port = workdir, env, redis_port
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        logs.mkdir(exist_ok=True)
        (workdir / "redis").mkdir(exist_ok=True)
        self.redis = Process(
            "redis",
            [
                "/usr/bin/redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--dir",
                str(workdir / "redis"),
            ],
            {},
            logs / "redis.log",
        )
        self.gunicorn = Process(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "rsportal.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "3",
                "--preload",
                "--no-control-socket",
            ],
            env,
            logs / "gunicorn.log",
        )
        self.workers = [
            Process(
                f"celery-{n}",
                [
                    str(BIN / "celery"),
                    "-A",
                    "rsportal",
                    "worker",
                    "--pool",
                    "solo",
                    "-n",
                    f"load{n}@%h",
                    "--loglevel",
                    "WARNING",
                    "--without-gossip",
                    "--without-mingle",
                ],
                env,
                logs / f"celery-{n}.log",
            )
            for n in (1, 2)
        ]
        self.beat = Process(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "rsportal",
                "beat",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(workdir / "celerybeat-schedule"),
            ],
            env,
            logs / "beat.log",
        )
        for process in [self.redis, self.gunicorn, *self.workers, self.beat]:
            stack.callback(process.stop)

    def start(self) -> None:
        self.redis.start()
        self.wait_for_redis()
        self.gunicorn.start()
        for process in [*self.workers, self.beat]:
            process.start()
        self.wait_for_gunicorn()

    def wait_for_redis(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit(f"redis-server did not answer on port {self.redis_port}")

    def wait_for_gunicorn(self, timeout: float = 60) -> None:
        import http.client

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/logga-in/")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer on {self.url}; see {self.gunicorn.log}")

    def gunicorn_workers(self) -> list[int]:
        children = Path(f"/proc/{self.gunicorn.pid}/task/{self.gunicorn.pid}/children").read_text().split()
        return [int(pid) for pid in children]
