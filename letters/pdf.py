"""The code letter (kodbrev): what it says and where on the page, free of I/O.

`render_letter` turns a LetterContent into PDF bytes. The recipient block sits where a
C5/E65 window envelope shows it (SS 63 70 window: 20 mm from the left edge, 45 mm from
the top, 90 × 45 mm). The letter carries the PUK and never a PIN. Its fonts are embedded
(`letters.fonts`, which reads the font files once per process: the only I/O here).
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from cards.reader.codes import Code

from .fonts import MONO_BOLD, SANS, SANS_BOLD, register_fonts

WINDOW_LEFT = 22 * mm
WINDOW_TOP = 50 * mm
SENDER = ("Region Skåne", "IT-support, RS-kort", "291 89 Kristianstad")

UNBLOCK_STEPS = (
    "1. Sätt i ditt RS-kort i kortläsaren och avvakta tills det är läst (symbolen slutat snurra).",
    "2. Högerklicka på Net iD-ikonen i aktivitetsfältet längst ner till höger på skärmen.",
    "3. Välj Låsa upp kort med PUK-kod.",
    "4. Välj vilken PIN-kod som ska låsas upp (legitimering eller underskrift).",
    "5. Skriv in PUK-koden (upplåsningskoden).",
    "6. Skriv en ny PIN-kod med 6 siffror i fältet Ny säkerhetskod och bekräfta den.",
    "7. Tryck sedan OK.",
)


@dataclass(frozen=True)
class LetterContent:
    letter_id: str  # also printed, so a returned letter can be matched to its order
    recipient_lines: tuple[str, ...]  # the window block
    holder_name: str
    card_type: str
    masked_card_number: str
    puk: Code
    puk_length: int
    letter_date: date
    forwarded: bool = False  # protected person: the window shows the forwarding service


def render_letter(content: LetterContent) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    # The initial font too: the canvas writes it into the page even where no text uses it.
    # (types-reportlab types initialFontName as a float: it is the font's name.)
    pdf = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=SANS)  # type: ignore[arg-type]
    pdf.setTitle(f"Kodbrev {content.letter_id}")
    pdf.setAuthor("Region Skåne")
    _sender_and_window(pdf, content)
    _body(pdf, content)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _lines(
    pdf: Canvas,
    x: float,
    y: float,
    lines: Iterable[str],
    font: str = SANS,
    size: float = 10,
    leading: float = 13,
) -> float:
    pdf.setFont(font, size)
    for line in lines:
        pdf.drawString(x, y, line)
        y -= leading
    return y


def _sender_and_window(pdf: Canvas, content: LetterContent) -> None:
    width, height = A4
    _lines(pdf, WINDOW_LEFT, height - 18 * mm, SENDER, size=8, leading=10)
    _lines(
        pdf,
        width - 70 * mm,
        height - 18 * mm,
        (f"Datum: {content.letter_date:%Y-%m-%d}", f"Referens: {content.letter_id}"),
        size=8,
        leading=10,
    )
    _lines(pdf, WINDOW_LEFT, height - WINDOW_TOP, content.recipient_lines, size=11, leading=14)


def _body(pdf: Canvas, content: LetterContent) -> None:
    _, height = A4
    y = height - 110 * mm
    pdf.setFont(SANS_BOLD, 14)
    pdf.drawString(WINDOW_LEFT, y, "Din nya PUK-kod till RS-kortet")
    y = _lines(
        pdf,
        WINDOW_LEFT,
        y - 10 * mm,
        (
            f"Hej {content.holder_name}!",
            "",
            "Du har beställt en ny PUK-kod (upplåsningskod) till ditt RS-kort. Med PUK-koden låser du upp",
            "en spärrad PIN-kod och väljer en ny. Förvara brevet väl åtskilt från kortet; PUK-koden kan",
            "inte ändras.",
            "",
            f"Kort: {content.card_type}, {content.masked_card_number}",
        ),
    )
    pdf.setFont(SANS, 10)
    pdf.drawString(WINDOW_LEFT, y - 6 * mm, "PUK-kod:")
    pdf.setFont(MONO_BOLD, 18)
    # The one place a PUK leaves its Code other than toward a card: printed on the letter.
    pdf.drawString(WINDOW_LEFT + 22 * mm, y - 7 * mm, content.puk.block(None, 0).decode("ascii"))
    y = _lines(pdf, WINDOW_LEFT, y - 20 * mm, ("Så låser du upp en PIN-kod med PUK-koden:",), font=SANS_BOLD)
    y = _lines(pdf, WINDOW_LEFT, y - 2 * mm, UNBLOCK_STEPS)
    _lines(
        pdf,
        WINDOW_LEFT,
        y - 8 * mm,
        (
            "Om du skriver fel PUK-kod för många gånger spärras kortet för gott och måste bytas.",
            "Har du inte beställt någon ny PUK-kod? Kontakta IT-support genast.",
            "IT-support: internt telefon 30000, externt 0776-73 00 00.",
        ),
    )
