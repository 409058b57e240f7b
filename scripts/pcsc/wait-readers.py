#!/usr/bin/env python3
"""Wait until the private pcscd lists READERS... each with a card in it.

    PCSCLITE_CSOCK_NAME=RUNDIR/pcscd.comm wait-readers.py TIMEOUT READER...

Waits on SCardGetStatusChange (reader list changes via the PnP
notification, then card presence), never on a fixed sleep. Exit 1 with a
message on time-out.
"""

import sys
import time

from smartcard import scard

PNP = "\\\\?PnP?\\Notification"


def main() -> int:
    timeout, wanted = float(sys.argv[1]), sys.argv[2:]
    deadline = time.monotonic() + timeout
    # pcscd's socket appears when the starter (started in the background just before us)
    # has made it; on a loaded machine that can come after this first try. There is no
    # event to wait on for a socket file, so try again briefly until the deadline.
    while True:
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult == scard.SCARD_S_SUCCESS:
            break
        if time.monotonic() >= deadline:
            print(f"pcscd does not answer: {scard.SCardGetErrorMessage(hresult)}", file=sys.stderr)
            return 1
        time.sleep(0.05)
    try:
        states = {PNP: scard.SCARD_STATE_UNAWARE}
        while True:
            hresult, readers = scard.SCardListReaders(context, [])
            readers = readers if hresult == scard.SCARD_S_SUCCESS else []
            for name in readers:
                states.setdefault(name, scard.SCARD_STATE_UNAWARE)
            present = {name for name in readers if states[name] & scard.SCARD_STATE_PRESENT}
            if all(name in present for name in wanted):
                return 0
            left = deadline - time.monotonic()
            if left <= 0:
                missing = [n for n in wanted if n not in present]
                print(f"timed out waiting for a card in: {', '.join(missing)} (readers: {readers})", file=sys.stderr)
                return 1
            hresult, changed = scard.SCardGetStatusChange(context, int(left * 1000), list(states.items()))
            if hresult == scard.SCARD_S_SUCCESS:
                for name, event_state, _atr in changed:
                    states[name] = event_state & ~scard.SCARD_STATE_CHANGED
    finally:
        scard.SCardReleaseContext(context)


sys.exit(main())
