"""rs-card with two readers (vpcd always shows two, and most desk PCs have a built-in
one), through the real chain: without --reader it uses the one reader that holds a card,
with --wait it waits for a card in any reader, and it always names the reader it chose."""

import os
import re
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from cards.reader import cli, errors, transport
from tests.cards.fakes import piv_state, rs_state
from tests.pcsc import REPO

pytestmark = pytest.mark.pcsc


@contextmanager
def taken_out(*slots):
    """The cards of `slots` out of their readers, and back in afterwards."""
    for slot in slots:
        slot.remove()
    try:
        yield
    finally:
        for slot in slots:
            slot.insert()


def rs_card(*argv):
    said = []
    return cli.main(list(argv), cli.Operator(say=said.append)), said


def test_without_reader_it_uses_the_one_reader_that_holds_a_card_and_names_it(rs_slot, piv_slot):
    rs_slot.put(rs_state())
    with taken_out(piv_slot):
        status, said = rs_card("read")
    assert status == cli.EXIT_OK
    assert said[:3] == [f"Kortläsare: {rs_slot.reader}", "Korttyp: RS-kort", "Kortnummer: 9752201234567890"]
    piv_slot.put(piv_state())
    with taken_out(rs_slot):
        status, said = rs_card("--lang", "en", "read")
    assert status == cli.EXIT_OK and said[:2] == [f"Card reader: {piv_slot.reader}", "Card type: PIV"]


def test_with_wait_it_waits_for_a_card_in_any_reader_and_uses_the_one_it_went_into(rs_slot, piv_slot):
    piv_slot.put(piv_state())
    with taken_out(rs_slot, piv_slot):
        inserted_at = []

        def insert_later():
            time.sleep(1.0)
            inserted_at.append(time.monotonic())
            piv_slot.insert()

        inserter = threading.Thread(target=insert_later)
        started = time.monotonic()
        inserter.start()
        try:
            status, said = rs_card("read", "--wait", "20")
        finally:
            inserter.join()
        waited = time.monotonic() - started
        piv_slot.remove()  # taken_out puts it back in
    assert status == cli.EXIT_OK
    assert said[:3] == [
        "Sätt i kortet i en kortläsare. Väntar i högst 20 sekunder.",
        f"Kortläsare: {piv_slot.reader}",
        "Korttyp: PIV",
    ]
    assert 1.0 <= waited < 10 and inserted_at  # it waited for the card, not for its 20 seconds


def test_with_no_card_and_no_wait_it_says_so_at_once_with_exit_status_2(rs_slot, piv_slot):
    with taken_out(rs_slot, piv_slot):
        started = time.monotonic()
        status, said = rs_card("read")
        took = time.monotonic() - started
    assert status == cli.EXIT_ERROR and took < 2
    assert said == [
        "Inget kort i kortläsaren. Sätt i kortet och försök igen; sitter det redan i, ta ut det och sätt i det igen. "
        "Hjälper inte det: ring IT-supporten och uppge felkod KS-201.",
        "Med --wait väntar rs-card på att kortet sätts i.",
    ]


def test_a_wait_that_ends_without_a_card_says_no_card(rs_slot, piv_slot):
    with taken_out(rs_slot, piv_slot):
        started = time.monotonic()
        status, said = rs_card("read", "--wait", "0.5")
        took = time.monotonic() - started
    assert status == cli.EXIT_ERROR and 0.5 <= took < 3
    assert said[0] == "Sätt i kortet i en kortläsare. Väntar i högst 0.5 sekunder."
    assert said[1].startswith("Inget kort i kortläsaren.") and len(said) == 2  # --wait was given: no hint


def test_cards_in_two_readers_without_reader_are_named_and_nothing_is_read(rs_slot, piv_slot):
    rs_slot.put(rs_state())
    piv_slot.put(piv_state())
    status, said = rs_card("read")
    assert status == cli.EXIT_ERROR
    assert said == [
        f"Det sitter kort i flera kortläsare ({rs_slot.reader}, {piv_slot.reader}). Ta ut de kort som inte ska "
        "användas och försök igen. Hjälper inte det: ring IT-supporten och uppge felkod KS-105.",
        "Med --reader väljer du vilken kortläsare som ska användas.",
    ]
    status, said = rs_card("read", "--reader", piv_slot.reader[-5:])  # "00 01": a part of the name
    assert status == cli.EXIT_OK and said[:2] == [f"Kortläsare: {piv_slot.reader}", "Korttyp: PIV"]


def test_readers_with_card_sees_each_reader_at_once(rs_slot, piv_slot):
    rs_slot.put(rs_state())
    piv_slot.put(piv_state())
    both = [rs_slot.reader, piv_slot.reader]
    assert transport.readers_with_card(both) == both
    with taken_out(rs_slot):
        assert transport.readers_with_card(both) == [piv_slot.reader]
        assert transport.card_present(piv_slot.reader) and not transport.card_present(rs_slot.reader)
        with pytest.raises(errors.NoCard):
            transport.wait_for_card(rs_slot.reader, 0.2)
    with pytest.raises(errors.ReaderGone):
        transport.readers_with_card(["No such reader 00 00"])
    assert not transport.card_present("No such reader 00 00")


def test_the_command_scripts_run_prints_reads_the_card_there(rs_slot, piv_slot):
    """scripts/run puts one RS-kort in reader 00 and leaves 01 empty, as here."""
    printed = re.search(
        r"Command line: PCSCLITE_CSOCK_NAME=\S+ \.venv/bin/rs-card ([^\"\n]*)", (REPO / "scripts/run").read_text()
    )
    assert printed, "scripts/run prints no rs-card command"
    rs_card_command = Path(sys.executable).with_name("rs-card")
    command = [str(rs_card_command)] if rs_card_command.exists() else [sys.executable, "-m", "cards.reader.cli"]
    rs_slot.put(rs_state())
    with taken_out(piv_slot):
        done = subprocess.run(
            command + printed[1].split(), cwd=REPO, capture_output=True, text=True, timeout=60, env=dict(os.environ)
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[:2] == [f"Kortläsare: {rs_slot.reader}", "Korttyp: RS-kort"]
