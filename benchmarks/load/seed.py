"""Seed a fresh database NAME with N orders: benchmarks/queue_pages.py's seed(), run in a
process of its own (Django is set up on that database).

    python -m benchmarks.load.seed NAME N
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # queue_pages imports _setup as a script does

from _setup import django_on_fresh_database
from queue_pages import seed


def main() -> None:
    name, orders = sys.argv[1], int(sys.argv[2])
    django_on_fresh_database(name, DJANGO_ALLOWED_HOSTS="127.0.0.1", RSPORTAL_LOG_LEVEL="WARNING")
    started = time.monotonic()
    seed(orders)
    print(f"seeded {orders:,} orders into {name} in {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
