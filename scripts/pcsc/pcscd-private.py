#!/usr/bin/env python3
"""Become a private pcscd: socket activation the way systemd does it.

    pcscd-private.py RUNDIR

pcscd ignores PCSCLITE_CSOCK_NAME (only clients read it), but it serves an
already-listening socket handed over as fd 3 with LISTEN_FDS/LISTEN_PID. So
this creates RUNDIR/pcscd.comm, puts it on fd 3 and execs (same pid, as
LISTEN_PID demands) pcscd in a private mount namespace whose /run is a fresh
tmpfs: pcscd's pid file and /run/pcscd can then never touch a system pcscd's.
Readers come from RUNDIR/reader.conf.d only.
"""

import os
import socket
import sys
from pathlib import Path

rundir = Path(sys.argv[1]).resolve()
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
(rundir / "pcscd.comm").unlink(missing_ok=True)
sock.bind(str(rundir / "pcscd.comm"))
sock.listen(64)
if sock.fileno() != 3:
    os.dup2(sock.fileno(), 3)
os.set_inheritable(3, True)  # dup2 onto itself (the socket often is fd 3) keeps CLOEXEC
env = dict(os.environ, LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
env.pop("LISTEN_FDNAMES", None)
unshare = ["unshare", "--mount", "--propagation", "private"]
if os.geteuid() != 0:
    unshare[1:1] = ["--user", "--map-root-user"]
script = (
    "mount -t tmpfs -o mode=0755 rs-pcscd /run && mkdir /run/pcscd"
    ' && exec pcscd --foreground ${RS_PCSCD_DEBUG:+-d} -c "$1"'
)
os.execvpe("unshare", [*unshare, "sh", "-c", script, "sh", str(rundir / "reader.conf.d")], env)
