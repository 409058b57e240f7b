"""Fixtures for the station tests.

PC/SC tests (marked `pcsc`) run through the real chain pyscard -> pcscd -> vpcd
-> virtual card: one private pcscd (scripts/pcsc-up) for the session, with an
RS-kort in reader 00 and a PIV card in reader 01. Each test puts the card state
it needs into the reader (remove, write the state file, insert).
Without pcscd/vpcd these tests skip, or fail when RSPORTAL_REQUIRE_PCSC=1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from cards.virtualcard import ctl, ports
from cards.virtualcard.state import CardState

REPO = Path(__file__).resolve().parents[1]
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")


def _missing_pcsc() -> str | None:
    if not shutil.which("pcscd"):
        return "pcscd is not installed (scripts/install-pcsc)"
    if not VPCD_DRIVER.exists():
        return "vsmartcard-vpcd is not installed (scripts/install-pcsc)"
    return None


def _free_port_pair() -> int:
    """A free vpcd port pair below the ephemeral range, from RSPORTAL_VPCD_PORT_FROM (default 30000):
    parallel runs on one machine can each start from their own."""
    return ports.free_pair(int(os.environ.get("RSPORTAL_VPCD_PORT_FROM", ports.FIRST_BASE)))


def start_pcsc(rundir: Path, cards: list[tuple[str, Path]], port: int | None = None) -> dict[str, str]:
    """scripts/pcsc-up (on a free port pair unless `port` is given); returns its environment line parsed."""
    missing = _missing_pcsc()
    if missing:
        if os.environ.get("RSPORTAL_REQUIRE_PCSC") == "1":
            pytest.fail(f"RSPORTAL_REQUIRE_PCSC=1 but {missing}")
        pytest.skip(missing)
    args = [str(REPO / "scripts/pcsc-up"), str(rundir), "--port", str(port or _free_port_pair())]
    for profile, state in cards:
        args += ["--card", f"{profile}:{state}"]
    done = subprocess.run(args, capture_output=True, text=True, env=dict(os.environ, PYTHON=sys.executable))
    if done.returncode != 0:
        pytest.fail(f"scripts/pcsc-up failed:\n{done.stderr}")
    name, _, rest = done.stdout.partition("=")
    return {name: rest.split(";")[0]}


def stop_pcsc(rundir: Path) -> None:
    subprocess.run([str(REPO / "scripts/pcsc-down"), str(rundir)], check=False)


def wait_for_reader_state(reader: str, present: bool, timeout: float = 5.0) -> None:
    from smartcard import scard

    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    assert hresult == scard.SCARD_S_SUCCESS, scard.SCardGetErrorMessage(hresult)
    try:
        state = scard.SCARD_STATE_UNAWARE
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            hresult, states = scard.SCardGetStatusChange(context, max(int(left * 1000), 0), [(reader, state)])
            if hresult == scard.SCARD_S_SUCCESS:
                state = states[0][1] & ~scard.SCARD_STATE_CHANGED
                if bool(state & scard.SCARD_STATE_PRESENT) == present:
                    return
            if left <= 0:
                raise AssertionError(f"{reader}: card {'not inserted' if present else 'not removed'} in {timeout} s")
    finally:
        scard.SCardReleaseContext(context)


@dataclass
class Slot:
    """A vpcd reader with a virtual card in it, driven by the card's control socket."""

    reader: str
    state_path: Path
    control: Path

    def remove(self) -> None:
        ctl.send(self.control, "remove")
        wait_for_reader_state(self.reader, present=False)

    def insert(self) -> None:
        ctl.send(self.control, "insert")
        wait_for_reader_state(self.reader, present=True)

    def put(self, state: CardState) -> CardState:
        """Swap the card in the reader for one in `state`."""
        self.remove()
        state.save(self.state_path)
        self.insert()
        return state

    def tear(self, when: str, ins: int) -> None:
        ctl.send(self.control, f"tear {when} {ins:02X}")

    def state(self) -> CardState:
        return CardState.load(self.state_path)


# The session's pcscd (`pcsc`, `rs_slot`, `piv_slot`) is in tests/conftest.py: one per test
# process, shared by tests/cards and tests/desk, as PC/SC reads its socket name once.
