"""Ports for vpcd's two readers (BASE and BASE+1), outside the kernel's ephemeral range.

vpcd listens on BASE for reader 00 and BASE+1 for reader 01. A port inside the
ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range, 32768-60999 by
default) can be held at any moment by some outgoing connection or its TIME-WAIT,
and vpcd then fails without a word. So the test suite and the benchmark take a pair
below that range that they could bind just now.
"""

from __future__ import annotations

import socket
from pathlib import Path

FIRST_BASE = 30000  # where the search starts unless told otherwise
_EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")


def ephemeral_range() -> tuple[int, int]:
    """The kernel's range for outgoing ports (Linux's default when it cannot be read)."""
    try:
        low, high = (int(word) for word in _EPHEMERAL.read_text().split())
    except (OSError, ValueError):
        return 32768, 60999
    return low, high


def in_ephemeral_range(base: int) -> bool:
    low, high = ephemeral_range()
    return base + 1 >= low and base <= high


def taken(base: int) -> int | None:
    """The port of BASE, BASE+1 that cannot be bound now (on every interface, as vpcd binds), or None."""
    for port in (base, base + 1):
        with socket.socket() as s:
            try:
                s.bind(("0.0.0.0", port))
            except OSError:
                return port
    return None


def free_pair(first: int = FIRST_BASE, count: int = 500) -> int:
    """The first BASE from `first` (stepping by 2) with both ports free and outside the ephemeral range."""
    for base in range(first, first + 2 * count, 2):
        if base >= 1024 and base + 1 <= 65535 and not in_ephemeral_range(base) and taken(base) is None:
            return base
    raise RuntimeError(f"no free port pair for vpcd from {first} on, outside the ephemeral range {ephemeral_range()}")
