"""vpcd's port pair: free, and below the kernel's ephemeral range."""

import socket

from cards.virtualcard import ports


def test_the_free_pair_is_bindable_and_outside_the_ephemeral_range():
    base = ports.free_pair(30400)
    low, high = ports.ephemeral_range()
    assert base >= 30400 and (base + 1 < low or base > high)
    assert ports.taken(base) is None


def test_a_pair_with_a_port_held_is_skipped_and_named():
    base = ports.free_pair(30420)
    with socket.socket() as held:
        held.bind(("0.0.0.0", base + 1))
        assert ports.taken(base) == base + 1
        assert ports.free_pair(base) >= base + 2


def test_a_start_inside_the_ephemeral_range_goes_past_it(monkeypatch):
    monkeypatch.setattr(ports, "ephemeral_range", lambda: (30500, 30519))
    assert ports.in_ephemeral_range(30498) is False and ports.in_ephemeral_range(30499) is True
    assert ports.free_pair(30490) in (30490, 30492, 30494, 30496, 30498) or ports.free_pair(30490) >= 30520
    assert not 30499 <= ports.free_pair(30500) <= 30519
