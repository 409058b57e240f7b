import io
import json
import re
import time
from datetime import timedelta

import pytest
from django.apps import apps
from django.db.models import CharField, JSONField, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from reportlab.lib.units import mm

from letters import services as letters
from letters import status as print_house_status
from letters.pdf import UNBLOCK_STEPS
from letters.print_house import SpoolPrintHouse
from orders.models import Letter, PukOrder
from orders.states import OrderState
from organisation.identity import display_personnummer
from tests.factories import approved_order, give_puk
from tests.letters.spool import spooled, status

pytestmark = pytest.mark.django_db


def pdf_text(path):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_the_letter_carries_the_puk_the_registered_address_and_no_pin(approved):
    letter = letters.produce_letter(approved.pk)

    approved.refresh_from_db()
    assert approved.state == OrderState.LETTER_QUEUED
    [path] = spooled()
    assert path.name == f"{letter.letter_id}.pdf"
    assert path.stat().st_mode & 0o077 == 0  # readable by the service alone
    text = pdf_text(path)
    assert text.count("24681357") == 1
    assert "Storgatan 12" in text and "211 34 MALMÖ" in text
    card_number = approved.card.card_number
    # The bullets of the mask are not text to pypdf: the card line ends in the last four digits.
    assert re.search(r"^Kort: RS-kort, \D*(\d+)$", text, re.MULTILINE).group(1) == card_number[-4:]
    assert card_number not in text
    assert all(step in text for step in UNBLOCK_STEPS)
    assert "internt telefon 30000, externt 0776-73 00 00" in text
    # No PIN: the only runs of six digits or more are the PUK and the letter's reference.
    assert set(re.findall(r"\d{6,}", text)) == {"24681357", f"{approved.pk:06d}"}


def test_the_address_sits_in_the_envelope_window(approved):
    """SS 63 70 window of a C5/E65 envelope: 20 mm from the left, 45 mm from the top, 90 × 45 mm."""
    letters.produce_letter(approved.pk)
    page = PdfReader(io.BytesIO(spooled()[0].read_bytes())).pages[0]
    height = float(page.mediabox.height)
    placed = {}
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: placed.setdefault(text.strip(), (tm[4], tm[5])))
    for line in (approved.holder.full_name, "Storgatan 12", "211 34 MALMÖ"):
        x, y = placed[line]
        assert 20 * mm <= x <= 110 * mm - 40 * mm  # room for the line's width
        assert 45 * mm <= height - y <= 90 * mm


def test_producing_the_letter_twice_leaves_exactly_one_letter(approved):
    letters.produce_letter(approved.pk)
    assert letters.produce_letter(approved.pk) is None
    assert Letter.objects.filter(order=approved).count() == 1
    assert len(spooled()) == 1


def test_a_protected_holders_letter_names_the_person_for_the_forwarding_service(card, contact_person, register):
    register.add(card.holder, status="protected")
    give_puk(card)
    order = approved_order(card, contact_person)
    letter = letters.produce_letter(order.pk)

    assert letter.forwarded
    text = pdf_text(spooled()[0])
    assert card.holder.full_name in text and display_personnummer(card.holder.personnummer) in text
    letters.form_print_batch(force=True)
    status(letter, "posted", tracking_id="RR123456789SE")
    order.refresh_from_db()
    assert order.state == OrderState.FORWARDED
    manifest = json.loads(next((SpoolPrintHouse().batches).glob("*/manifest.json")).read_text())
    assert manifest["letters"][0]["outer_envelope"][0] == "Skatteverket"


def test_an_address_gone_at_letter_time_fails_the_order_in_words(approved, register):
    register.add(approved.holder, status="missing")
    letters.produce_letter(approved.pk)
    approved.refresh_from_db()
    assert approved.state == OrderState.FAILED
    assert "folkbokföringsadress" in approved.letter_error
    assert spooled() == []


def test_a_card_without_a_puk_in_the_store_fails_the_order(card, contact_person):
    order = approved_order(card, contact_person)
    letters.produce_letter(order.pk)
    order.refresh_from_db()
    assert order.state == OrderState.FAILED and "PUK" in order.letter_error


def test_status_reports_move_the_order_and_remove_the_letter_from_disk(approved):
    letter = letters.produce_letter(approved.pk)
    letters.form_print_batch(force=True)

    status(letter, "printed")
    assert spooled() == []  # the print house has it: nothing readable stays behind
    status(letter, "posted", tracking_id="RR123456789SE")
    status(letter, "delivered")

    approved.refresh_from_db()
    letter.refresh_from_db()
    assert approved.state == OrderState.DELIVERED
    assert letter.tracking_id == "RR123456789SE"


