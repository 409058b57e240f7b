"""No letter stays readable on disk that nothing waits for: the spool's clean-up (beat)."""

import os
import time

import pytest

from letters import services as letters
from letters.print_house import SpoolPrintHouse
from orders import services
from tests.letters.spool import spooled, status

pytestmark = pytest.mark.django_db


def left_since(path, minutes):
    then = time.time() - minutes * 60
    os.utime(path, (then, then))
    return path


def test_a_file_left_by_a_run_that_died_before_its_commit_is_deleted_after_the_grace_period(approved, contact_person):
    """kill -9 after the PDF was written: no Letter row; and the holder was then helped at a desk."""
    spool = SpoolPrintHouse()
    spool.hand_over(f"{approved.reference}-1", b"%PDF-1.4 a letter with a PUK")
    services.close_order_handled_at_desk(order=approved, by=contact_person, station_name="Kortstation Lund")
    assert letters.clean_print_spool() == 0  # young: its transaction may still commit
    left_since(spool.spool / f"{approved.reference}-1.pdf", 16)
    assert letters.clean_print_spool() == 1
    assert spooled() == []


def test_a_spooled_or_batched_letter_waiting_for_the_print_house_is_kept_however_old(approved):
    letter = letters.produce_letter(approved.pk)
    left_since(spooled()[0], 600)
    assert letters.clean_print_spool() == 0
    letters.form_print_batch(force=True)
    [path] = spooled()
    left_since(path, 600)
    assert letters.clean_print_spool() == 0 and spooled() == [path]
    assert path.parent.name.startswith(letter.batch)


def test_a_letter_whose_order_moved_on_without_its_file_removed_is_deleted_with_its_batch(approved, monkeypatch):
    letter = letters.produce_letter(approved.pk)
    letters.form_print_batch(force=True)

    def cannot_remove(self, letter_id):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(SpoolPrintHouse, "discard", cannot_remove)
    status(letter, "posted", tracking_id="RR123456789SE")  # applied all the same
    [path] = spooled()
    batch = path.parent
    left_since(path, 16)
    left_since(batch / "manifest.json", 16)

    assert letters.clean_print_spool() == 1
    assert spooled() == [] and not batch.exists()


def test_an_unfinished_write_is_deleted_after_the_grace_period():
    spool = SpoolPrintHouse()
    spool.spool.mkdir(parents=True)
    young = spool.spool / "PUK-000001-1.pdf.tmp"
    young.write_bytes(b"%PDF half")
    old = spool.spool / "PUK-000002-1.pdf.tmp"
    old.write_bytes(b"%PDF half")
    left_since(old, 16)
    assert letters.clean_print_spool() == 1
    assert young.exists() and not old.exists()
