"""The Kortstation page, drawn from the desk's state (pure: state in, HTML out).

The page is templates/desk.html (Jinja2, autoescaped: every value is escaped), in the
language asked for; its script and style are files in static/, so the page has no
inline code. No code value is ever put into the page: the forms' code fields are
always empty when drawn.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from cards.reader import i18n, messages
from cards.reader.i18n import Text, _
from cards.reader.profiles import PinRole

from .desk import ID_DOCUMENTS, CardView, Desk


@cache
def _environment(language: str) -> Environment:
    """One environment per language: the translations are installed into it, and the
    page's requests, each in its own thread, may ask for different languages."""
    env = Environment(
        loader=PackageLoader("cards.agent"),
        autoescape=select_autoescape(),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    translations = i18n.translations(language)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]  # by the extension
    env.globals.update(
        language=language,
        say=lambda text: text.say(translations),
        pins=[(role.value, messages.PIN_NAMES[role]) for role in PinRole],
        id_documents=list(ID_DOCUMENTS.items()),
    )
    return env


def render(desk: Desk, csrf: str, language: str = i18n.DEFAULT) -> str:
    card = desk.card
    return (
        _environment(language)
        .get_template("desk.html")
        .render(
            desk=desk,
            card=card,
            csrf=csrf,
            notes=desk.take_notes(),
            reading=messages.describe_reading(card.reading) if card else [],
            second_operator=_second_operator(card) if card else None,
        )
    )


def render_back(language: str = i18n.DEFAULT) -> str:
    """The page the browser lands on back from RS-portal's login: on to the desk page."""
    return _environment(language).get_template("back.html").render()


def _second_operator(card: CardView) -> Text | None:
    """Why a second operator must confirm an unblock of this card, if one must."""
    left = card.reading.puk.left
    if left is None:
        return _("Kortet visar inte PUK-kodens försök: en annan operatör bekräftar")
    if left <= 2:
        return _("PUK-koden har två försök kvar eller färre: en annan operatör bekräftar")
    return None
