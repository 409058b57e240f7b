"""The demo's people and cards arrive as production's do: through the directory's and the
card system's exports and sync_registers' service. Changing a line of the card export
revokes that card and cancels its open order; removing a person from the directory export
ends their access (README: the demo through the sync)."""

import io
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from cards.models import Card, PukRecord
from demo.management.commands import _demo_history, seed_demo
from orders.models import PukOrder
from orders.states import OrderState
from organisation.models import ContactPersonAssignment, Employee
from registers.models import SyncRun

pytestmark = pytest.mark.django_db

ANNAS_REVOKED_CARD = "9752270000010038"


def logs_in(client, username: str) -> bool:
    """Through the login form, with the demo password (then logs out again)."""
    client.post(reverse("login"), {"username": username, "password": seed_demo.DEMO_PASSWORD})
    logged_in = "_auth_user_id" in client.session
    client.logout()
    return logged_in


@pytest.fixture
def demo(tmp_path, monkeypatch, settings):
    settings.POPULATION_REGISTER_FILE = settings.BASE_DIR / "demo" / "population_register.json"
    settings.CARD_SYSTEM_FILE = tmp_path / "card_system.csv"
    shutil.copy(settings.BASE_DIR / "demo" / "card_system.csv", settings.CARD_SYSTEM_FILE)
    settings.DIRECTORY_FILE = tmp_path / "directory.jsonl"
    shutil.copy(settings.BASE_DIR / "demo" / "directory.jsonl", settings.DIRECTORY_FILE)
    monkeypatch.setattr(seed_demo, "VIRTUAL_CARD_DIR", tmp_path / "cards")  # not the checkout's var/
    monkeypatch.setattr(seed_demo, "STATION_CREDENTIAL_FILE", tmp_path / "station.credential")
    call_command("seed_demo", stdout=io.StringIO())
    return settings.CARD_SYSTEM_FILE


def test_the_demo_cards_come_from_the_export_through_the_sync_and_again_change_nothing(demo):
    first, then = SyncRun.objects.filter(register="cards").order_by("started_at")
    assert first.outcome == then.outcome == SyncRun.Outcome.OK and not first.dry_run
    assert first.counts["new"] == Card.objects.count() == 18
    assert then.counts["revoked"] == 1  # Ivar's card, after his order was rejected

    call_command("seed_demo", stdout=io.StringIO())

    again = SyncRun.objects.filter(register="cards").first()
    assert again.writes == 0 and not any(again.counts.values())
    assert SyncRun.objects.filter(register="cards").count() == 3


def test_the_demo_people_and_contact_persons_come_from_the_directory_export_and_log_in(demo, client):
    (run,) = SyncRun.objects.filter(register="directory")
    assert run.outcome == SyncRun.Outcome.OK and not run.dry_run
    assert run.counts["forvaltningar"] == 3
    assert run.counts["started"] == Employee.objects.count() == len(seed_demo.PEOPLE)
    assert run.counts["appointed"] == ContactPersonAssignment.objects.not_ended().count() == 4
    for username in [*seed_demo.PEOPLE, "rita", "admin"]:
        assert logs_in(client, username), username

    call_command("seed_demo", stdout=io.StringIO())

    again = SyncRun.objects.filter(register="directory").first()
    assert again.writes == 0 and not any(again.counts.values())
    assert logs_in(client, "karin")


def test_sync_registers_on_the_seeded_demo_changes_nothing(demo):
    out = io.StringIO()
    call_command("sync_registers", "--dry-run", stdout=out)
    call_command("sync_registers", stdout=out)

    for register in ("directory", "cards"):
        dry, real = SyncRun.objects.filter(register=register).order_by("-started_at")[:2][::-1]
        assert dry.dry_run and not real.dry_run
        for run in (dry, real):
            assert run.outcome == SyncRun.Outcome.OK, run.message
            assert run.writes == 0 and not any(run.counts.values()), (register, run.counts)
    assert all(user.is_active for user in get_user_model().objects.all())


def test_ivars_card_is_revoked_by_the_card_system_after_his_order_and_keeps_no_puk(demo):
    ivar = Card.objects.get(card_number=_demo_history.CARDS["ivar"])
    assert ivar.status == Card.Status.REVOKED
    assert PukOrder.objects.get(card=ivar).state == OrderState.REJECTED
    assert not PukRecord.objects.filter(card=ivar).exists()
    assert not PukRecord.objects.filter(card__card_number=ANNAS_REVOKED_CARD).exists()
    assert PukRecord.objects.filter(card__status=Card.Status.ACTIVE).count() == 16


def test_a_line_changed_in_the_demo_export_revokes_the_card_and_cancels_its_open_order(demo, client):
    erik = _demo_history.CARDS["erik"]
    text = demo.read_text(encoding="utf-8")
    demo.write_text(
        text.replace(f"{erik};rs-kort;SE2321000289-E009;aktivt", f"{erik};rs-kort;SE2321000289-E009;spärrat")
    )

    out = io.StringIO()
    call_command("sync_registers", "--dry-run", stdout=out)
    assert f"{erik} revoked" in out.getvalue()
    assert Card.objects.get(card_number=erik).status == Card.Status.ACTIVE
    call_command("sync_registers", stdout=io.StringIO())

    order = PukOrder.objects.get(card__card_number=erik)
    assert order.state == OrderState.CANCELLED
    assert Card.objects.get(card_number=erik).status == Card.Status.REVOKED
    assert AuditEvent.objects.for_object(order).exists()
    client.force_login(get_user_model().objects.get(username="erik"))
    page = client.get(reverse("orders:my_cards")).content.decode()
    assert "Spärrat" in page
    detail = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "Återkallad" in detail and "Kortet har spärrats i kortsystemet." in detail
    client.force_login(get_user_model().objects.get(username="karin"))
    assert "Erik Ek" not in client.get(reverse("orders:queue")).content.decode()


def test_a_person_removed_from_the_demo_directory_export_can_no_longer_log_in_and_loses_the_open_order(
    demo, settings, client, django_capture_on_commit_callbacks, tasks_in_process
):
    erik = _demo_history.PEOPLE["erik"][3]
    lines = settings.DIRECTORY_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if f'"hsa_id": "{erik}"' not in line]
    assert len(kept) == len(lines) - 1
    settings.DIRECTORY_FILE.write_text("".join(kept).replace('"people": 15', '"people": 14'), encoding="utf-8")

    out = io.StringIO()
    call_command("sync_registers", "--dry-run", stdout=out)
    assert f"{erik} (gone)" in out.getvalue()
    assert get_user_model().objects.get(username="erik").is_active
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sync_registers", stdout=io.StringIO())

    assert not logs_in(client, "erik")
    assert Employee.objects.get(hsa_id=erik).left_at is not None
    order = PukOrder.objects.get(card__card_number=_demo_history.CARDS["erik"])
    assert order.state == OrderState.CANCELLED
    left = "Kortinnehavaren finns inte längre i HSA-katalogen och har slutat."
    assert AuditEvent.objects.for_object(order).filter(reason=left).exists()
    assert any("karin@demo.skane.se" in message.to for message in mail.outbox)
    client.force_login(get_user_model().objects.get(username="karin"))
    assert "Erik Ek" not in client.get(reverse("orders:queue")).content.decode()
    (run,) = SyncRun.objects.filter(register="directory", dry_run=False).order_by("-started_at")[:1]
    assert run.counts["left"] == 1 and sum(run.counts.values()) == 1
