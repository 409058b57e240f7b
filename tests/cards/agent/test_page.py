"""The Kortstation page from its templates: every value escaped, no inline code, Swedish
or English, and the static files it loads served from a fixed list only."""

import re
import threading
from pathlib import Path

import pytest

from cards.agent import page
from cards.agent.desk import Note, OperatorSession
from cards.agent.web import DeskServer
from cards.reader import i18n
from cards.reader.codes import Code
from cards.reader.i18n import verbatim
from cards.reader.profiles import PinRole
from tests.cards.fakes import rs_state

from .test_agent import make_desk, pair, request

SCRIPT = '<script>alert("x")</script>'
STATIC = Path(__file__).parents[3] / "cards" / "agent" / "static"


@pytest.fixture
def desk():
    return make_desk(rs_state(pin_tries_left={"legitimering": 0}))


@pytest.fixture
def paired(desk):
    """The agent's web server and the cookie of its paired browser."""
    links = []
    server = DeskServer(0, desk, links.append)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    server.pairing.new_link(server.origin)
    yield server, pair(server, links)
    server.shutdown()
    server.server_close()


def known_card(desk, **registry):
    desk.card.registry = {
        "known": True,
        "holder": "Anna Andersson",
        "card_type": "RS-kort",
        "status": "Aktivt",
        "active": True,
        "valid_to": "2029-06-30",
        "orders": [],
        **registry,
    }


def test_a_script_in_the_servers_words_is_escaped_on_the_page(desk):
    desk.station = SCRIPT
    desk.operator = OperatorSession(SCRIPT, "token")
    known_card(
        desk,
        holder=SCRIPT,
        status=SCRIPT,
        orders=[{"id": SCRIPT, "reference": SCRIPT, "card": SCRIPT, "state": SCRIPT, "closable": True}],
    )
    desk.notes.append(Note("error", verbatim(SCRIPT)))  # a refusal in the server's own words
    html = page.render(desk, '"><script>')
    assert SCRIPT not in html and '"><script>' not in html
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 9
    assert re.findall(r"<script\b[^>]*>", html) == ['<script src="/static/desk.js" defer>']


def test_the_page_has_no_inline_script_or_style(desk):
    known_card(desk, orders=[{"id": 1, "reference": "B-1", "card": "****7890", "state": "Godkänd", "closable": True}])
    logged_in = page.render(desk, "token")
    desk.log_out()
    for html in (logged_in, page.render(desk, "token")):
        assert re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S) == [""]  # the one script: a file
        assert "<style" not in html and not re.search(r"\sstyle=", html)
        assert not re.search(r"\son[a-z]+=", html) and "javascript:" not in html
        assert '<link rel="stylesheet" href="/static/desk.css">' in html


def test_the_content_security_policy_allows_no_inline_code(paired):
    server, cookie = paired
    policy = request(server, "GET", "/", headers={"Cookie": cookie})[1]["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy and "default-src 'none'" in policy
    assert "unsafe" not in policy


def test_the_english_page_shows_english_texts_and_the_swedish_one_swedish(desk):
    known_card(desk)
    swedish, english = page.render(desk, "token", "sv"), page.render(desk, "token", "en")
    assert '<html lang="sv">' in swedish and '<html lang="en">' in english
    for sv, en in [
        ("Lås upp PIN-kod", "Unblock a PIN"),
        ("PIN-koden för legitimering: spärrad", "Authentication PIN: blocked"),
        ("PUK-kod: tio av tio försök kvar", "PUK: ten of ten tries left"),
        ("Innehavare: Anna Andersson", "Cardholder: Anna Andersson"),
        ("Logga ut", "Log out"),
        ('aria-label="Assisterad upplåsning"', 'aria-label="Assisted unblock"'),
    ]:
        assert sv in swedish and sv not in english
        assert en in english and en not in swedish


def test_the_desks_own_words_are_said_in_the_pages_language(desk):
    desk.change_pin(PinRole.UNDERSKRIFT, Code("999999"), Code("135790"), Code("135790"))  # a wrong current PIN
    notes = desk.notes[:]
    assert "Fel PIN-kod. Två försök kvar." in page.render(desk, "token", "sv")
    desk.notes = notes
    assert "Wrong PIN. Two tries left." in page.render(desk, "token", "en")


def test_the_page_is_swedish_until_english_is_chosen_in_it(paired):
    server, cookie = paired
    english_browser = {"Cookie": cookie, "Accept-Language": "en-GB,en;q=0.9"}
    html = request(server, "GET", "/", headers=english_browser)[2]
    assert "Logga in vid kortstationen" in html  # like the site: an English Windows does not choose
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)
    form = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Origin": server.origin}
    assert request(server, "POST", "/sprak", headers=form, body="csrf=wrong&language=en")[0] == 403
    assert request(server, "POST", "/sprak", headers=form, body=f"csrf={token}&language=xx")[0] == 400
    status, headers, _ = request(server, "POST", "/sprak", headers=form, body=f"csrf={token}&language=en")
    assert status == 303 and "SameSite=Strict" in headers["Set-Cookie"]
    chosen = f"{cookie}; {headers['Set-Cookie'].split(';')[0]}"
    assert "Log in at the card station" in request(server, "GET", "/", headers={"Cookie": chosen})[2]


def test_without_the_compiled_catalogue_the_page_is_swedish(desk, tmp_path, monkeypatch):
    monkeypatch.setattr(i18n, "LOCALE", tmp_path)
    i18n.translations.cache_clear()
    page._environment.cache_clear()
    try:
        assert "Lås upp PIN-kod" in page.render(desk, "token", "en")
    finally:
        monkeypatch.undo()
        i18n.translations.cache_clear()
        page._environment.cache_clear()


@pytest.mark.parametrize(
    "name, content_type", [("desk.js", "text/javascript; charset=utf-8"), ("desk.css", "text/css; charset=utf-8")]
)
def test_a_static_file_is_served_with_its_content_type(paired, name, content_type):
    server, cookie = paired
    status, headers, body = request(server, "GET", f"/static/{name}", headers={"Cookie": cookie})
    assert (status, headers["Content-Type"]) == (200, content_type)
    assert body == (STATIC / name).read_text() and headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/static/other.js",
        "/static/",
        "/static",
        "/static/../page.py",
        "/static/%2e%2e/page.py",
        "/static/..%2fpage.py",
        "/static//etc/passwd",
        "/static/../../../../../etc/passwd",
        "/static/desk.js/",
        "/static/DESK.JS",
        "/page.py",
        "/templates/desk.html",
        "/static/../../reader/locale/en/LC_MESSAGES/station.po",
    ],
)
def test_an_unknown_or_traversal_path_is_refused(paired, path):
    server, cookie = paired
    status, _, body = request(server, "GET", path, headers={"Cookie": cookie})
    assert status == 404 and body == "Finns inte."


def test_static_files_are_for_the_paired_browser_only(paired):
    server, _ = paired
    assert request(server, "GET", "/static/desk.js")[0] == 403
