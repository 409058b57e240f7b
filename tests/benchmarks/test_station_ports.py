"""benchmarks/station.py says in words why it cannot start, and exits non-zero."""

import os
import socket
import subprocess
import sys

from cards.virtualcard import ports
from tests.pcsc import REPO


def run_benchmark(env):
    return subprocess.run(
        [sys.executable, str(REPO / "benchmarks/station.py"), "--runs", "100"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, **env),
    )


def test_a_taken_port_is_said_in_words():
    base = ports.free_pair(30440)
    with socket.socket() as held:
        held.bind(("0.0.0.0", base))
        done = run_benchmark({"RS_BENCH_PORT": str(base)})
    assert done.returncode == 1
    assert done.stderr.strip() == f"station benchmark: vpcd port {base} is taken; give another RS_BENCH_PORT or none"
    assert "Traceback" not in done.stderr


def test_a_port_in_the_ephemeral_range_is_named_as_such_when_taken():
    with socket.socket() as held:
        held.bind(("0.0.0.0", 0))  # the kernel picks from the ephemeral range
        port = held.getsockname()[1]
        done = run_benchmark({"RS_BENCH_PORT": str(port)})
    assert done.returncode == 1 and f"vpcd port {port} is taken (inside the ephemeral range" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_failing_pcsc_up_is_told_with_its_own_words(tmp_path):
    """pcsc-up refuses a missing state file (or, on a machine without them, pcscd or vpcd):
    its stderr is passed on, no CalledProcessError."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.path.insert(0, 'benchmarks'); import station, pathlib;"
            "station.CardState.save = lambda self, path: None;"  # no state files: pcsc-up says so
            f"station.start_private_pcscd(pathlib.Path({str(tmp_path)!r}))",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "the private pcscd did not start on vpcd ports" in done.stderr
    assert "pcsc-up: no state file" in done.stderr or "is not installed" in done.stderr
