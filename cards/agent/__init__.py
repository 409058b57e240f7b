"""The desk agent: the card station software on the desk PC.

It serves the Kortstation page itself on 127.0.0.1 to the one browser it was paired
with, drives the card reader through the station core (cards.reader) and talks to
RS-portal's station API with the station's own credential. No Django in here: it runs
on the desk PC with the station core and Jinja2 only. See docs/desk.md.

The page is drawn from templates/ (Jinja2, autoescaped) and loads its script and style
from static/. Its words are Swedish, the source, or English, from the card library's
catalogue, which holds rs-card's words too (cards/reader/i18n.py; how to update the
translations is at the top of cards/reader/locale/en/LC_MESSAGES/station.po).
"""

# The agent's version, as it reports it to RS-portal (health.py): the project's version
# (pyproject.toml), raised with it.
__version__ = "0.1.0"
