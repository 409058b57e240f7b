"""The run's report, from the requests as Locust's request event recorded them (start time,
name, kind, status, latency) and the faults' log.

A fault window is from the fault's start to 10 s after its end; a request belongs to it if
it was in flight at any moment of it. A fault's recovery is the
time from its start to the first second from which three seconds in a row are normal: no
5xx and no request without an answer, and a p95 (all requests of that second) at most
twice the p95 of all requests outside the windows."""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

WINDOW_AFTER = 10.0
NORMAL_SECONDS = 3
TARGET_RPS, TARGET_PAGE_P95, TARGET_WRITE_P95 = 150.0, 100.0, 250.0


@dataclass(frozen=True)
class Sample:
    at: float
    name: str
    kind: str
    status: int
    ms: float

    @property
    def broken(self) -> bool:
        """A 5xx, or no answer at all (connection refused or reset, a timeout)."""
        return self.status == 0 or self.status >= 500


def read_samples(path: Path) -> list[Sample]:
    samples = []
    for line in path.read_text().splitlines():
        at, name, kind, status, ms = line.split(",")
        samples.append(Sample(float(at), name, kind, int(status), float(ms)))
    return sorted(samples, key=lambda s: s.at)


def read_faults(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def in_window(sample: Sample, faults: list[dict]) -> bool:
    """Whether the request was in flight at some moment of a fault's window."""
    return any(sample.at <= f["end"] + WINDOW_AFTER and sample.at + sample.ms / 1000 >= f["start"] for f in faults)


def recovery(samples: list[Sample], fault: dict, limit_ms: float) -> float | None:
    """Seconds from the fault's start until answers were normal again (None: not within the run)."""
    seconds: dict[int, list[Sample]] = defaultdict(list)
    for s in samples:
        if s.at >= fault["start"]:
            seconds[int(s.at - fault["start"])].append(s)
    if not seconds:
        return None

    def normal(second: int) -> bool:
        got = seconds.get(second, [])
        return bool(got) and not any(s.broken for s in got) and p95([s.ms for s in got]) <= limit_ms

    last = max(seconds)
    first_possible = int(fault["end"] - fault["start"])
    for second in range(first_possible, last - NORMAL_SECONDS + 2):
        if all(normal(second + k) for k in range(NORMAL_SECONDS)):
            return float(second)
    return None


def build(
    samples: list[Sample], faults: list[dict], start: float, warmup: float, load: str, config: str
) -> tuple[str, bool]:
    """The report's text (markdown) and whether the smoke's criterion held: no 5xx and no
    request without an answer outside the fault windows. Times are from `start`, Locust's;
    the latencies outside the windows leave out the first `warmup` seconds (users still
    starting, each worker's first requests), whose errors still count."""
    end = max(s.at + s.ms / 1000 for s in samples)
    warming = [s for s in samples if s.at < start + warmup and not in_window(s, faults)]
    outside = [s for s in samples if s.at >= start + warmup and not in_window(s, faults)]
    inside = [s for s in samples if in_window(s, faults)]
    rps = len(samples) / (end - start)
    lines = [
        "# Load test report",
        "",
        config,
        f"Machine load (uptime) before the run: {load}",
        "",
        f"**{len(samples):,} requests in {end - start:.0f} s: {rps:.1f} requests/s** "
        f"(target >= {TARGET_RPS:.0f}); warm-up (first {warmup:.0f} s) {len(warming):,} requests, then outside fault "
        f"windows {len(outside):,}, inside {len(inside):,}. A window: a fault's start to {WINDOW_AFTER:.0f} s after "
        "its end.",
        "",
        f"Requests/s minute by minute (a steady mix stays level): {_per_minute(samples, start, end)}",
        "",
    ]
    for kind, target in (("page", TARGET_PAGE_P95), ("write", TARGET_WRITE_P95)):
        times = [s.ms for s in outside if s.kind == kind]
        if times:
            verdict = "met" if p95(times) <= target else "MISSED"
            lines.append(f"- {kind}s outside fault windows: median {statistics.median(times):.0f} ms, "
                         f"p95 {p95(times):.0f} ms (target <= {target:.0f} ms: {verdict})")  # fmt: skip
    # The warm-up's count has its own column: the desk login happens once per station, at its start.
    header = "| endpoint | kind | n warm-up | n out | median out | p95 out | n in | median in | p95 in |"
    lines += ["", header, "|---" * 9 + "|"]
    warm_by_name = Counter(s.name for s in warming)
    out_by_name, in_by_name = _ms_by_name(outside), _ms_by_name(inside)
    kinds = {s.name: s.kind for s in samples}
    for name in sorted(kinds):
        out, inn = out_by_name[name], in_by_name[name]
        cells = [f"{warm_by_name[name]}", f"{len(out)}", *(_ms(out)), f"{len(inn)}", *(_ms(inn))]
        lines.append(f"| {name} | {kinds[name]} | " + " | ".join(cells) + " |")
    lines += ["", "Status codes of 400 and up (0 = no answer), outside / inside fault windows:", ""]
    codes_out = Counter((s.status, s.name) for s in warming + outside if s.status >= 400 or s.status == 0)
    codes_in = Counter((s.status, s.name) for s in inside if s.status >= 400 or s.status == 0)
    for status, name in sorted(set(codes_out) | set(codes_in)):
        expected = " (expected: duplicates and out-of-order reports)" if status == 409 else ""
        lines.append(f"- {status} {name}: {codes_out[(status, name)]} / {codes_in[(status, name)]}{expected}")
    broken_outside = sum(s.broken for s in warming + outside)
    lines += ["", f"5xx or no answer outside fault windows: **{broken_outside}** (target 0)", ""]
    limit = 2 * p95([s.ms for s in outside]) if outside else 1000.0
    lines += ["| fault | at | lasted | what | back to normal after |", "|---|---|---|---|---|"]
    for fault in faults:
        back = recovery(samples, fault, limit)
        shown = f"{back:.0f} s" if back is not None else "not within the run"
        lines.append(f"| {fault['fault']} | +{fault['start'] - start:.0f} s | {fault['end'] - fault['start']:.1f} s | "
                     f"{fault['what']} | {shown} |")  # fmt: skip
    lines.append(f"\n(normal: {NORMAL_SECONDS} s in a row without 5xx or unanswered requests, p95 <= {limit:.0f} ms)")
    return "\n".join(lines) + "\n", broken_outside == 0


def _per_minute(samples: list[Sample], start: float, end: float) -> str:
    """Each minute's rate; a last part-minute under 30 s (the run's final second or two,
    the stragglers' answers) is left out as too short to say anything."""
    counts = Counter(int((s.at - start) // 60) for s in samples if s.at >= start)
    lengths = [min(60.0, end - start - 60 * minute) for minute in range(int((end - start) // 60) + 1)]
    return ", ".join(f"{counts[minute] / length:.1f}" for minute, length in enumerate(lengths) if length >= 30)


def _ms_by_name(samples: list[Sample]) -> defaultdict[str, list[float]]:
    by_name: defaultdict[str, list[float]] = defaultdict(list)
    for s in samples:
        by_name[s.name].append(s.ms)
    return by_name


def _ms(times: list[float]) -> list[str]:
    return [f"{statistics.median(times):.0f}", f"{p95(times):.0f}"] if times else ["-", "-"]


def draw(samples: list[Sample], faults: list[dict], start: float, path: Path, bucket: float = 5.0) -> None:
    """p95 over time per bucket, pages and writes, the fault windows shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 4.5))
    for kind, colour in (("page", "tab:blue"), ("write", "tab:orange")):
        buckets: dict[int, list[float]] = defaultdict(list)
        for s in samples:
            if s.kind == kind:
                buckets[int((s.at - start) // bucket)].append(s.ms)
        keys = sorted(buckets)
        ax.plot([k * bucket for k in keys], [p95(buckets[k]) for k in keys], color=colour, label=f"{kind}s p95")
    for fault in faults:
        ax.axvspan(fault["start"] - start, fault["end"] + WINDOW_AFTER - start, color="tab:red", alpha=0.12)
        ax.text(fault["start"] - start, 0.98, fault["fault"], transform=ax.get_xaxis_transform(), rotation=90,
                va="top", ha="right", fontsize=7)  # fmt: skip
    ax.axhline(TARGET_PAGE_P95, color="tab:blue", linestyle=":", linewidth=1)
    ax.axhline(TARGET_WRITE_P95, color="tab:orange", linestyle=":", linewidth=1)
    ax.set_xlabel(f"seconds into the run ({bucket:.0f} s buckets)")
    ax.set_ylabel("p95 latency (ms)")
    ax.set_yscale("log")
    ax.set_title("RS-portal under load: p95 over time, fault windows shaded (dotted: targets)")
    ax.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(path, format="svg")
    plt.close(fig)
