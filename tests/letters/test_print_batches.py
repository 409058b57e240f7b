"""Batches for the print house: formed one after the other while full ones wait, never a
letter in two batches, a lost file said out loud, and a run that stopped half-way
finished by the next."""

import json
import logging
import threading

import pytest
from django.db import connections, transaction

from letters import services as letters
from letters import status as print_house_status
from letters.print_house import SpoolPrintHouse
from orders.models import Letter, PukOrder
from orders.states import OrderState
from tests.conftest import REQUIRE_SERVICES
from tests.factories import CardFactory, EmployeeFactory, approved_order, give_puk

pytestmark = pytest.mark.django_db


@pytest.fixture
def spooled_letters(forvaltning, contact_person, register):
    """make(n): n letters in the spool, each of its own order, waiting for a batch."""

    def make(count):
        made = []
        for _ in range(count):
            card = CardFactory(holder=EmployeeFactory(forvaltning=forvaltning))
            register.add(card.holder)
            give_puk(card)
            made.append(letters.produce_letter(approved_order(card, contact_person).pk))
        return made

    return make


def manifests():
    return {
        folder.name: [entry["letter_id"] for entry in json.loads((folder / "manifest.json").read_text())["letters"]]
        for folder in SpoolPrintHouse().batches.iterdir()
    }


def test_one_run_forms_a_batch_for_every_full_one_waiting_and_leaves_the_young_rest(spooled_letters, settings):
    settings.RSPORTAL_PRINT_BATCH_SIZE = 2
    made = spooled_letters(5)

    formed = letters.form_print_batch()

    assert len(formed) == 2 and sorted(manifests()) == sorted(formed)
    batched = [letter_id for letter_ids in manifests().values() for letter_id in letter_ids]
    assert sorted(batched) == sorted(letter.letter_id for letter in made[:4])
    assert Letter.objects.filter(batch="").get() == made[4]  # one letter, and young: it waits
    settings.RSPORTAL_PRINT_BATCH_MAX_AGE_MINUTES = 0
    assert len(letters.form_print_batch()) == 1 and not Letter.objects.filter(batch="").exists()


def test_a_letter_whose_file_is_gone_is_said_out_loud_and_its_order_can_be_retried(
    spooled_letters, caplog, client, contact_person
):
    lost, kept = spooled_letters(2)
    (SpoolPrintHouse().spool / f"{lost.letter_id}.pdf").unlink()

    with caplog.at_level(logging.ERROR):
        [batch] = letters.form_print_batch(force=True)

    assert manifests() == {batch: [kept.letter_id]}
    assert lost.letter_id in caplog.text and "missing" in caplog.text
    order = PukOrder.objects.get(pk=lost.order_id)
    assert order.state == OrderState.FAILED and "fil saknades" in order.letter_error
    assert not Letter.objects.filter(pk=lost.pk).exists()
    letters.retry_letter(order=order, by=contact_person)
    assert letters.produce_letter(order.pk).letter_id == lost.letter_id  # made anew, under the same id


def test_a_batch_prepared_by_a_run_that_stopped_before_recording_it_is_never_released(spooled_letters):
    made = spooled_letters(2)
    print_house = SpoolPrintHouse()
    stopped, _ = print_house.form_batch([{"letter_id": letter.letter_id, "outer_envelope": None} for letter in made])

    [batch] = letters.form_print_batch(force=True)

    assert set(manifests()) == {batch, f"{stopped}.part"}
    assert sorted(manifests()[batch]) == sorted(letter.letter_id for letter in made)
    assert not list((print_house.batches / f"{stopped}.part").glob("*.pdf"))  # the files went to the new batch
    assert set(Letter.objects.values_list("batch", flat=True)) == {batch}


def test_a_batch_recorded_by_a_run_that_stopped_before_releasing_it_is_released_by_the_next(spooled_letters):
    made = spooled_letters(1)
    print_house = SpoolPrintHouse()
    recorded, _ = print_house.form_batch([{"letter_id": made[0].letter_id, "outer_envelope": None}])
    Letter.objects.update(batch=recorded)

    assert letters.form_print_batch(force=True) == []
    assert manifests() == {recorded: [made[0].letter_id]}


@pytest.mark.services
def test_two_runs_at_once_batch_different_letters(transactional_db, spooled_letters, settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        message = "row locks are proven on PostgreSQL; this run uses " + connection.vendor
        pytest.fail(message) if REQUIRE_SERVICES else pytest.skip(message)
    settings.RSPORTAL_PRINT_BATCH_SIZE = 2
    made = spooled_letters(3)
    locked, release = threading.Event(), threading.Event()

    def other_run_holding_the_oldest():
        try:
            with transaction.atomic():
                Letter.objects.select_for_update().filter(pk=made[0].pk).get()
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    other = threading.Thread(target=other_run_holding_the_oldest)
    other.start()
    assert locked.wait(10)
    try:
        [batch] = letters.form_print_batch()  # does not wait for the lock; a full batch of the other two
    finally:
        release.set()
        other.join(10)
    assert sorted(manifests()[batch]) == sorted(letter.letter_id for letter in made[1:])
    assert Letter.objects.get(pk=made[0].pk).batch == ""


def test_a_letter_the_print_house_reported_on_before_any_batch_is_not_batched(spooled_letters):
    reported, waiting = spooled_letters(2)
    print_house_status.receive(
        json.dumps({"event_id": "e1", "letter_id": reported.letter_id, "status": "printed"}), "t"
    )

    [batch] = letters.form_print_batch(force=True)

    assert manifests() == {batch: [waiting.letter_id]}
    assert PukOrder.objects.get(pk=reported.order_id).state == OrderState.PRINTED
    assert Letter.objects.filter(pk=reported.pk, batch="").exists()
