"""The card station's languages, for the operator's words in rs-card and on the desk
agent's page: Swedish, the source (message ids are Swedish, as on the site), and English,
from locale/<language>/LC_MESSAGES/station.mo through the standard gettext. Without a
compiled catalogue the words are Swedish. How to update the catalogue is at the top of
locale/en/LC_MESSAGES/station.po.

What the station says is a `Text`: a message id and its values, put into words only when
it is said, in the language of whoever it is said to. The agent's state outlives the
request that made it (the card watcher makes some with no request at all), and the page's
language can change in between. `_` and `ngettext` here make `Text`s, so the message
extraction finds them under the usual names.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Union

LANGUAGES = ("sv", "en")
DEFAULT = "sv"
DOMAIN = "station"
LOCALE = Path(__file__).with_name("locale")

Value = Union[str, int, "Text"]


@dataclass(frozen=True)
class Text:
    message: str
    values: tuple[tuple[str, Value], ...] = ()
    plural: str = ""  # with `count`: a message whose words depend on a number
    count: int = 0
    translated: bool = True  # False: words from elsewhere (the server), said as they are
    capital: bool = False  # starts a sentence: the first letter in upper case

    def say(self, words: gettext.NullTranslations) -> str:
        if not self.translated:
            template = self.message
        elif self.plural:
            template = words.ngettext(self.message, self.plural, self.count)
        else:
            template = words.gettext(self.message)
        text = (
            template % {k: v.say(words) if isinstance(v, Text) else v for k, v in self.values}
            if self.values
            else template
        )
        return text[:1].upper() + text[1:] if self.capital else text

    def capitalized(self) -> Text:
        return replace(self, capital=True)


def _(message: str, **values: Value) -> Text:
    return Text(message, tuple(values.items()))


def ngettext(singular: str, plural: str, count: int, **values: Value) -> Text:
    return Text(singular, tuple(values.items()), plural, count)


def verbatim(words: str) -> Text:
    return Text(words, translated=False)


def sentences(*texts: Text) -> Text:
    """Sentences one after the other, each translated on its own."""
    names = [f"s{i}" for i in range(len(texts))]
    return Text(" ".join(f"%({name})s" for name in names), tuple(zip(names, texts, strict=True)), translated=False)


@cache
def translations(language: str) -> gettext.NullTranslations:
    if language not in LANGUAGES or language == DEFAULT:
        return gettext.NullTranslations()  # the message ids are the Swedish texts
    return gettext.translation(DOMAIN, LOCALE, [language], fallback=True)