def test_replayed_out_of_order_and_unknown_reports_change_nothing(approved, caplog):
    letter = letters.produce_letter(approved.pk)
    assert status(letter, "delivered") is None  # not posted yet
    assert status(letter, "printed") is not None
    assert status(letter, "printed") is None  # the same event again
    assert (
        print_house_status.receive(json.dumps({"event_id": "x", "letter_id": "PUK-999999-1", "status": "printed"}), "t")
        is None
    )
    assert print_house_status.receive("not json", "test") is None
    approved.refresh_from_db()
    assert approved.state == OrderState.PRINTED
    assert "rejected" in caplog.text


def test_the_webhook_accepts_a_signed_report_and_refuses_a_forged_one(client, approved):
    letter = letters.produce_letter(approved.pk)
    body = json.dumps({"event_id": "e1", "letter_id": letter.letter_id, "status": "printed"}).encode()
    now = str(int(time.time()))
    url = reverse("letters:status_webhook")

    forged = client.post(
        url, body, content_type="application/json", HTTP_X_PRINT_TIMESTAMP=now, HTTP_X_PRINT_SIGNATURE="00"
    )
    assert forged.status_code == 403
    signature = print_house_status.sign(body, now, "test-print-house-secret")
    old = str(int(time.time()) - 3600)
    stale = client.post(
        url, body, content_type="application/json", HTTP_X_PRINT_TIMESTAMP=old,
        HTTP_X_PRINT_SIGNATURE=print_house_status.sign(body, old, "test-print-house-secret"),
    )  # fmt: skip
    assert stale.status_code == 409  # correctly signed, but an hour ago: a replay
    approved.refresh_from_db()
    assert approved.state == OrderState.LETTER_QUEUED

    ok = client.post(
        url, body, content_type="application/json", HTTP_X_PRINT_TIMESTAMP=now, HTTP_X_PRINT_SIGNATURE=signature
    )
    assert ok.status_code == 204
    replay = client.post(
        url, body, content_type="application/json", HTTP_X_PRINT_TIMESTAMP=now, HTTP_X_PRINT_SIGNATURE=signature
    )
    assert replay.status_code == 409
    approved.refresh_from_db()
    assert approved.state == OrderState.PRINTED


def test_status_files_in_the_inbox_are_applied_once(approved):
    letter = letters.produce_letter(approved.pk)
    inbox = SpoolPrintHouse().inbox
    inbox.mkdir(parents=True)
    lines = [
        {"event_id": "f1", "letter_id": letter.letter_id, "status": "printed"},
        {"event_id": "f2", "letter_id": letter.letter_id, "status": "posted", "tracking_id": "RR987654321SE"},
    ]
    (inbox / "status-1.jsonl").write_text("\n".join(json.dumps(line) for line in lines))
    assert print_house_status.import_inbox() == 2
    assert print_house_status.import_inbox() == 0
    approved.refresh_from_db()
    assert approved.state == OrderState.POSTED


def test_batches_form_by_count_or_age(approved, settings):
    letters.produce_letter(approved.pk)
    settings.RSPORTAL_PRINT_BATCH_SIZE = 2
    assert letters.form_print_batch() == []  # one letter, and young
    settings.RSPORTAL_PRINT_BATCH_MAX_AGE_MINUTES = 0
    [batch] = letters.form_print_batch()
    assert Letter.objects.get().batch == batch
    assert letters.form_print_batch() == []


def test_a_returned_letter_is_sent_again_after_a_fresh_lookup(approved, contact_person, client, register):
    first = letters.produce_letter(approved.pk)
    status(first, "posted", tracking_id="RR1SE")
    status(first, "returned", reason="unknown_address")
    approved.refresh_from_db()
    assert approved.state == OrderState.RETURNED

    register.add(approved.holder, street="Nygatan 1", town="LUND")
    client.force_login(contact_person)
    client.post(reverse("letters:send_again", args=[approved.pk]))
    second = letters.produce_letter(approved.pk)

    assert second.generation == 2
    assert "Nygatan 1" in pdf_text(SpoolPrintHouse().spool / f"{second.letter_id}.pdf")
    assert status(first, "delivered", event_id="late") is None  # the first letter is superseded


def test_a_returned_letter_can_be_closed_with_advice_for_the_holder(approved, contact_person, client):
    letter = letters.produce_letter(approved.pk)
    status(letter, "posted", tracking_id="RR1SE")
    status(letter, "returned", reason="not_collected")
    client.force_login(contact_person)
    client.post(reverse("letters:close_returned", args=[approved.pk]), {"advice": "Besök kortstationen i Lund."})
    approved.refresh_from_db()
    assert approved.state == OrderState.CLOSED


