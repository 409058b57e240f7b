"""Card station benchmark through the real chain: pyscard -> pcscd -> vpcd -> virtual card.

    python benchmarks/station.py [--runs 200]

Starts its own private pcscd with an RS-kort and a PIV card (scripts/pcsc-up),
or uses the one PCSCLITE_CSOCK_NAME points at when --reader is given.

It measures, per profile:
- the floor: one no-op APDU, the empty VERIFY of the legitimering PIN (it reads
  a counter and changes nothing), through the station's own transmit;
- read card as the station performs it (SELECT included);
- unblock as the station performs it, on a fresh selection (SELECT included),
  and after a read on the same connection (as rs-card unblock does it: the
  PUK's tries come from that read);
- the desk's unblock with the holder's PUK (cards.agent.desk, the server's part
  stubbed): card number and PUK tries read first, the unblock, and the PUK's
  counter read again, on a fresh selection of the connection.
It prints the APDUs each sends (checked against the minimum in
cards/reader/operations.py and docs/reader.md), median and p95, and the ratio
time / (APDUs x floor) against the target 1.5. It exits with status 1 when an
unblock misses the target (and stops at once when an APDU count is off).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from cards.virtualcard.state import CardState  # noqa: E402

MINIMUM = {  # (read, unblock with SELECT, unblock after a read, desk unblock)
    "rs": (5, 4, 2, 6),
    "piv": (3, 3, 2, 4),
}
TARGET = 1.5


def start_private_pcscd(workdir: Path) -> Path:
    rs = CardState(
        profile="rs",
        card_number="9752201234567890",
        pins={"legitimering": "111111", "underskrift": "222222"},
        puk="12345678",
    )
    piv = CardState(profile="piv", card_number="1234-5678-000042", pins={"legitimering": "111111"}, puk="87654321")
    rs.save(workdir / "rs.json")
    piv.save(workdir / "piv.json")
    rundir = workdir / "run"
    out = subprocess.run(
        [
            str(REPO / "scripts/pcsc-up"),
            str(rundir),
            "--port",
            os.environ.get("RS_BENCH_PORT", "36100"),
            "--card",
            f"rs:{workdir / 'rs.json'}",
            "--card",
            f"piv:{workdir / 'piv.json'}",
        ],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHON=sys.executable),
    ).stdout
    os.environ["PCSCLITE_CSOCK_NAME"] = out.split("=", 1)[1].split(";")[0]
    return rundir


def apdus(conn, action) -> int:
    before = conn.apdu_count
    action()
    return conn.apdu_count - before


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


class DeskApi:
    """The station API answering at once: the benchmark measures the card's part of the desk."""

    def call(self, path, payload, token=None):
        return {"attempt": 1, "ticket": None}


def desk_for(conn):
    from cards.agent.desk import CardView, Desk, OperatorSession, Visit
    from cards.reader import operations

    def connect():
        conn.selected = False  # a fresh connection has nothing selected
        return conn

    desk = Desk(DeskApi(), connect)
    reading = operations.read_card(conn)
    desk.operator = OperatorSession("bench", "token")
    desk.present, desk.card = True, CardView(reading, {"known": True}, conn.pinpad)
    desk.visit = Visit(1, reading.card_number, "Pass")
    return desk


def bench_profile(reader: str, runs: int) -> tuple[list[str], bool]:
    from cards.reader import apdu, operations, transport
    from cards.reader.codes import Code
    from cards.reader.profiles import PinRole

    conn = transport.connect(reader)
    close, conn.close = conn.close, lambda: None  # the desk closes its connection: keep this one
    p = conn.profile
    pins = [Code("424242"), Code("535353")]
    puk = Code("12345678" if p.name == "rs" else "87654321")
    turn = [0]

    def new_pin():
        turn[0] += 1
        return pins[turn[0] % 2]

    def unblock(**read_before):
        new = new_pin()
        outcome = operations.unblock_pin(
            conn, PinRole.LEGITIMERING, puk, new, new, confirm_last_try=lambda: True, **read_before
        )
        assert outcome.succeeded, outcome

    def desk_unblock():
        new = new_pin()
        desk.unblock(PinRole.LEGITIMERING, assisted=False, puk=puk, new_pin=new, confirm=new, second_operator=None)
        notes = desk.take_notes()
        assert notes and notes[-1].kind == "ok", notes

    def fresh(action):
        def run():
            conn.selected = False
            action()

        return run

    try:
        desk = desk_for(conn)
        puk_tries = operations.read_puk_tries(conn)
        noop = apdu.verify_status(p.legitimering_reference)
        cases = {
            "floor": (lambda: conn.transmit(noop), 1),
            "read card": (fresh(lambda: operations.read_card(conn)), MINIMUM[p.name][0]),
            "unblock (with SELECT)": (fresh(unblock), MINIMUM[p.name][1]),
            "unblock (after read)": (lambda: unblock(puk_tries=puk_tries), MINIMUM[p.name][2]),
            "desk unblock": (desk_unblock, MINIMUM[p.name][3]),
        }
        for name, (action, minimum) in cases.items():
            count = apdus(conn, action)
            if count != minimum:
                raise SystemExit(f"{p.title} {name}: sent {count} APDUs, minimum is {minimum}")
        # Interleaved, so that load on the machine falls on the floor and the operations alike.
        times = {name: [] for name in cases}
        for _ in range(runs):
            for name, (action, _count) in cases.items():
                start = time.perf_counter()
                action()
                times[name].append(time.perf_counter() - start)
        floor = statistics.median(times["floor"])
        rows = [f"{p.title}: floor (empty VERIFY, 1 APDU): median {ms(floor)}, p95 {ms(quantile(times['floor']))}"]
        met = True
        for name, (_action, count) in list(cases.items())[1:]:
            median = statistics.median(times[name])
            ratio = median / (count * floor)
            line = (
                f"{p.title}: {name}: {count} APDUs, median {ms(median)}, p95 {ms(quantile(times[name]))}, "
                f"ratio {ratio:.2f} x (APDUs x floor)"
            )
            if "unblock" in name:
                met = met and ratio <= TARGET
                line += f" [target <= {TARGET}: {'ok' if ratio <= TARGET else 'OVER TARGET'}]"
            rows.append(line)
        return rows, met
    finally:
        close()


def quantile(times: list[float], q: float = 0.95) -> float:
    return sorted(times)[min(len(times) - 1, int(q * len(times)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="runs per measurement (at least 100)")
    parser.add_argument("--reader", action="append", help="use this reader of the running pcscd (repeatable)")
    args = parser.parse_args()
    if args.runs < 100:
        parser.error("--runs is at least 100")
    with tempfile.TemporaryDirectory(prefix="rs-bench-") as tmp:
        rundir = None if args.reader else start_private_pcscd(Path(tmp))
        try:
            readers = args.reader or [line.split("\t")[0] for line in (rundir / "cards.tsv").read_text().splitlines()]
            print(f"{args.runs} runs each, pyscard -> pcscd -> vpcd -> virtual card; card states in {tmp}")
            all_met = True
            for reader in readers:
                rows, met = bench_profile(reader, args.runs)
                print("\n".join(rows), flush=True)
                all_met = all_met and met
        finally:
            if rundir:
                subprocess.run([str(REPO / "scripts/pcsc-down"), str(rundir)], check=False)
    if not all_met:
        raise SystemExit("an unblock missed its target")


if __name__ == "__main__":
    main()
