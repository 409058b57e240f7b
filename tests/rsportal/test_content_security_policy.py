"""Every page carries a Content-Security-Policy that allows no inline script or style, and
no page needs one: no inline <script> or <style>, no style="…" attribute, no on…= handler,
no javascript: URL and no htmx attribute that htmx would evaluate as code (hx-on, js: in
hx-vals, an event filter in hx-trigger).

The pages are found, not listed: each of the demo's people starts at the home page (and
the pages anyone reaches without logging in) and follows every link of the portal's own,
so a page added later is checked too. The Django admin is Django's own markup: its index,
one list and one form are checked, not every model's. That htmx works under the policy in
a real browser, with no violation reported: test_content_security_policy_browser.py.
"""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from orders.models import PukOrder

from .pages import demo_world  # noqa: F401 (a fixture)

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}

# Links not followed: they change state or language, leave HTML, or lead into the admin
# (checked on its own below).
NOT_FOLLOWED = ("/logga-ut/", "/i18n/", "/admin/", "/static/")
NOT_HTML = (".csv", ".pdf", ".ico", ".svg")
MAX_PAGES_PER_PERSON = 150

# The demo's people in every role (seed_demo.ROLES), and no one.
PEOPLE = ["anna", "bertil", "cecilia", "david", "karin", "sara", "kalle", "rita", "olle", "admin", None]
START = ["/", "/logga-in/", "/hjalp/", "/finns-inte/"]

# An event filter, `click[ctrlKey]`, is JavaScript that htmx evaluates; `from:input[name=q]`
# is a CSS selector and is not.
TRIGGER_FILTER = re.compile(r"(?:^|,)\s*[A-Za-z][\w.:-]*\[")


def parse_policy(header: str) -> dict[str, list[str]]:
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


class InlineCode(HTMLParser):
    """What in a page the policy would block, or that only runs with 'unsafe-inline' or
    'unsafe-eval'."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        where = f"<{tag}{''.join(f' {k}' for k in attributes)}>"
        if tag == "style":
            self.found.append(f"{where}: an inline style element")
        if tag == "script":
            data_block = (attributes.get("type") or "").strip().lower() == "application/json"
            if not attributes.get("src") and not data_block:
                self.found.append(f"{where}: an inline script")
            self._in_script = where
        for name, value in attrs:
            value = (value or "").strip()
            if name == "style":
                self.found.append(f"{where}: a style attribute ({value!r})")
            elif name.startswith("on"):
                self.found.append(f"{where}: an event handler attribute {name}")
            elif name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"{where}: {name}, which htmx evaluates as code")
            elif name in ("hx-vals", "hx-vars", "data-hx-vals") and value.startswith(("js:", "javascript:")):
                self.found.append(f"{where}: {name} with code")
            elif name in ("hx-trigger", "data-hx-trigger") and TRIGGER_FILTER.search(value):
                self.found.append(f"{where}: an event filter in {name} ({value!r}), which htmx evaluates")
            elif value.lower().replace(" ", "").startswith("javascript:"):
                self.found.append(f"{where}: a javascript: URL in {name}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"{self._in_script}: a script with inline content")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value]


def own_links(html: str, base: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url, _ = urldefrag(href)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url:  # another site (the desk agent's page), mailto:, tel:
            continue
        url = urljoin(base, url)
        path = urlsplit(url).path
        if path.startswith(NOT_FOLLOWED) or path.endswith(NOT_HTML):
            continue
        found.append(url)
    return found


def check(response, url: str, problems: list[str]) -> None:
    header = response.headers.get("Content-Security-Policy")
    if header is None:
        problems.append(f"{url}: no Content-Security-Policy header")
    elif parse_policy(header) != POLICY:
        problems.append(f"{url}: the policy is {header!r}")
    if "text/html" in response.headers.get("Content-Type", ""):
        problems += [f"{url}: {what}" for what in inline_code(response.content.decode())]


def crawl(client: Client, problems: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(START)
    while todo and len(seen) < MAX_PAGES_PER_PERSON:
        url = todo.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (301, 302):
            todo.append(response.headers["Location"])
            continue
        check(response, url, problems)
        if response.status_code == 200 and "text/html" in response.headers.get("Content-Type", ""):
            todo += [link for link in own_links(response.content.decode(), url) if link not in seen]
    return seen


@pytest.mark.parametrize("username", PEOPLE, ids=lambda name: name or "anonymous")
def test_every_page_a_person_reaches_has_the_policy_and_no_inline_code(demo_world, username):  # noqa: F811
    from django.contrib.auth import get_user_model

    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    problems: list[str] = []
    visited = crawl(client, problems)
    assert len(visited) > 2
    assert not problems, f"{len(problems)} problems on {len(visited)} pages:\n" + "\n".join(problems)


def test_the_queues_htmx_answer_and_the_admin_have_the_policy_and_no_inline_code(demo_world):  # noqa: F811
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    problems: list[str] = []
    karin = Client()
    karin.force_login(users.get(username="karin"))
    for url in ["/att-hantera/?state=all", "/att-hantera/bestall/?q=Anna"]:
        check(karin.get(url, headers={"HX-Request": "true"}), f"{url} (htmx)", problems)
    admin = Client()
    admin.force_login(users.get(username="admin"))
    order = PukOrder.objects.first()
    for url in ["/admin/", "/admin/orders/pukorder/", f"/admin/orders/pukorder/{order.pk}/change/"]:
        response = admin.get(url)
        assert response.status_code == 200, url
        check(response, url, problems)
    assert not problems, "\n".join(problems)


def test_htmx_is_told_not_to_inject_its_indicator_style_nor_to_evaluate_code(client):
    page = client.get("/logga-in/").content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false,"allowEval":false}\'>' in page


def template_files() -> list[Path]:
    roots = [
        settings.BASE_DIR / "templates",
        *settings.BASE_DIR.glob("*/templates"),
        *settings.BASE_DIR.glob("*/*/templates"),
    ]
    return sorted(path for root in roots if ".venv" not in root.parts for path in root.rglob("*.html"))


INLINE_IN_SOURCE = {
    "an inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I),
    "a style element": re.compile(r"<style\b", re.I),
    "a style attribute": re.compile(r"\sstyle\s*=", re.I),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "hx-on": re.compile(r"\s(data-)?hx-on", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def test_no_template_has_inline_script_style_or_handlers():
    files = template_files()
    assert any(path.name == "base.html" for path in files)
    problems = [
        f"{path.relative_to(settings.BASE_DIR)}: {what}"
        for path in files
        for what, pattern in INLINE_IN_SOURCE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "\n".join(problems)
