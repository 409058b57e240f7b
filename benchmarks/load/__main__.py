"""The load test, set up, run and torn down by one command (see benchmarks/load/__init__.py).

python -m benchmarks.load [--orders 1000000] [--keep] [--duration 300] [--users 50]
python -m benchmarks.load --smoke
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from . import cpu, faults, fixtures, report
from .stack import BASE_DIR, BIN, Stack, free_port, fresh_run_database, seed_database, server_env

DRAIN_SECONDS = 60


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, help="orders seeded (default 1,000,000; --smoke 2,000)")
    parser.add_argument("--keep", action="store_true", help="reuse the seeded database of this size")
    parser.add_argument("--duration", type=int, help="seconds of traffic (default 300; --smoke 30)")
    parser.add_argument("--users", type=int, help="Locust users (default 50; --smoke 20)")
    parser.add_argument("--spawn-rate", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=200_000, help="Locust stops after this many requests")
    parser.add_argument("--out", type=Path, default=BASE_DIR / "var" / "load", help="where the run's files go")
    parser.add_argument("--smoke", action="store_true", help="30 s on 2,000 orders, every fault once (CI)")
    args = parser.parse_args()
    args.orders = args.orders or (2_000 if args.smoke else 1_000_000)
    args.duration = args.duration or (30 if args.smoke else 300)
    args.users = args.users or (20 if args.smoke else 50)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped: tear down all the same
    with contextlib.ExitStack() as stack:
        ok = run(args, stack)
    raise SystemExit(0 if ok else 1)


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> bool:
    out = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rs-load-")))
    files = {name: out / f"{name}.{ext}" for name, ext in
             (("samples", "csv"), ("created", "jsonl"), ("reports", "jsonl"), ("faults", "jsonl"))}  # fmt: skip
    files["burst"] = workdir / "burst"
    for path in files.values():
        path.touch()

    template = seed_database(args.orders, args.keep)
    database_url = fresh_run_database(template, stack)
    redis_port = free_port()
    print_secret = secrets.token_hex(32)
    env = server_env(workdir, database_url, redis_port, base64.b64encode(os.urandom(32)).decode(), print_secret)
    fixtures.django_on(env)
    # Enough people for Locust's share of employees and contact persons (3:2), each their own;
    # waiting orders for the whole run: a contact person of this mix decides fewer than one a second.
    config = fixtures.prepare(
        workdir,
        employees=args.users * 3 // 5 + 1,
        contact_persons=min(30, args.users * 2 // 5 + 1),
        weekend_orders=args.duration,
    )
    from django.db import connections

    connections.close_all()  # the faults terminate every connection to the run's database

    services = Stack(workdir, env, redis_port, out / "logs", stack)
    services.start()
    started = time.monotonic()
    config["sessions"] = fixtures.log_in_all(services.url, config["employees"] + config["contact_persons"])
    print(f"{len(config['sessions'])} people logged in once in {time.monotonic() - started:.0f} s", flush=True)
    started = time.monotonic()
    made = fixtures.letters_of_the_weekend()
    print(f"the weekend's letters: {made:,} made before the traffic, in {time.monotonic() - started:.0f} s", flush=True)
    started = time.monotonic()
    escalations, mail = fixtures.mail_of_the_weekend()
    _drain(redis_port, timeout=600)
    print(
        f"the weekend's mail: {escalations:,} escalations and {mail:,} mail tasks, sent in "
        f"{time.monotonic() - started:.0f} s",
        flush=True,
    )
    config.update(
        files={name: str(path) for name, path in files.items()},
        print_dir=str(workdir / "print"),
        print_secret=print_secret,
        max_requests=args.max_requests,
    )
    (workdir / "config.json").write_text(json.dumps(config))

    load = os.getloadavg()
    described = (
        f"Stack: gunicorn 3 sync workers ({services.url}), PostgreSQL {template} copied to the run's database, "
        f"redis-server :{redis_port} (appendonly), 2 Celery workers (solo pool) and beat, SpoolPrintHouse. "
        f"Traffic: {args.users} Locust users (spawn {args.spawn_rate:g}/s) for {args.duration} s, "
        f"at most {args.max_requests:,} requests; {args.orders:,} orders seeded; {os.cpu_count()} cores."
    )
    print(described, flush=True)
    since = datetime.now(UTC)
    stop = threading.Event()
    begun = time.time()
    injector = faults.Injector(services, begun, args.smoke, args.duration, files["faults"], stop)
    locust = subprocess.Popen(
        [str(BIN / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")), "--headless",
         "-u", str(args.users), "-r", str(args.spawn_rate), "--run-time", f"{args.duration}s",
         "--host", services.url, "--stop-timeout", "10", "--only-summary", "--loglevel", "WARNING"],
        cwd=BASE_DIR,
        env=dict(os.environ, LOAD_CONFIG=str(workdir / "config.json"), PYTHONPATH=str(BASE_DIR)),
        stdout=(out / "locust.log").open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    stack.callback(_stop, locust)
    sampler = cpu.Sampler(
        lambda: {
            "gunicorn": [services.gunicorn.pid],
            "celery (2 workers, beat)": [*(w.pid for w in services.workers), services.beat.pid],
            "redis": [services.redis.pid],
            "locust": [locust.pid],
        }
    )
    sampler.start()
    injector.start()
    locust.wait(timeout=args.duration + 120)
    sampler.stop.set()
    stop.set()
    injector.join()
    _drain(redis_port)

    samples = report.read_samples(files["samples"])
    if not samples:
        print(f"no requests were recorded; see {out / 'locust.log'}")
        return False
    injected = report.read_faults(files["faults"])
    warmup = args.users / args.spawn_rate + 5  # all users started, the workers' first requests done
    shown_load = f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}"
    text, clean = report.build(samples, injected, begun, warmup, shown_load, described)
    text += "\n" + "\n".join(sampler.summary(len(samples))) + "\n"
    report.draw(samples, injected, begun, out / "p95.svg")
    (out / "report.md").write_text(text)
    print(text, flush=True)
    print(f"written: {out / 'report.md'}, {out / 'p95.svg'}", flush=True)

    checked = subprocess.run(
        [sys.executable, "-m", "benchmarks.load.invariants", "--database-url", database_url,
         "--created", str(files["created"]), "--reports", str(files["reports"]), "--since", since.isoformat()],
        cwd=BASE_DIR,
        env=dict(os.environ, **env),
    )  # fmt: skip
    if not clean:
        print("FAILED: 5xx or unanswered requests outside the fault windows")
    if checked.returncode != 0:
        print("FAILED: the invariants")
    return clean and checked.returncode == 0


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)


def _drain(redis_port: int, timeout: float = DRAIN_SECONDS) -> None:
    """Wait until the Celery queue is empty (the letters of the last approvals made)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.create_connection(("127.0.0.1", redis_port), timeout=2) as s:
            s.sendall(b"LLEN rsportal\r\n")
            if s.recv(32).strip() == b":0":
                break
        time.sleep(1)
    time.sleep(3)  # the tasks taken last, finished


if __name__ == "__main__":
    main()
