"""The demo's promise, end to end: the PUK in the demo letter is the one on the demo's
virtual card, and it unblocks that card through pyscard -> pcscd -> vpcd -> card."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from pypdf import PdfReader

from cards.models import Card
from cards.reader import operations, transport
from cards.reader.codes import Code
from cards.reader.profiles import PinRole
from cards.virtualcard.state import CardState
from demo.management.commands import seed_demo
from letters import services as letters
from letters.print_house import SpoolPrintHouse
from orders import services

pytestmark = [pytest.mark.django_db, pytest.mark.pcsc]

ANNAS_RS_KORT = "9752270000010012"


def test_the_puk_in_the_demo_letter_unblocks_the_demo_virtual_card(rs_slot, tmp_path, monkeypatch):
    monkeypatch.setattr(seed_demo, "VIRTUAL_CARD_DIR", tmp_path / "cards")  # not the worktree's var/
    monkeypatch.setattr(seed_demo, "STATION_CREDENTIAL_FILE", tmp_path / "station.credential")
    call_command("seed_demo", stdout=io.StringIO())
    card = Card.objects.get(card_number=ANNAS_RS_KORT)
    karin = get_user_model().objects.get(username="karin")
    order = services.place_order(
        placed_by=card.holder.user, card=card, reason="lost_letter", blocked_codes="legitimering"
    )
    services.approve_order(order=order, by=karin)

    letter = letters.produce_letter(order.pk)
    pdf = (SpoolPrintHouse().spool / f"{letter.letter_id}.pdf").read_bytes()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    puk = re.search(r"PUK-kod:\s*(\d{8})", text).group(1)

    rs_slot.put(CardState.load(tmp_path / "cards" / f"{ANNAS_RS_KORT}.json"))  # blocked, as the demo has it
    conn = transport.connect(rs_slot.reader)
    try:
        assert operations.read_card(conn).pins[PinRole.LEGITIMERING].left == 0
        outcome = operations.unblock_pin(conn, PinRole.LEGITIMERING, Code(puk), Code("424242"), Code("424242"))
        assert outcome.succeeded
        assert operations.read_card(conn).pins[PinRole.LEGITIMERING].left == 3
    finally:
        conn.close()
    assert rs_slot.state().pins["legitimering"] == "424242"
