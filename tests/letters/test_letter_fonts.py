"""Print houses take only letters whose fonts are embedded: every font of a rendered code
letter is embedded (pdffonts' "emb" column), and Swedish letters come out as themselves."""

import io
import shutil
import subprocess
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from cards.reader.codes import Code
from letters.pdf import LetterContent, render_letter
from tests.conftest import REQUIRE_SERVICES

LETTER = LetterContent(
    letter_id="PUK-000042-1",
    recipient_lines=("Åsa Öberg", "Ängsvägen 4", "262 91 ÄNGELHOLM"),
    holder_name="Åsa Öberg",
    card_type="RS-kort (eTjänstekort)",
    masked_card_number="•••• 0042",
    puk=Code("24681357"),
    puk_length=8,
    letter_date=date(2026, 12, 1),
)


def pdffonts(pdf: bytes) -> list[dict[str, str]]:
    """pdffonts' table, one dict per font, keyed by its header (name, type, encoding, emb, sub, uni)."""
    if shutil.which("pdffonts") is None:
        message = "pdffonts is missing: install poppler-utils (scripts/bootstrap --browser does)"
        pytest.fail(message) if REQUIRE_SERVICES else pytest.skip(message)
    output = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    header, rule, *rows = output.splitlines()
    # The columns are fixed-width: the rule of dashes under the header marks each one's span.
    spans, start = [], 0
    for dashes in rule.split(" "):
        spans.append((start, start + len(dashes)))
        start += len(dashes) + 1
    names = [header[a:b].strip() for a, b in spans]
    return [dict(zip(names, (row[a:b].strip() for a, b in spans), strict=True)) for row in rows]


def test_every_font_of_the_letter_is_embedded():
    fonts = pdffonts(render_letter(LETTER))
    assert len(fonts) >= 3  # the text, its bold headings and the PUK's monospaced digits
    assert [font["name"] for font in fonts if font["emb"] != "yes"] == []
    assert all(font["type"] == "TrueType" for font in fonts)


def test_the_puk_is_printed_in_a_monospaced_font():
    page = PdfReader(io.BytesIO(render_letter(LETTER))).pages[0]
    fonts = {}
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: fonts.setdefault(text.strip(), font))
    assert "Mono" in fonts["24681357"]["/BaseFont"]


def test_swedish_letters_are_text_in_the_letter():
    text = PdfReader(io.BytesIO(render_letter(LETTER))).pages[0].extract_text()
    assert "Åsa Öberg" in text and "Ängsvägen 4" in text and "262 91 ÄNGELHOLM" in text
    assert "upplåsningskod" in text


def font_files(pdf: bytes) -> list[bytes]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = page["/Resources"]["/Font"]
    return [fonts[name]["/FontDescriptor"]["/FontFile2"].get_data() for name in sorted(fonts)]


def test_letters_to_different_people_embed_the_same_font_subsets():
    """Each letter's subsets start with the same characters, so they are made once per process."""
    other = replace(LETTER, recipient_lines=("Örjan Ek", "Box 12", "211 34 MALMÖ"), holder_name="Örjan Ek")
    assert font_files(render_letter(LETTER)) == font_files(render_letter(other))


def test_a_name_with_letters_beyond_swedish_prints_them():
    other = replace(LETTER, recipient_lines=("Łukasz Núñez", "Ängsvägen 4", "262 91 ÄNGELHOLM"))
    pdf = render_letter(other)
    assert "Łukasz Núñez" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert [font["name"] for font in pdffonts(pdf) if font["emb"] != "yes"] == []
