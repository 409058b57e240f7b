"""Producing a register extract: read, render, and record that it was produced."""

from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record
from organisation.models import Employee, User

from .as_json import render_json
from .as_pdf import render_pdf
from .selectors import register_extract
from .words import WORDS


class ExtractFormat(StrEnum):
    PDF = "pdf"
    JSON = "json"


@dataclass(frozen=True)
class Extract:
    filename: str
    content_type: str
    content: bytes


@transaction.atomic
def produce_register_extract(employee: Employee, *, by: User, extract_format: ExtractFormat) -> Extract:
    """The register extract of `employee` in `extract_format`, produced by the administrator
    `by`; the act is recorded (REGISTER_EXTRACT_PRODUCED) with the employee as its object."""
    at = timezone.now()
    extract = register_extract(employee, produced_by=by, at=at)
    if extract_format is ExtractFormat.PDF:
        content = render_pdf(extract, {key: str(word) for key, word in WORDS.items()})
        content_type = "application/pdf"
    else:
        content = render_json(extract)
        content_type = "application/json; charset=utf-8"
    record(
        AuditAction.REGISTER_EXTRACT_PRODUCED,
        employee,
        actor=by,
        format=str(extract_format),
        orders=len(extract["orders"]),
        audit_events=len(extract["audit_events"]),
    )
    stamp = timezone.localtime(at).strftime("%Y%m%d-%H%M")
    return Extract(f"registerutdrag-{employee.hsa_id}-{stamp}.{extract_format}", content_type, content)
