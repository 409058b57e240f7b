"""Card station benchmark through the real chain: pyscard -> pcscd -> vpcd -> virtual card.

    python benchmarks/station.py [--runs 200] [--port BASE]

Starts its own private pcscd with an RS-kort and a PIV card (scripts/pcsc-up) on a
vpcd port pair below the kernel's ephemeral range that it could bind (--port or
RS_BENCH_PORT to name one: a taken port is said in words, exit status 1, as is
scripts/pcsc-up's own complaint when it fails), or uses
the one PCSCLITE_CSOCK_NAME points at when --reader is given.

It measures, per profile:
- the raw floor: one no-op APDU, the empty VERIFY of the legitimering PIN (it reads
  a counter and changes nothing), sent with smartcard.scard.SCardTransmit alone (the
  protocol's PCI, the command list built once): what PC/SC costs, nothing of the
  project. It is timed on the card handle the station's connection holds, run by
  run between the operations, so that load on the machine falls on it and on them
  alike; the denominator of every ratio. As a cross-check it is measured first on a
  context and handle of its own (SCardEstablishContext, SCardConnect exclusive),
  in turns of 10 (the card is held exclusively), and printed with its ratio to the
  interleaved one (about 1.0: the handle does not matter);
- the station floor: the same APDU through the station's Connection.transmit;
- read card as the station performs it (SELECT included);
- unblock as the station performs it, on a fresh selection (SELECT included),
  and after a read on the same connection (as rs-card unblock does it: the
  PUK's tries come from that read);
- the desk's unblock with the holder's PUK (cards.agent.desk, the server's part
  stubbed): card number and PUK tries read first, the unblock, and the PUK's
  counter read again, on a fresh selection of the connection.
After each operation's line, a diagnostic: the operation's own APDUs, recorded as it sent
them and replayed with raw SCardTransmit on the same handle, interleaved like the rest
(the card's work and PC/SC, none of the station's Python), and the station's own time,
median of the operation less median of its replay. It is printed in addition to the
target's ratio, never instead of it.
It prints the APDUs each sends (checked against the minimum in
cards/reader/operations.py and docs/reader.md), median and p95, and the ratio
time / (APDUs x raw floor) against the target 1.3 (median against median). It exits with status 1 when an
operation misses the target (and stops at once when an APDU count is off).
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

from cards.virtualcard import ports  # noqa: E402
from cards.virtualcard.state import CardState  # noqa: E402

MINIMUM = {  # (read, unblock with SELECT, unblock after a read, desk unblock)
    "rs": (5, 4, 2, 6),
    "piv": (3, 3, 2, 4),
}
TARGET = 1.3
ROUND = 10  # raw-floor samples per turn of the cross-check's own handle


def cannot_start(text: str) -> SystemExit:
    """Why the private pcscd could not start, in words: exit status 1 with `text` on stderr."""
    return SystemExit(f"station benchmark: {text}")


def bench_port() -> int:
    """The vpcd port pair: RS_BENCH_PORT's (checked), else a free one below the ephemeral range."""
    given = os.environ.get("RS_BENCH_PORT")
    if not given:
        return ports.free_pair(ports.FIRST_BASE + 100)  # the test suite starts at 30000
    if not given.isdigit() or not 1024 <= int(given) <= 65534:
        raise cannot_start(f"RS_BENCH_PORT={given}: give the first of two ports, 1024-65534")
    base = int(given)
    port = ports.taken(base)
    if port is not None:
        low, high = ports.ephemeral_range()
        where = (
            f" (inside the ephemeral range {low}-{high}: TIME-WAIT can hold it)"
            if ports.in_ephemeral_range(base)
            else ""
        )
        raise cannot_start(f"vpcd port {port} is taken{where}; give another RS_BENCH_PORT or none")
    return base


def start_private_pcscd(workdir: Path, port: int | None = None) -> Path:
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
    base = bench_port() if port is None else port
    done = subprocess.run(
        [
            str(REPO / "scripts/pcsc-up"),
            str(rundir),
            "--port",
            str(base),
            "--card",
            f"rs:{workdir / 'rs.json'}",
            "--card",
            f"piv:{workdir / 'piv.json'}",
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHON=sys.executable),
    )
    if done.returncode != 0:
        said = done.stderr.strip() or f"exit status {done.returncode}, nothing said"
        raise cannot_start(f"the private pcscd did not start on vpcd ports {base}-{base + 1}:\n{said}")
    os.environ["PCSCLITE_CSOCK_NAME"] = done.stdout.split("=", 1)[1].split(";")[0]
    return rundir


