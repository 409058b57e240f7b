"""The load test's report (benchmarks/load/report.py): pure code over recorded requests."""

from benchmarks.load.report import Sample, build

FAULT = {"fault": "redis restarted", "start": 30.0, "end": 30.5, "what": "redis-server stopped and started"}


def _row(text: str, endpoint: str) -> list[str]:
    (line,) = [line for line in text.splitlines() if line.startswith(f"| {endpoint} |")]
    return [cell.strip() for cell in line.strip("|").split("|")]


def _requests() -> list[Sample]:
    desk_logins = [Sample(1.0 + i, "desk login", "write", 200, 20.0) for i in range(3)]
    queue = [Sample(float(at), "queue", "page", 200, 40.0) for at in range(12, 60)]
    return desk_logins + queue


def test_requests_of_the_warm_up_are_counted_in_their_own_column_not_hidden():
    text, clean = build(_requests(), [FAULT], start=0.0, warmup=10.0, load="0.1", config="test")

    assert _row(text, "desk login")[2:4] == ["3", "0"]
    assert clean


def test_requests_in_a_fault_window_are_kept_apart_from_those_outside():
    text, _ = build(_requests(), [FAULT], start=0.0, warmup=10.0, load="0.1", config="test")

    # in flight from 30 s to 40.5 s (the window runs 10 s past the fault's end): 30..40
    assert _row(text, "queue")[2:4] == ["0", str(48 - 11)]
    assert _row(text, "queue")[6] == "11"


def test_a_5xx_in_the_warm_up_breaks_the_criterion_outside_fault_windows():
    requests = [*_requests(), Sample(2.0, "mina kort", "page", 502, 5.0)]

    text, clean = build(requests, [FAULT], start=0.0, warmup=10.0, load="0.1", config="test")

    assert not clean
    assert "5xx or no answer outside fault windows: **1**" in text


def test_the_rate_is_shown_minute_by_minute_so_a_mix_that_drifts_is_seen():
    requests = [Sample(at / 2, "queue", "page", 200, 10.0) for at in range(240)]  # 2/s for 120 s
    requests += [Sample(120 + at / 4, "queue", "page", 200, 10.0) for at in range(160)]  # then 4/s for 40 s

    text, _ = build(requests, [], start=0.0, warmup=10.0, load="0.1", config="test")

    assert "Requests/s minute by minute (a steady mix stays level): 2.0, 2.0, 4.0\n" in text


def test_a_last_part_minute_too_short_to_say_anything_is_left_out():
    requests = [Sample(at / 2, "queue", "page", 200, 10.0) for at in range(122)]  # 2/s for 61 s

    text, _ = build(requests, [], start=0.0, warmup=10.0, load="0.1", config="test")

    assert "Requests/s minute by minute (a steady mix stays level): 2.0\n" in text