def test_a_failed_letter_is_retried_from_the_queue(card, contact_person, client, django_capture_on_commit_callbacks):
    order = approved_order(card, contact_person)
    letters.produce_letter(order.pk)  # no PUK yet: failed
    give_puk(card)
    client.force_login(contact_person)
    page = client.get(reverse("orders:queue_detail", args=[order.pk])).content.decode()
    assert "PUK-koden för kortet finns inte" in page and "Försök igen" in page

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("letters:retry", args=[order.pk]))
    assert len(callbacks) == 1
    letters.produce_letter(order.pk)
    assert PukOrder.objects.get(pk=order.pk).state == OrderState.LETTER_QUEUED


def test_the_holder_sees_the_registered_mail_tracking_id(approved, employee_client):
    letter = letters.produce_letter(approved.pk)
    status(letter, "posted", tracking_id="RR123456789SE")
    page = employee_client.get(reverse("orders:detail", args=[approved.pk])).content.decode()
    assert "<dt>Skickat som rekommenderat brev</dt>" in page and "kolli-id RR123456789SE" in page


def test_the_approved_order_waits_for_the_sweep_when_its_task_was_lost(approved, django_capture_on_commit_callbacks):
    PukOrder.objects.filter(pk=approved.pk).update(updated_at=approved.updated_at - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=False):
        assert letters.sweep_approved_orders() == 1


def test_the_contact_person_sees_the_tracking_id_in_the_queue_list(approved, client, contact_person):
    letter = letters.produce_letter(approved.pk)
    status(letter, "posted", tracking_id="RR123456789SE")
    client.force_login(contact_person)
    page = client.get(reverse("orders:queue"), {"state": "all"}).content.decode()
    posted_on = timezone.localdate(Letter.objects.get().posted_at)
    assert f"Rekommenderat brev {posted_on:%Y-%m-%d}, kolli-id RR123456789SE" in page


def test_a_returned_letter_lands_in_the_default_queue_to_be_handled(approved, client, contact_person):
    letter = letters.produce_letter(approved.pk)
    client.force_login(contact_person)
    assert approved.reference not in client.get(reverse("orders:queue")).content.decode()
    status(letter, "posted", tracking_id="RR1SE")
    status(letter, "returned", reason="unknown_address")
    page = client.get(reverse("orders:queue")).content.decode()
    assert approved.reference in page and "Returnerat" in page


def text_columns_holding(value):
    """Every (table, column) of a text or JSON column in which `value` appears."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, (CharField, TextField, JSONField)):
                rows = model._default_manager.annotate(as_text=Cast(field.name, TextField()))
                if rows.filter(as_text__icontains=value).exists():
                    found.append((model._meta.db_table, field.column))
    return found


def test_a_protected_persons_address_is_stored_nowhere_even_when_the_register_gives_one(
    card, contact_person, register, settings, client
):
    register.add(card.holder, status="protected")
    entries = json.loads(settings.POPULATION_REGISTER_FILE.read_text())
    # A register that answered with the address as well: the system must not take it.
    entries[card.holder.personnummer].update(street="Hemligvägen 7", postal_code="999 99", town="GÖMSTA")
    settings.POPULATION_REGISTER_FILE.write_text(json.dumps(entries))
    give_puk(card)
    order = approved_order(card, contact_person)
    letter = letters.produce_letter(order.pk)
    letters.form_print_batch(force=True)
    status(letter, "posted", tracking_id="RR123456789SE")
    client.force_login(contact_person)
    pages = client.get(reverse("orders:queue_detail", args=[order.pk])).content.decode()
    pages += client.get(reverse("orders:queue"), {"state": "all"}).content.decode()

    assert ("orders_letter", "tracking_id") in text_columns_holding("RR123456789SE")  # the search finds what is there
    for part in ("Hemligvägen", "999 99", "GÖMSTA"):
        assert text_columns_holding(part) == []
        assert part not in pages
    manifest = next(SpoolPrintHouse().batches.glob("*/manifest.json")).read_text()
    assert "Hemligvägen" not in manifest


def test_the_holder_is_told_via_the_tax_agency_from_the_letter_not_the_order(
    card, contact_person, register, employee_client
):
    give_puk(card)
    order = approved_order(card, contact_person)  # registered when ordered
    page = employee_client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "Via Skatteverkets förmedlingstjänst" not in page

    register.add(card.holder, status="protected")  # protected by the time of the letter
    letters.produce_letter(order.pk)
    page = employee_client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "Via Skatteverkets förmedlingstjänst" in page


def test_an_order_placed_as_protected_whose_letter_went_to_the_address_says_no_forwarding(
    card, contact_person, register, employee_client
):
    register.add(card.holder, status="protected")
    give_puk(card)
    order = approved_order(card, contact_person)
    page = employee_client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "Via Skatteverkets förmedlingstjänst" in page  # no letter yet: what the order knew

    register.add(card.holder)  # the protection lifted before the letter
    letters.produce_letter(order.pk)
    page = employee_client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "Via Skatteverkets förmedlingstjänst" not in page
