"""Helpers of the letter tests: what lies in the embedded print house's spool, and a
status report from the print house."""

import json
from pathlib import Path

from django.conf import settings

from letters import status as print_house_status
from orders.models import Letter


def spooled() -> list[Path]:
    """The letter files waiting in the spool and in its batches."""
    root = Path(settings.RSPORTAL_PRINT_DIR)
    return sorted([*(root / "spool").glob("*.pdf"), *(root / "batches").glob("*/*.pdf")])


def status(letter: Letter, status: str, event_id: str | None = None, **extra: object) -> Letter | None:
    event = {"event_id": event_id or f"{letter.letter_id}-{status}", "letter_id": letter.letter_id, "status": status}
    return print_house_status.receive(json.dumps({**event, **extra}), "test")
