"""manage.py sync_registers --register cards, on PostgreSQL: the card system's export
mirrored, all or nothing, with what follows from each change."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from audit.actions import AuditAction
from audit.models import AuditEvent
from cards.models import Card, PukRecord
from letters import services as letters
from orders import services
from orders.states import OrderState
from registers.card_export import HEADER
from registers.models import SyncRun
from tests.conftest import REQUIRE_SERVICES
from tests.factories import CardFactory, EmployeeFactory, approved_order, give_puk
from tests.letters.spool import spooled

pytestmark = pytest.mark.services

WORDS = {"active": "aktivt", "revoked": "spärrat"}


@pytest.fixture(autouse=True)
def on_postgresql(db):
    if connection.vendor != "postgresql":
        message = "the sync is proven on PostgreSQL; this run uses " + connection.vendor
        pytest.fail(message) if REQUIRE_SERVICES else pytest.skip(message)


@pytest.fixture
def export(tmp_path, settings):
    """The card system's export file; `export.write(cards, changed={number: facts})`."""
    path = tmp_path / "card_system.csv"
    settings.CARD_SYSTEM_FILE = path

    class Export:
        def write(self, cards, *, changed=None, extra_lines=(), drop=()):
            lines = [";".join(HEADER)]
            for card in cards:
                if card.card_number in drop:
                    continue
                facts = {
                    "card_type": card.card_type.code,
                    "holder": card.holder.hsa_id,
                    "status": card.status,
                    "valid_from": card.valid_from,
                    "valid_to": card.valid_to,
                    **(changed or {}).get(card.card_number, {}),
                }
                lines.append(
                    f"{card.card_number};{facts['card_type']};{facts['holder']};{WORDS[facts['status']]};"
                    f"{facts['valid_from']};{facts['valid_to']}"
                )
            path.write_text("\n".join([*lines, *extra_lines]) + "\n", encoding="utf-8")

        def write_text(self, text):
            path.write_text(text, encoding="utf-8")

    return Export()


def sync(*args):
    out = io.StringIO()
    call_command("sync_registers", "--register", "cards", *args, stdout=out)
    return out.getvalue()


def refused_sync(*args):
    with pytest.raises(CommandError):
        call_command("sync_registers", "--register", "cards", *args, stdout=(out := io.StringIO()))
    return out.getvalue()


def facts(card):
    card.refresh_from_db()
    return (card.status, card.valid_to, card.holder_id)


@pytest.fixture
def region(card):
    """Forty cards besides `card`: one card ending is 2.4 %, under the 5 % safety limit."""
    return [card, *CardFactory.create_batch(40)]


def test_a_dry_run_prints_the_changes_and_writes_nothing(region, export, employee):
    export.write(
        region,
        changed={region[1].card_number: {"status": "revoked"}},
        extra_lines=[f"9752279999990001;rs-kort;{employee.hsa_id};aktivt;2026-01-01;2031-01-31"],
    )
    before = (AuditEvent.objects.count(), [facts(card) for card in region], Card.objects.count())

    out = sync("--dry-run")

    assert (AuditEvent.objects.count(), [facts(card) for card in region], Card.objects.count()) == before
    assert "provkörning" in out
    assert "Läser kortsystemets export: 42 klart" in out  # plain progress lines: not a terminal
    assert "new 1" in out and "revoked 1" in out
    assert "rad 43: 9752279999990001 new" in out
    assert f"{region[1].card_number} revoked (status active → revoked)" in out
    run = SyncRun.objects.get()
    assert run.dry_run and run.outcome == SyncRun.Outcome.OK and run.writes == 0
    assert run.counts["new"] == 1


def test_a_second_run_with_nothing_changed_makes_no_writes(region, export, employee):
    export.write(region, extra_lines=[f"9752279999990001;rs-kort;{employee.hsa_id};aktivt;2026-01-01;2031-01-31"])
    sync()
    first = SyncRun.objects.get()
    assert first.writes == 1 and Card.objects.filter(card_number="9752279999990001").exists()
    events = AuditEvent.objects.count()

    out = sync()

    second = SyncRun.objects.latest("started_at")
    assert second.outcome == SyncRun.Outcome.OK and second.writes == 0
    assert not any(second.counts.values())
    assert AuditEvent.objects.count() == events
    assert "inga ändringar" not in out  # counts are printed, all zero
    assert "skrivningar 0" in out


def test_the_safety_limit_refuses_ending_too_many_cards_and_force_passes(region, export, settings):
    settings.RSPORTAL_REGISTER_SAFETY_MINIMUM = 2
    export.write(region, drop={card.card_number for card in region[1:4]})  # 3 of 41: 7.3 %

    out = refused_sync()

    assert "säkerhetsgränsen 5%" in out and "--force" in out
    assert all(facts(card)[0] == Card.Status.ACTIVE for card in region)
    assert SyncRun.objects.get().outcome == SyncRun.Outcome.REFUSED

    sync("--force")

    assert [facts(card)[0] for card in region[1:4]] == [Card.Status.REVOKED] * 3
    assert facts(region[4])[0] == Card.Status.ACTIVE


def test_a_few_ends_in_a_small_register_pass_the_safety_limit(region, export, settings):
    settings.RSPORTAL_REGISTER_SAFETY_MINIMUM = 3
    export.write(region, drop={card.card_number for card in region[1:4]})  # 3 of 41, but no more than 3

    sync()

    assert [facts(card)[0] for card in region[1:4]] == [Card.Status.REVOKED] * 3


