"""Where the CPU went during the run: the CPU seconds of each part of the stack and of the
whole machine (/proc/stat), sampled every second, so that a process killed by a fault
loses at most its last second. PostgreSQL's count is every postgres process on the
machine, the other helpers' databases included."""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from collections.abc import Callable

import psutil

TICK = os.sysconf("SC_CLK_TCK")


class Sampler(threading.Thread):
    def __init__(self, groups: Callable[[], dict[str, list[int]]]):
        super().__init__(name="cpu", daemon=True)
        self.groups, self.stop = groups, threading.Event()
        self.seen: dict[int, float] = {}  # pid: its CPU seconds when last sampled
        self.used: dict[str, float] = defaultdict(float)
        self.sample()  # the baseline: what the processes used before the run
        self.used.clear()
        self.machine_start = self.machine

    def run(self) -> None:
        while not self.stop.wait(1.0):
            self.sample()

    def sample(self) -> None:
        members = {name: [p for pid in pids for p in _with_children(pid)] for name, pids in self.groups().items()}
        members["postgres (all databases)"] = [p for p in psutil.process_iter() if _named(p, "postgres")]
        for name, processes in members.items():
            for process in processes:
                now = _cpu(process)
                if now is not None:
                    self.used[name] += now - self.seen.get(process.pid, 0.0)  # a process started since: all of it
                    self.seen[process.pid] = now
        self.machine = _machine()

    def summary(self, requests: int) -> list[str]:
        cores = os.cpu_count() or 1
        busy, total = (after - before for after, before in zip(self.machine, self.machine_start, strict=True))
        lines = [
            f"CPU during the run ({total / cores:.0f} s on {cores} cores): the machine {100 * busy / total:.0f} % busy"
        ]
        for name, used in self.used.items():
            per_request = f", {1000 * used / requests:.1f} ms a request" if name == "gunicorn" and requests else ""
            lines.append(f"- {name}: {used:.0f} CPU s ({100 * used / total:.0f} % of the machine){per_request}")
        lines.append(f"- everything else on the machine: {max(0.0, busy - sum(self.used.values())):.0f} CPU s")
        return lines


def _machine() -> tuple[float, float]:
    """The machine's busy and total CPU seconds since boot."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / TICK, sum(fields) / TICK


def _with_children(pid: int) -> list[psutil.Process]:
    try:
        process = psutil.Process(pid)
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _cpu(process: psutil.Process) -> float | None:
    try:
        times = process.cpu_times()
    except psutil.NoSuchProcess:
        return None
    return times.user + times.system


def _named(process: psutil.Process, name: str) -> bool:
    try:
        return process.name() == name
    except psutil.NoSuchProcess:
        return False
