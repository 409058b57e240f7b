"""The load run's invariants (benchmarks/load/invariants.py): a small world made by the
services holds all five, and each way of breaking one is named."""

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record
from benchmarks.load import invariants
from letters import services as letters
from letters import status as print_house_status
from letters.print_house import SpoolPrintHouse
from orders import services
from orders.models import Letter, PukOrder
from tests.factories import CardFactory, give_puk

pytestmark = pytest.mark.django_db


def send(letter_id, status, event_id=None, *, duplicate=False, **extra):
    """One report through the print house's way in, as the load test writes it down."""
    event = {"event_id": event_id or f"{letter_id}-{status}", "letter_id": letter_id, "status": status, **extra}
    applied = print_house_status.receive(json.dumps(event), "load test")
    return {**event, "duplicate": duplicate, "answer": 204 if applied else 409}


@pytest.fixture
def world(employee, contact_person, second_contact_person):
    """Orders in most states, their letters and reports, and what the load test was told:
    reported on twice (printed, posted), a letter queued, one lost from the spool and made
    again, rejected, waiting for a decision, and approved with its letter still to come.
    From the third on, the holder's orders need two approvals."""
    since = timezone.now()
    cards = [CardFactory(holder=employee) for _ in range(6)]
    for card in cards:
        give_puk(card)

    def approved_order(card):
        order = services.place_order(placed_by=employee.user, card=card, reason="lost_letter", blocked_codes="both")
        order = services.approve_order(order=order, by=contact_person)
        if order.needs_second_approval:
            order = services.approve_order(order=order, by=second_contact_person)
        return order

    reported, queued, lost = (approved_order(card) for card in cards[:3])
    letter = letters.produce_letter(reported.pk)
    queued_letter = letters.produce_letter(queued.pk)
    lost_letter = letters.produce_letter(lost.pk)
    (SpoolPrintHouse().spool / f"{lost_letter.letter_id}.pdf").unlink()
    letters.form_print_batch(force=True)
    lost.refresh_from_db()
    letters.retry_letter(order=lost, by=contact_person)
    letters.produce_letter(lost.pk)
    reports = [
        send(letter.letter_id, "printed"),
        send(letter.letter_id, "printed", duplicate=True),
        send(letter.letter_id, "posted", tracking_id="RR123456785SE"),
        send(queued_letter.letter_id, "delivered"),  # out of order: refused
    ]
    rejected = services.place_order(placed_by=employee.user, card=cards[3], reason="lost_letter", blocked_codes="both")
    services.reject_order(order=rejected, by=contact_person, reason="Kortet ska bytas.")
    waiting = services.place_order(placed_by=employee.user, card=cards[4], reason="lost_letter", blocked_codes="both")
    approved = approved_order(cards[5])
    orders = [reported, queued, lost, rejected, waiting, approved]
    return SimpleNamespace(
        since=since,
        created=[{"order_id": order.pk, "order_number": order.reference} for order in orders],
        reports=reports,
        reported=reported,
        queued=queued,
        approved=approved,
        letter=letter,
        queued_letter=queued_letter,
    )


def breaches(world, **changed):
    return invariants.check(**{"created": world.created, "reports": world.reports, "since": world.since, **changed})


def named(found):
    return {(b.invariant, b.what) for b in found}


def test_the_world_the_services_made_holds_every_invariant(world):
    assert [order.state for order in PukOrder.objects.order_by("pk")] == [
        "posted",
        "letter_queued",
        "letter_queued",
        "rejected",
        "submitted",
        "approved",
    ]
    assert breaches(world) == []


def test_a_second_letter_and_a_missing_one_are_named(world):
    Letter.objects.create(order=world.queued, generation=2)
    assert named(breaches(world)) == {
        (invariants.ONE_LETTER, "orders with more letters than their state and sends-again allow"),
        (invariants.AUDIT_PER_ACT, "with not one letter_queued event per act"),  # made by no act
    }
    Letter.objects.filter(order=world.queued).delete()
    assert named(breaches(world)) == {
        (invariants.ONE_LETTER, "orders approved or later without the letter they should have")
    }


def test_a_letter_whose_generation_skips_one_is_named(world):
    Letter.objects.filter(order=world.queued).update(generation=2)
    found = breaches(world)
    assert [(b.invariant, b.examples) for b in found if b.what.startswith("orders whose letters")] == [
        (invariants.ONE_LETTER, [world.queued.reference])
    ]


def test_an_approved_order_older_than_the_sweep_period_is_stuck_unless_its_retry_is_due_later(world):
    long_ago = timezone.now() - timedelta(hours=1)
    PukOrder.objects.filter(pk=world.approved.pk).update(updated_at=long_ago)
    [stuck] = breaches(world)
    assert (stuck.invariant, stuck.count, stuck.examples) == (invariants.NOT_STUCK, 1, [world.approved.reference])
    assert "(210 s)" in stuck.what
    PukOrder.objects.filter(pk=world.approved.pk).update(letter_retry_at=timezone.now() + timedelta(seconds=60))
    assert breaches(world) == []
    assert breaches(world, sweep_period_seconds=-120) != []