class RawLink:
    """The raw floor's own PC/SC context and, in its turn, its own exclusive card handle."""

    def __init__(self, reader: str, select: list[int], noop: list[int]):
        from smartcard import scard

        self.scard, self.reader, self.select, self.noop = scard, reader, select, noop
        hresult, self.context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        self.check(hresult, "SCardEstablishContext")

    def check(self, hresult: int, what: str) -> None:
        if hresult != self.scard.SCARD_S_SUCCESS:
            raise SystemExit(f"{self.reader}: {what}: {self.scard.SCardGetErrorMessage(hresult)}")

    def measure(self, runs: int) -> tuple[list[float], int]:
        """`runs` timed SCardTransmit of the no-op (after an untimed SELECT); the times and the last SW."""
        scard = self.scard
        hresult, card, protocol = scard.SCardConnect(
            self.context, self.reader, scard.SCARD_SHARE_EXCLUSIVE, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        )
        self.check(hresult, "SCardConnect")
        pci = scard.SCARD_PCI_T1 if protocol == scard.SCARD_PROTOCOL_T1 else scard.SCARD_PCI_T0
        transmit, noop, clock = scard.SCardTransmit, self.noop, time.perf_counter
        try:
            self.check(transmit(card, pci, self.select)[0], "SCardTransmit (SELECT)")
            times = []
            for _ in range(runs):
                start = clock()
                hresult, response = transmit(card, pci, noop)
                times.append(clock() - start)
                self.check(hresult, "SCardTransmit")
            return times, (response[-2] << 8) | response[-1]
        finally:
            scard.SCardDisconnect(card, scard.SCARD_UNPOWER_CARD)

    def close(self) -> None:
        self.scard.SCardReleaseContext(self.context)


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
    from smartcard import scard

    from cards.reader import apdu, operations, transport
    from cards.reader.codes import Code
    from cards.reader.profiles import PinRole

    p = identify_profile(reader)
    pins = [Code("424242"), Code("535353")]
    puk = Code("12345678" if p.name == "rs" else "87654321")
    noop = apdu.verify_status(p.legitimering_reference)
    raw = RawLink(reader, list(p.select().to_bytes()), list(noop.to_bytes()))
    turn = [0]
    state: dict = {}

    def new_pin():
        turn[0] += 1
        return pins[turn[0] % 2]

    def unblock(**read_before):
        new = new_pin()
        outcome = operations.unblock_pin(
            state["conn"], PinRole.LEGITIMERING, puk, new, new, confirm_last_try=lambda: True, **read_before
        )
        assert outcome.succeeded, outcome

    def desk_unblock():
        new = new_pin()
        desk = state["desk"]
        desk.unblock(PinRole.LEGITIMERING, assisted=False, puk=puk, new_pin=new, confirm=new, second_operator=None)
        notes = desk.take_notes()
        assert notes and notes[-1].kind == "ok", notes

    def fresh(action):
        def run():
            state["conn"].selected = False
            action()

        return run

    cases = {
        "station floor": (lambda: state["conn"].transmit(noop), 1),
        "read card": (fresh(lambda: operations.read_card(state["conn"])), MINIMUM[p.name][0]),
        "unblock (with SELECT)": (fresh(unblock), MINIMUM[p.name][1]),
        "unblock (after read)": (lambda: unblock(puk_tries=state["puk_tries"]), MINIMUM[p.name][2]),
        "desk unblock": (desk_unblock, MINIMUM[p.name][3]),
    }

    def open_station(connection):
        """The station's connection; the desk closes its connection after use: keep this one."""
        state["close"], connection.close = connection.close, lambda: None
        state["conn"], state["desk"] = connection, desk_for(connection)
        state["puk_tries"] = operations.read_puk_tries(connection)
        return connection

    try:
        # The raw floor on a handle of its own first (own context, SCardConnect exclusive):
        # the cross-check that the handle the interleaved raw floor uses below costs the same.
        own_times: list[float] = []
        while len(own_times) < runs:
            own, own_sw = raw.measure(min(ROUND, runs - len(own_times)))
            if not noop_answer(own_sw):
                raise SystemExit(f"{p.title}: the raw floor's empty VERIFY answered {own_sw:04X}")
            own_times += own
        conn = open_station(transport.connect(reader))
        for name, (action, minimum) in cases.items():
            count = apdus(conn, action)
            if count != minimum:
                raise SystemExit(f"{p.title} {name}: sent {count} APDUs, minimum is {minimum}")
        if not noop_answer(conn.transmit(noop).sw):
            raise SystemExit(f"{p.title}: the station floor's empty VERIFY answered {conn.transmit(noop).sw:04X}")
        scard_transmit, handle, pci, noop_list = scard.SCardTransmit, conn._hcard, conn._pci, list(noop.to_bytes())
        if handle is None:
            raise SystemExit(f"{p.title}: the station's connection has no PC/SC card handle")

        def replay_of(conn, action, name):
            """The operation's own APDUs, as it sent them, through raw SCardTransmit: the
            card's work and PC/SC without the station's Python (a diagnostic, not the target)."""
            sent: list[tuple[list[int], bytes]] = []
            send = transport._scard_transmit

            def record(hcard, pci, command):
                hresult, answer = send(hcard, pci, command)
                sent.append((list(command), bytes(answer)))
                return hresult, answer

            transport._scard_transmit = record
            try:
                action()
            finally:
                transport._scard_transmit = send
            if not sent:
                raise SystemExit(f"{p.title} {name}: no APDU went through SCardTransmit to replay")
            commands = [command for command, _answer in sent]
            expected = [answer[-2:] for _command, answer in sent]

            def replay():
                for command, sw in zip(commands, expected, strict=True):
                    hresult, response = scard_transmit(handle, pci, command)
                    if hresult != scard.SCARD_S_SUCCESS or bytes(response[-2:]) != sw:
                        raise SystemExit(f"{p.title} {name}: the raw replay was answered otherwise")

            return replay

        def raw_floor():
            hresult, response = scard_transmit(handle, pci, noop_list)
            if hresult != scard.SCARD_S_SUCCESS or not noop_answer((response[-2] << 8) | response[-1]):
                raise SystemExit(f"{p.title}: the raw floor's SCardTransmit failed: {hresult:08X}")

        replays = {name: replay_of(conn, action, name) for name, (action, _count) in list(cases.items())[1:]}
        measured = {"raw floor": (raw_floor, 1), **cases, **{f"replay {n}": (r, 0) for n, r in replays.items()}}
        times: dict[str, list[float]] = {name: [] for name in measured}
        # Interleaved run by run, so that load on the machine falls on the floors and the operations alike.
        clock = time.perf_counter
        for _ in range(runs):
            for name, (action, _count) in measured.items():
                start = clock()
                action()
                times[name].append(clock() - start)
        floor = statistics.median(times["raw floor"])
        own = statistics.median(own_times)
        rows = [
            f"{p.title}: raw floor (SCardTransmit, empty VERIFY, 1 APDU, interleaved): median {ms(floor)}, "
            f"p95 {ms(quantile(times['raw floor']))}",
            f"{p.title}: raw floor on its own context and handle (measured first): median {ms(own)}, "
            f"p95 {ms(quantile(own_times))}, ratio {own / floor:.2f} x raw floor",
        ]
        station = statistics.median(times["station floor"])
        rows.append(
            f"{p.title}: station floor (Connection.transmit, same APDU): median {ms(station)}, "
            f"p95 {ms(quantile(times['station floor']))}, ratio {station / floor:.2f} x raw floor"
        )
        met = True
        for name, (_action, count) in list(cases.items())[1:]:
            median = statistics.median(times[name])
            ratio = median / (count * floor)
            ok = ratio <= TARGET
            met = met and ok
            rows.append(
                f"{p.title}: {name}: {count} APDUs, median {ms(median)}, p95 {ms(quantile(times[name]))}, "
                f"ratio {ratio:.2f} x (APDUs x raw floor) [target <= {TARGET}: {'ok' if ok else 'OVER TARGET'}]"
            )
            replay = statistics.median(times[f"replay {name}"])
            rows.append(
                f"{p.title}:   diagnostic: its APDUs replayed with raw SCardTransmit: median {ms(replay)}, "
                f"ratio {replay / (count * floor):.2f}; the station's own Python {(median - replay) * 1e6:.0f} µs"
            )
        return rows, met
    finally:
        if "close" in state:
            state.pop("close")()
        raw.close()


