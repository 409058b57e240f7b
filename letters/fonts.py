"""The code letter's fonts: TrueType, embedded, and cheap to embed in letter after letter.

Print houses take only PDFs whose fonts are embedded. The letter is set in Liberation Sans
and Liberation Mono (Debian's fonts-liberation): they cover å, ä and ö and have the widths
of Helvetica and Courier, the standard fonts the letter used before, so every line sits
where it did. reportlab embeds a TrueType font as a subset of the glyphs a document uses,
and making and compressing those subsets for each letter cost more than the rest of the
letter. So each letter's subset starts with the same characters (ASCII, which reportlab
always puts first, then FIRST_CHARACTERS), which makes it the same subset from letter to
letter, and a font makes each subset's parts once per process. A character outside that
set still prints: it joins the letter's subset, which is then made anew. What is kept
between letters is glyphs chosen by characters; a PUK's digits are ASCII, in every subset
from the start, so nothing kept depends on a code.
"""

import zlib
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace, makeToUnicodeCMap

FONT_DIR = Path("/usr/share/fonts/truetype/liberation")
SANS, SANS_BOLD, MONO_BOLD = "LetterSans", "LetterSans-Bold", "LetterMono-Bold"
FONT_FILES = {
    SANS: "LiberationSans-Regular.ttf",
    SANS_BOLD: "LiberationSans-Bold.ttf",
    MONO_BOLD: "LiberationMono-Bold.ttf",  # the PUK's digits
}
# Given their places in each letter's subset before the letter's text: Swedish names and
# the letter's own words, the masked card number's bullets and the dashes.
FIRST_CHARACTERS = "ÅÄÖåäöÉéÈèÜüÆæØø•–’"
SUBSETS_KEPT = 32  # per font: a name with characters outside FIRST_CHARACTERS makes another


class _Formatted(pdfdoc.PDFObject):
    """A part of a PDF object, formatted once: the same bytes in every document."""

    def __init__(self, formatted: bytes):
        self.formatted = formatted

    def format(self, document: Any) -> bytes:
        return self.formatted


def _compressed(stream: Any, content: bytes) -> None:
    """Gives a stream its content compressed already: reportlab leaves a stream that names
    its Filter alone, instead of compressing it while writing each document."""
    stream.content = content
    stream.filters = None
    stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])


class _SubsetOnceFace(TTFontFace):
    """A font face that makes each subset's parts once and hands the same bytes to every
    document that uses that subset."""

    def makeSubset(self, subset: Sequence[int]) -> bytes:
        return self.subset_parts(tuple(subset))[0]

    @lru_cache(maxsize=SUBSETS_KEPT)  # noqa: B019 -- the faces live as long as the process
    def subset_parts(self, subset: tuple[int, ...]) -> tuple[bytes, bytes, bytes]:
        """The subset's font file, plain (its length goes into the PDF) and compressed, and
        its glyph widths formatted as the PDF array they are."""
        plain = super().makeSubset(list(subset))
        widths = pdfdoc.PDFArray([self.getCharWidth(code) for code in subset])
        return plain, zlib.compress(plain), widths.format(pdfdoc.DummyDoc())

    def addSubsetObjects(self, doc: Any, fontname: str, subset: list[int]) -> Any:
        descriptor = super().addSubsetObjects(doc, fontname, subset)
        if doc.compression:
            _compressed(doc.idToObject[f"fontFile:{self.filename}({fontname})"], self.subset_parts(tuple(subset))[1])
        return descriptor


class LetterFont(TTFont):
    """A TrueType font whose subset in every document begins with FIRST_CHARACTERS, and
    whose subsets are made once (see the module's docstring)."""

    face: _SubsetOnceFace

    def __init__(self, name: str, path: Path):
        super().__init__(name, str(path))
        self.face = _SubsetOnceFace(str(path))

    def splitString(self, text: str | bytes, doc: Any, encoding: str = "utf-8") -> list[tuple[int, bytes]]:
        if doc not in self.state:  # the document's first text in this font
            super().splitString(FIRST_CHARACTERS, doc)
        result: list[tuple[int, bytes]] = super().splitString(text, doc, encoding)
        return result

    def addObjects(self, doc: Any) -> None:
        """reportlab's font objects, with the parts made once put in: the widths, and the
        compressed map from glyphs back to text (which makes the letter's text copyable)."""
        subsets = [tuple(subset) for subset in self.state[doc].subsets]
        names = [self.getSubsetInternalName(n, doc)[1:] for n in range(len(subsets))]
        super().addObjects(doc)  # forgets the document's subsets: read above
        for name, subset in zip(names, subsets, strict=True):
            font = doc.idToObject[name]
            font.Widths = _Formatted(self.face.subset_parts(subset)[2])
            if doc.compression:
                _compressed(doc.idToObject[f"toUnicodeCMap:{font.BaseFont}"], self._to_unicode(font.BaseFont, subset))

    @lru_cache(maxsize=SUBSETS_KEPT)  # noqa: B019 -- the fonts live as long as the process
    def _to_unicode(self, base_font_name: str, subset: tuple[int, ...]) -> bytes:
        return zlib.compress(makeToUnicodeCMap(base_font_name, list(subset)).encode("utf-8"))


@cache
def register_fonts() -> None:
    """Registers the letter's fonts with reportlab, once per process: reading and parsing
    the font files costs more than a letter."""
    for name, file_name in FONT_FILES.items():
        pdfmetrics.registerFont(LetterFont(name, FONT_DIR / file_name))
