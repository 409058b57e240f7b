"""The embedded population register: the register file, read again when it changes."""

import json
import os

import pytest

from organisation.population_register import AddressStatus, FileRegister, RegisterUnavailable

PERSONNUMMER = "198503142385"


def write(path, street, town="MALMÖ", mtime_ns=None):
    entry = {"status": "registered", "name": "Anna Andersson", "street": street, "postal_code": "211 34", "town": town}
    path.write_text(json.dumps({PERSONNUMMER: entry}), encoding="utf-8")
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))


def test_a_long_running_process_sees_the_register_file_change(tmp_path):
    path = tmp_path / "register.json"
    register = FileRegister(path)
    write(path, "Storgatan 12", mtime_ns=1_700_000_000_000_000_000)
    assert register.lookup(PERSONNUMMER).address.street == "Storgatan 12"

    write(path, "Storgatan 13", mtime_ns=1_700_000_060_000_000_000)  # same size, a minute later
    assert register.lookup(PERSONNUMMER).address.street == "Storgatan 13"

    write(path, "Nygatan 1", town="LUND", mtime_ns=1_700_000_060_000_000_000)  # same time, another size
    assert register.lookup(PERSONNUMMER).address.town == "LUND"


def test_a_missing_person_is_missing_and_a_file_gone_meanwhile_is_unavailable(tmp_path):
    path = tmp_path / "register.json"
    write(path, "Storgatan 12")
    assert FileRegister(path).lookup("190001010000").status == AddressStatus.MISSING
    path.unlink()
    with pytest.raises(RegisterUnavailable):
        FileRegister(path).lookup(PERSONNUMMER)
