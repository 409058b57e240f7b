"""The desk's browser tests, run again and again while every core is kept busy.

    python benchmarks/desk_browser_under_load.py [--runs 30] [--load N] [TEST ...]

Issue 17, point 9: the assisted-unblock browser test once failed one run in six with
both cores busy. This runs the desk browser tests (default
tests/desk/test_desk_in_browser.py) `--runs` times in a row, each in a fresh pytest
process, while `--load` processes (default: one per core) spin on the CPU and churn
memory beside them: a `stress`-like load of its own, so that the page, the agent, the
live server and pcscd all get their time slices late.

It prints one line per run and the count at the end ("30 of 30 runs passed"), keeps the
whole output of a failed run under var/under-load/, and exits 1 when any run failed.
The database and broker are the ones scripts/test would use (PostgreSQL and Redis where
they answer).
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.synchronize
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TESTS = ["tests/desk/test_desk_in_browser.py"]


def spin(stop: multiprocessing.synchronize.Event) -> None:
    """Busy CPU with a little memory churn, until told to stop."""
    junk: list[bytes] = []
    while not stop.is_set():
        for _ in range(20_000):
            pass
        junk.append(os.urandom(4096))
        if len(junk) > 2048:  # about 8 MB, then let go
            junk.clear()


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 2).close()
    except OSError:
        return False
    return True


def test_environment() -> dict[str, str]:
    env = dict(os.environ)
    if "DATABASE_URL" not in env:
        env["DATABASE_URL"] = (
            "postgres://postgres@127.0.0.1:5432/rsportal_under_load"
            if answers(5432)
            else f"sqlite:///{REPO}/var/under-load.sqlite3"
        )
    if "CELERY_BROKER_URL" not in env and answers(6379):
        env["CELERY_BROKER_URL"] = "redis://127.0.0.1:6379/12"
    env["CELERY_TASK_DEFAULT_QUEUE"] = f"rsportal-under-load-{os.getpid()}"
    env["RSPORTAL_BROKER_KEY_PREFIX"] = f"rsportal-under-load-{os.getpid()}:"
    env["RSPORTAL_REQUIRE_PCSC"] = "1"  # a skipped test is not a passed one
    return env


def summary(output: str) -> str:
    found = re.findall(r"=+ (.*? in [\d.]+s.*?) =+", output)
    return found[-1] if found else output.strip().splitlines()[-1] if output.strip() else "no output"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--load", type=int, default=os.cpu_count() or 2, help="busy processes beside the tests")
    parser.add_argument("tests", nargs="*", default=DEFAULT_TESTS)
    args = parser.parse_args()
    env = test_environment()
    keep = REPO / "var/under-load"
    keep.mkdir(parents=True, exist_ok=True)
    print(
        f"{args.runs} runs of {' '.join(args.tests)} on {env['DATABASE_URL'].split(':')[0]}, "
        f"with {args.load} busy processes on {os.cpu_count()} cores",
        flush=True,
    )
    stop = multiprocessing.Event()
    load = [multiprocessing.Process(target=spin, args=(stop,), daemon=True) for _ in range(args.load)]
    for process in load:
        process.start()
    passed = 0
    try:
        for run in range(1, args.runs + 1):
            start = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args.tests],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
            )
            output = done.stdout + done.stderr
            ok = done.returncode == 0 and " skipped" not in summary(output)
            passed += ok
            line = f"run {run:2d}: {'passed' if ok else 'FAILED'} ({summary(output)}), {time.monotonic() - start:.0f} s"
            if not ok:
                log = keep / f"run-{run}.log"
                log.write_text(output)
                line += f"; output in {log.relative_to(REPO)}"
            print(line, flush=True)
    finally:
        stop.set()
        for process in load:
            process.join(5)
    print(f"{passed} of {args.runs} runs passed", flush=True)
    if passed != args.runs:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
