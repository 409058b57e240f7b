"""The end-to-end desk benchmark's pure helpers (the benchmark itself is run by hand)."""

import importlib.util
import socket
from pathlib import Path

import pytest

# Loaded from its file: putting benchmarks/ on sys.path would let its letters.py shadow the app.
_spec = importlib.util.spec_from_file_location(
    "desk_end_to_end", Path(__file__).resolve().parents[2] / "benchmarks" / "desk_end_to_end.py"
)
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_the_p95_of_a_hundred_runs_is_the_95th_smallest():
    times = [n / 1000 for n in range(100, 0, -1)]
    assert bench.quantile(times) == 0.095
    assert bench.quantile(times, 0.5) == 0.050


def test_the_quantile_of_few_runs_is_never_past_the_largest():
    assert bench.quantile([3.0]) == 3.0
    assert bench.quantile([1.0, 2.0, 3.0], 0.99) == 3.0
    with pytest.raises(ValueError):
        bench.quantile([])


def test_the_form_token_and_the_notes_are_read_from_the_page():
    page = (
        '<input type="hidden" name="csrf" value="0a1b2c">'
        '<ul class="notes" role="status"><li class="ok">PIN-koden är\n upplåst.</li>'
        '<li class="error">Logga in först.</li></ul>'
    )
    assert bench.csrf_of(page) == "0a1b2c"
    assert bench.notes_of(page) == [("ok", "PIN-koden är upplåst."), ("error", "Logga in först.")]
    with pytest.raises(ValueError):
        bench.csrf_of("<p>no form</p>")


def test_ports_are_chosen_outside_the_ephemeral_range_and_never_a_taken_one(monkeypatch):
    monkeypatch.setattr(bench, "ephemeral_range", lambda: (31000, 31009))
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        busy = taken.getsockname()[1]
        assert bench.free_ports(30990, 2) not in range(30999, 31010)
        monkeypatch.setattr(bench, "ephemeral_range", lambda: (busy + 1, busy + 100))
        assert bench.free_ports(busy, 1) not in range(busy, busy + 101)