def test_a_report_accepted_twice_or_accepted_and_lost_or_refused_and_applied_is_named(world):
    printed, _, posted, refused = world.reports
    twice = [*world.reports, {**printed, "duplicate": True}]
    lost = [*world.reports, {**refused, "event_id": "never-received", "answer": 204}]
    applied = [printed, {**posted, "answer": 409}, refused]
    assert named(breaches(world, reports=twice)) == {
        (invariants.REPORTS_ONCE, "event ids accepted (2xx) more than once")
    }
    assert named(breaches(world, reports=lost)) == {
        (invariants.REPORTS_ONCE, "reports accepted (2xx) but not recorded for their letter and status")
    }
    assert named(breaches(world, reports=applied)) == {
        (invariants.REPORTS_ONCE, "reports refused (4xx) every time but recorded")
    }


def test_a_report_whose_answer_was_lost_may_have_been_applied(world):
    reports = [{**report, "answer": None} for report in world.reports]
    assert breaches(world, reports=reports) == []


def test_a_status_applied_twice_is_named_for_its_letter(world):
    record(AuditAction.LETTER_PRINTED, world.reported, letter=world.letter.letter_id)
    [found] = breaches(world)
    assert (found.invariant, found.examples) == (invariants.REPORTS_ONCE, [f"{world.letter.letter_id} printed"])
    # The same letter, its reports not in the file: the audit trail's count names it.
    [found] = breaches(world, reports=[])
    assert (found.invariant, found.what) == (invariants.AUDIT_PER_ACT, "with not one letter status event per act")


def test_orders_missing_extra_told_twice_or_misnumbered_are_named(world):
    first, *others = world.created
    created = [others[0], {**others[1], "order_number": "PUK-000001"}, *others[2:], others[0], {"order_id": 999999}]
    found = {b.what: b for b in breaches(world, created=created)}
    assert {b.invariant for b in found.values()} == {invariants.ORDERS_TOLD}
    assert found["orders told created that are not in the database"].examples == ["PUK-999999"]
    assert found["orders made during the run that the load test was not told of"].examples == [first["order_number"]]
    assert found["orders told created more than once"].examples == [others[0]["order_number"]]
    assert found["order numbers that do not name their order id"].examples == ["PUK-000001"]


def test_an_order_told_by_its_number_alone_is_found(world):
    created = [{"order_number": line["order_number"]} for line in world.created]
    assert breaches(world, created=created) == []


def test_an_order_made_before_the_run_is_not_counted_as_extra(world):
    assert breaches(world, since=timezone.now()) == []


@pytest.mark.parametrize(
    "action", [AuditAction.ORDER_SUBMITTED, AuditAction.ORDER_APPROVED, AuditAction.ORDER_REJECTED]
)
def test_an_act_recorded_twice_is_named(world, action):
    record(action, world.reported)
    [found] = breaches(world)
    assert (found.invariant, found.examples) == (invariants.AUDIT_PER_ACT, [world.reported.reference])
    assert action in found.what


def test_a_letter_recorded_as_made_twice_is_named(world):
    record(AuditAction.LETTER_QUEUED, world.queued, letter=world.queued_letter.letter_id)
    [found] = breaches(world)
    assert (found.invariant, found.examples) == (invariants.AUDIT_PER_ACT, [world.queued_letter.letter_id])


def test_the_command_exits_non_zero_naming_each_breach_with_its_count_and_examples(
    world, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(invariants, "configure", lambda url: None)
    created, reports = tmp_path / "created.jsonl", tmp_path / "reports.jsonl"
    reports.write_text("".join(json.dumps(line) + "\n" for line in world.reports))
    arguments = ["--database-url", "unused", "--created", str(created), "--reports", str(reports)]
    arguments += ["--since", world.since.isoformat()]
    created.write_text("".join(json.dumps(line) + "\n" for line in world.created))
    assert invariants.main(arguments) == 0
    assert "invariants: all 5 hold" in capsys.readouterr().out
    created.write_text("".join(json.dumps(line) + "\n" for line in world.created[1:]))
    Letter.objects.create(order=world.queued, generation=2)
    assert invariants.main(arguments) == 1
    out = capsys.readouterr().out
    assert f"BREACH {invariants.ORDERS_TOLD}: 1 orders made during the run that the load test was not told" in out
    assert f"BREACH {invariants.ONE_LETTER}: 1 orders with more letters" in out
    assert "invariants: 3 of 5 breached" in out  # the letter made by no act too