def identify_profile(reader: str):
    from cards.reader import transport

    conn = transport.connect(reader)
    try:
        return conn.profile
    finally:
        conn.close()


def noop_answer(sw: int) -> bool:
    """What an empty VERIFY answers: 9000 (the PIN verified in this session) or 63Cx (x tries left)."""
    return sw == 0x9000 or sw & 0xFFF0 == 0x63C0


def quantile(times: list[float], q: float = 0.95) -> float:
    return sorted(times)[min(len(times) - 1, int(q * len(times)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="runs per measurement (at least 100)")
    parser.add_argument("--port", type=int, help="vpcd's first port (default: RS_BENCH_PORT, else a free pair)")
    parser.add_argument("--reader", action="append", help="use this reader of the running pcscd (repeatable)")
    args = parser.parse_args()
    if args.runs < 100:
        parser.error("--runs is at least 100")
    if args.port is not None:
        os.environ["RS_BENCH_PORT"] = str(args.port)
    with tempfile.TemporaryDirectory(prefix="rs-bench-") as tmp:
        rundir = None if args.reader else start_private_pcscd(Path(tmp))
        try:
            readers = args.reader or [line.split("\t")[0] for line in (rundir / "cards.tsv").read_text().splitlines()]
            print(
                f"{args.runs} runs each, pyscard -> pcscd -> vpcd -> virtual card; card states in {tmp}; "
                f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
            )
            all_met = True
            for reader in readers:
                rows, met = bench_profile(reader, args.runs)
                print("\n".join(rows), flush=True)
                all_met = all_met and met
        finally:
            if rundir:
                subprocess.run([str(REPO / "scripts/pcsc-down"), str(rundir)], check=False)
    if not all_met:
        raise SystemExit(f"an operation missed its target of {TARGET} x (APDUs x raw floor)")


if __name__ == "__main__":
    main()
