"""The register extract as a PDF: the selector's dict laid out for a person to read, free
of Django. The words (headings, field names) come in from the caller, in the page's
language; the values are printed as they are. Fonts: Liberation Sans, embedded, as the
code letter's (letters.fonts), where Debian's fonts-liberation is installed; else
reportlab's Helvetica."""

import io
import json
from collections.abc import Mapping
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate

from letters.fonts import FONT_DIR

# The top-level parts after the heading, in the order they are printed.
SECTIONS = (
    "person",
    "login",
    "cards",
    "orders",
    "desk_visits",
    "contact_person_assignments",
    "station_rights",
    "desk_sessions",
    "audit_events",
)


@cache
def _fonts() -> tuple[str, str]:
    """(regular, bold): Liberation Sans registered once per process, or Helvetica."""
    regular, bold = FONT_DIR / "LiberationSans-Regular.ttf", FONT_DIR / "LiberationSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return "Helvetica", "Helvetica-Bold"
    pdfmetrics.registerFont(TTFont("ExtractSans", str(regular)))
    pdfmetrics.registerFont(TTFont("ExtractSans-Bold", str(bold)))
    return "ExtractSans", "ExtractSans-Bold"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=18, leading=22, spaceAfter=4 * mm),
        "section": ParagraphStyle(
            "section", fontName=bold, fontSize=13, leading=16, spaceBefore=5 * mm, spaceAfter=2 * mm, keepWithNext=1
        ),
        "item": ParagraphStyle("item", fontName=bold, fontSize=10, leading=13, spaceBefore=2 * mm, keepWithNext=1),
        "text": ParagraphStyle("text", fontName=regular, fontSize=9.5, leading=12.5, spaceAfter=1.5 * mm),
        "field": ParagraphStyle("field", fontName=regular, fontSize=9, leading=11.5),
    }


def render_pdf(extract: Mapping[str, Any], words: Mapping[str, str]) -> bytes:
    """`words`: a heading or field name for each key of the extract, and "yes", "no",
    "nothing", "title", "produced"."""
    styles = _styles()
    person = extract.get("person") or {}
    story: list[Flowable] = [
        Paragraph(escape(words.get("title", "")), styles["title"]),
        Paragraph(escape(f"{person.get('first_name', '')} {person.get('last_name', '')}".strip()), styles["item"]),
        Paragraph(
            escape(f"{words.get('produced', '')} {extract.get('produced_at', '')}, {extract.get('produced_by', '')}"),
            styles["text"],
        ),
    ]
    story += [Paragraph(escape(str(line)), styles["text"]) for line in extract.get("about", [])]
    for section in SECTIONS:
        heading = words.get(section, section)
        story.append(Paragraph(escape(heading[:1].upper() + heading[1:]), styles["section"]))
        story += _value(extract.get(section), words, styles, depth=0)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=words.get("title", ""),
        author="Region Skåne",
    )
    document.build(story)
    return buffer.getvalue()


def _value(value: Any, words: Mapping[str, str], styles: dict[str, ParagraphStyle], depth: int) -> list[Flowable]:
    if isinstance(value, Mapping):
        return _fields(value, words, styles, depth)
    if isinstance(value, list):
        if not value:
            return [Paragraph(escape(words.get("nothing", "–")), styles["field"])]
        items: list[Flowable] = []
        for number, item in enumerate(value, start=1):
            title = _title_of(item, number)
            block: list[Flowable] = [Paragraph(escape(title), styles["item"])] if title else []
            block += _value(item, words, styles, depth + 1)
            items.append(KeepTogether(block))  # a block longer than a page still breaks
        return items
    return [Paragraph(escape(_scalar(value, words)), styles["field"])]


def _fields(
    record: Mapping[str, Any], words: Mapping[str, str], styles: dict[str, ParagraphStyle], depth: int
) -> list[Flowable]:
    lines: list[Flowable] = []
    indent = 4 * mm * min(depth, 3)
    field_style = ParagraphStyle(f"field-{depth}", parent=styles["field"], leftIndent=indent)
    for key, value in record.items():
        label = words.get(key, key)
        if isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
            lines.append(Paragraph(f"<b>{escape(label)}</b>", field_style))
            lines += _value(value, words, styles, depth + 1)
        elif isinstance(value, Mapping) and key != "data":
            lines.append(Paragraph(f"<b>{escape(label)}</b>", field_style))
            lines += _fields(value, words, styles, depth + 1)
        else:
            lines.append(Paragraph(f"{escape(label)}: {escape(_scalar(value, words))}", field_style))
    return lines


def _title_of(item: Any, number: int) -> str:
    """An item's own name where it has one (an order's reference, a card's number)."""
    if not isinstance(item, Mapping):
        return ""
    for key in ("reference", "letter_id", "card_number", "station", "forvaltning", "at"):
        if item.get(key):
            return f"{number}. {item[key]}"
    return f"{number}."


def _scalar(value: Any, words: Mapping[str, str]) -> str:
    if value is None or value == "":
        return "–"
    if value is True:
        return words.get("yes", "ja")
    if value is False:
        return words.get("no", "nej")
    if isinstance(value, list | Mapping):
        return json.dumps(value, ensure_ascii=False) if value else words.get("nothing", "–")
    return str(value)
