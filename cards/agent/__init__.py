"""The desk agent: the card station software on the desk PC.

It serves the Kortstation page itself on 127.0.0.1 to the one browser it was paired
with, drives the card reader through the station core (cards.reader) and talks to
RS-portal's station API with the station's own credential. No Django in here: it runs
on the desk PC with the station core only. See docs/desk.md.
"""