def test_a_broken_export_changes_nothing_and_names_the_line(region, export):
    export.write(
        region,
        changed={region[1].card_number: {"status": "revoked"}},
        extra_lines=["9752279999990001;rs-kort;SE2321000289-X;aktivt;2026-01-01"],
    )

    out = refused_sync()

    assert "rad 43: 5 kolumner, väntade 6" in out
    assert facts(region[1])[0] == Card.Status.ACTIVE
    run = SyncRun.objects.get()
    assert run.outcome == SyncRun.Outcome.FAILED and "rad 43" in run.message


def test_an_empty_export_never_empties_the_region(region, export):
    export.write_text(";".join(HEADER) + "\n")

    out = refused_sync("--force")

    assert "inga kort" in out
    assert Card.objects.filter(status=Card.Status.ACTIVE).count() == len(region)


def test_a_revoked_card_cancels_its_open_order_in_words_and_purges_its_puk(region, export, card):
    give_puk(card)
    order = services.place_order(placed_by=card.holder.user, card=card, reason="lost_letter", blocked_codes="both")
    export.write(region, changed={card.card_number: {"status": "revoked"}})

    sync()

    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    cancelled = AuditEvent.objects.get(object_id=str(order.pk), action=AuditAction.ORDER_CANCELLED)
    assert cancelled.reason == "Kortet har spärrats i kortsystemet."
    assert cancelled.actor is None
    assert not PukRecord.objects.filter(card=card).exists()
    assert facts(card)[0] == Card.Status.REVOKED
    assert AuditEvent.objects.filter(object_id=str(card.pk), action=AuditAction.PUK_PURGED).exists()


def test_an_approved_order_is_cancelled_before_its_letter_is_made(region, export, card, contact_person):
    give_puk(card)
    order = approved_order(card, contact_person)
    export.write(region, changed={card.card_number: {"valid_to": date.today() - timedelta(days=1)}})

    sync()

    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert letters.produce_letter(order.pk) is None  # the letter task finds nothing to make


def test_a_spooled_letter_is_taken_back_and_its_order_cancelled(
    region, export, card, contact_person, django_capture_on_commit_callbacks
):
    give_puk(card)
    order = approved_order(card, contact_person)
    letters.produce_letter(order.pk)
    assert len(spooled()) == 1
    export.write(region, changed={card.card_number: {"status": "revoked"}})

    with django_capture_on_commit_callbacks(execute=True):
        sync()

    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert spooled() == []


def test_a_letter_already_in_a_batch_flags_the_order(region, export, card, contact_person):
    give_puk(card)
    order = approved_order(card, contact_person)
    letters.produce_letter(order.pk)
    letters.form_print_batch(force=True)
    export.write(region, changed={card.card_number: {"status": "revoked"}})

    sync()
    sync()  # flagged once

    order.refresh_from_db()
    assert order.state == OrderState.LETTER_QUEUED
    [flag] = AuditEvent.objects.filter(object_id=str(order.pk), action=AuditAction.ORDER_FLAGGED_CARD_ENDED)
    assert flag.reason == "Kortet har spärrats i kortsystemet."
    assert not PukRecord.objects.filter(card=card).exists()


def test_a_new_card_shows_under_mina_kort(region, export, employee, employee_client):
    export.write(region, extra_lines=[f"9752279999990001;rs-kort;{employee.hsa_id};aktivt;2026-01-01;2031-01-31"])

    sync()

    new = Card.objects.get(card_number="9752279999990001")
    assert new.holder == employee
    assert AuditEvent.objects.filter(object_id=str(new.pk), action=AuditAction.CARD_REGISTERED).exists()
    page = employee_client.get(reverse("orders:my_cards")).content.decode()
    assert "•••• 0001" in page


def test_a_new_card_of_an_unknown_holder_is_refused_not_created(region, export):
    export.write(region, extra_lines=["9752279999990001;rs-kort;SE2321000289-OKAND;aktivt;2026-01-01;2031-01-31"])

    out = sync()

    assert not Card.objects.filter(card_number="9752279999990001").exists()
    assert "refused:" in out and "okänd innehavare SE2321000289-OKAND" in out
    assert SyncRun.objects.get().counts["refused"] == 1


def test_a_changed_holder_and_validity_are_set(region, export, card):
    other = EmployeeFactory()
    export.write(region, changed={card.card_number: {"holder": other.hsa_id, "valid_to": date(2031, 6, 30)}})

    sync()

    assert facts(card) == (Card.Status.ACTIVE, date(2031, 6, 30), other.pk)
    assert AuditEvent.objects.filter(object_id=str(card.pk), action=AuditAction.CARD_CHANGED_IN_REGISTER).exists()


def test_an_error_halfway_through_applying_undoes_the_whole_run(region, export, card, monkeypatch):
    give_puk(card)
    export.write(
        region,
        changed={card.card_number: {"status": "revoked"}, region[2].card_number: {"valid_to": date(2031, 1, 31)}},
    )

    def store_down(card, *, reason):
        raise RuntimeError("the PUK store did not answer")

    monkeypatch.setattr("registers.card_sync.purge_puk", store_down)

    out = refused_sync()

    assert "the PUK store did not answer" in out
    assert facts(card)[0] == Card.Status.ACTIVE
    assert facts(region[2])[1] != date(2031, 1, 31)
    assert not AuditEvent.objects.filter(action=AuditAction.CARD_ENDED_IN_REGISTER).exists()
    assert SyncRun.objects.get().outcome == SyncRun.Outcome.FAILED
