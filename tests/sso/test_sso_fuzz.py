"""Generated input at the single sign-on protocols' own endpoints (Hypothesis), with the
protocol switched on against the real demo IdP processes (tests/sso/oidc_provider.py and
saml_idp.py). tests/rsportal/test_fuzz.py leaves these endpoints out: they answer 404 unless
their protocol is the site's login.

What is thrown: at /oidc/logga-in/ and /saml2/login/ any `niva` and `next` (and other keys),
logged in or not; at /oidc/callback/ any code, state and error (repeated or not, the real ones
among them), with no login in progress, one started, or one the IdP has answered, logged in or
not; at /saml2/acs/ a SAMLResponse of random bytes, base64 of random bytes, base64 of random
XML (DTDs and entities among it) or the IdP's real answer with its XML altered at random (a
byte, a text, an attribute, an element dropped or doubled, a comment in a text, an unsigned
copy of the assertion naming another employee before, after or around the signed one, with
its own ID or the signed one's), sent in the browser that began the login or another, with
any RelayState; at /saml2/ls/ and /saml2/ls/post/ any SAMLRequest and SAMLResponse (as the
bindings encode them and not), not logged in, logged in, or logged in through the IdP; at
/saml2/metadata/ any query.

For every example: an answer below 500 (an exception out of a view fails it); nobody logged in
who was not before, unless the example is the real flow unaltered (the IdP's own code and
state; a response whose signed assertion is the IdP's, in the browser that asked for it) —
and then the person the IdP vouched for, never another; no table changed but the audit trail
(refusals are audited by design) and the sessions; every redirect, form action and refresh
on the site or at the IdP.

A fixed seed and a few examples per endpoint (the same setting as test_fuzz);
`RSPORTAL_FUZZ_EXAMPLES=2000` for a long run. The counts are printed at the end.
"""

import base64
import html
import os
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote_from_bytes, urlsplit
from xml.etree import ElementTree

import pytest
import requests
from django.apps import apps
from django.contrib.auth import SESSION_KEY as USER_KEY
from django.db import connection
from django.test import Client
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import HealthCheck, example, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from audit.actions import AuditAction
from audit.models import AuditEvent
from tests.factories import EmployeeFactory

from .oidc_provider import DEFAULT_PASSWORD, oidc, oidc_provider  # noqa: F401 (fixtures)
from .oidc_provider import hidden_inputs as oidc_hidden_inputs
from .saml_idp import form_action, saml, saml_idp, saml_sp_keys  # noqa: F401 (fixtures)
from .saml_idp import hidden_inputs as saml_hidden_inputs

EXAMPLES = int(os.environ.get("RSPORTAL_FUZZ_EXAMPLES", "20"))
FUZZ = hypothesis_settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same examples every run
    database=None,
    deadline=None,  # real IdP processes on a shared machine
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example, HealthCheck.data_too_large],
)
# Tables an example may change: the audit trail (refusals are audited) and the sessions.
MAY_CHANGE = {"audit.auditevent", "sessions.session"}
SUMMARY: dict[str, Counter[str]] = defaultdict(Counter)
FORM = "application/x-www-form-urlencoded"
ASSERTION = "{urn:oasis:names:tc:SAML:2.0:assertion}Assertion"


# --- what is thrown ----------------------------------------------------------------------

NASTY = [
    b"", b"0", b"1", b"3", b"4", b"5", b"9", b"-1", b"03", b" 3", "\u0663".encode(), "\u00b2".encode(),
    b"99999999999999999999999", b"https://evil.example/", b"//evil.example/stjal", b"/\\evil.example",
    b"\\\\evil.example", b"http:evil.example", b"javascript:alert(1)", b"/%0d%0aSet-Cookie:x=1", b"\x00",
    b"%", b"\xff\xfe", "\ud800".encode("utf-8", "surrogatepass"), "\u202e/".encode(), b"A" * 70_000,
]  # fmt: skip
values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.binary(max_size=60),
)


def encoded(pairs: list[tuple[bytes, bytes]]) -> str:
    return "&".join(f"{quote_from_bytes(key, safe='')}={quote_from_bytes(value, safe='')}" for key, value in pairs)


def query_of(keys: list[str]) -> st.SearchStrategy[list[tuple[bytes, bytes]]]:
    """Pairs: the endpoint's keys (absent, once or repeated) and now and then another."""
    key = st.binary(max_size=10)
    if keys:
        key = st.one_of(st.sampled_from([name.encode() for name in keys]), key)
    return st.lists(st.tuples(key, values), max_size=5)


# Random XML of SAML's names, now and then behind a DTD with entities.
PREFIXES = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}
TAGS = ["saml:Assertion", "saml:Issuer", "ds:Signature", "ds:SignatureValue", "saml:Subject", "saml:NameID",
        "saml:AttributeStatement", "saml:Attribute", "saml:AttributeValue", "samlp:Status", "samlp:StatusCode",
        "saml:Conditions", "saml:AudienceRestriction", "saml:AuthnStatement", "saml:AuthnContextClassRef",
        "samlp:LogoutRequest", "samlp:LogoutResponse", "samlp:SessionIndex", "x"]  # fmt: skip
ATTRIBUTES = ["ID", "Version", "IssueInstant", "InResponseTo", "Destination", "Name", "Value", "NotBefore",
              "NotOnOrAfter", "Format", "Reason"]  # fmt: skip
DOCTYPES = [
    "",
    '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/dtd">',
]
xml_text = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=30).map(html.escape)


def _element(tag: str, attributes: dict[str, str], text: str, children: list[str]) -> str:
    rendered = "".join(f' {name}="{value}"' for name, value in attributes.items())
    return f"<{tag}{rendered}>{text}{''.join(children)}</{tag}>"


def _xml_tree(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    attributes = st.dictionaries(st.sampled_from(ATTRIBUTES), xml_text, max_size=3)
    return st.builds(_element, st.sampled_from(TAGS), attributes, xml_text, st.lists(children, max_size=3))


def _document(root: str, doctype: str, body: str) -> bytes:
    namespaces = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in PREFIXES.items())
    return f'<?xml version="1.0"?>{doctype}<{root}{namespaces} ID="_f" Version="2.0">{body}</{root}>'.encode()


def random_xml(root: str) -> st.SearchStrategy[bytes]:
    body = st.recursive(xml_text, _xml_tree, max_leaves=8)
    return st.builds(_document, st.just(root), st.sampled_from(DOCTYPES), body)


# --- what must hold ------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    models = [model for model in apps.get_models(include_auto_created=True) if model._meta.managed
              and not model._meta.proxy]  # fmt: skip
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in models)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip([model._meta.label_lower for model in models], cursor.fetchone(), strict=True))


@dataclass
class Site:
    """RS-portal as the test client reaches it (on the live server's host, the redirect URI's),
    the IdP's address, and the person the IdP knows."""

    host: str
    idp_host: str
    employee: Any
    victim: Any  # an employee the IdP does not know: a forged assertion names them

    def client(self, *, logged_in: bool = False) -> Client:
        client = Client(raise_request_exception=True, HTTP_HOST=self.host)  # a view's exception fails the example
        if logged_in:
            client.force_login(self.employee.user)
        return client

    def on_site_or_idp(self, url: str) -> bool:
        return url_has_allowed_host_and_scheme(url, allowed_hosts={self.host, self.idp_host})


def logged_in_user(client: Client) -> str | None:
    return client.session.get(USER_KEY)


def send(site: Site, endpoint: str, client: Client, method: str, path: str, body: bytes = b"", *,
         real: bool = False, may_log_in: bool = False) -> Any:  # fmt: skip
    """Send the example and check what must hold. `real`: the unaltered flow, which must log the
    IdP's person in; `may_log_in`: altered outside what the IdP signed, so it may."""
    before_user = logged_in_user(client)
    before = row_counts()
    logins_before = AuditEvent.objects.filter(action=AuditAction.LOGGED_IN).count()
    response = client.get(path) if method == "GET" else client.generic("POST", path, body, FORM)
    note(f"answer: {response.status_code} {response.get('Location', '')}")
    assert response.status_code < 500, f"{method} {path[:200]} answered {response.status_code}"

    if response.has_header("Location"):
        assert site.on_site_or_idp(response["Location"]), f"a redirect off the site: {response['Location']}"
    if not response.streaming and "html" in response.get("Content-Type", ""):
        page = response.content.decode()
        for url in re.findall(r'<form[^>]*action="([^"]*)"', page) + re.findall(r'content="\d+;\s*url=([^"]*)"', page):
            assert site.on_site_or_idp(html.unescape(url)), f"a form or refresh off the site: {url}"

    after = row_counts()
    changed = {label: (before[label], after[label]) for label in before if before[label] != after[label]}
    assert set(changed) <= MAY_CHANGE, f"written: {changed}"
    user = logged_in_user(client)
    logins = AuditEvent.objects.filter(action=AuditAction.LOGGED_IN).count() - logins_before
    the_person = str(site.employee.user.pk)
    if real:
        assert user == the_person and logins == 1, f"the real flow did not log in ({response.status_code})"
    elif may_log_in:
        assert user in (None, before_user, the_person), f"logged in as {user}, not the IdP's person"
        assert logins == 0 or user == the_person, "a login recorded for someone else"
    else:
        assert user in (None, before_user) and logins == 0, f"logged in as {user} by a fuzzed example"
    SUMMARY[endpoint][f"{method} {response.status_code}"] += 1
    SUMMARY[endpoint]["logged in" if logins else "no login"] += 1
    return response


def last(pairs: list[tuple[bytes, bytes]], key: bytes) -> bytes | None:
    """The value Django's QueryDict.get gives: the last one."""
    found = [value for name, value in pairs if name == key]
    return found[-1] if found else None


def run(fuzz: Callable[..., None], regressions: list[dict[str, Any]]) -> None:
    for arguments in regressions:
        fuzz = example(**arguments)(fuzz)
    fuzz()


@pytest.fixture(scope="module", autouse=True)
def summary(request):
    yield
    if not SUMMARY:
        return
    lines = [f"SSO fuzz, {EXAMPLES} examples per endpoint (RSPORTAL_FUZZ_EXAMPLES):"]
    for name, counts in sorted(SUMMARY.items()):
        answers = ", ".join(f"{key} ×{count}" for key, count in sorted(counts.items()) if key[:1] in "GP")
        tried = sum(count for key, count in counts.items() if key[:1] in "GP")
        lines.append(f"  {name}: {tried} requests ({answers}); {counts['logged in']} logged in (the IdP's own answer)")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()
            reporter.write("\n".join(lines) + "\n")


# --- OpenID Connect ------------------------------------------------------------------------


@pytest.fixture
def oidc_site(oidc, live_server, transactional_db):  # noqa: F811
    employee = EmployeeFactory()
    oidc.add_employee(employee, username=employee.user.username)
    return Site(urlsplit(live_server.url).netloc, urlsplit(oidc.issuer).netloc, employee, EmployeeFactory())


def oidc_started(client: Client) -> str:
    """A login begun in this client: the provider's authorization URL."""
    response = client.get("/oidc/logga-in/?next=/")
    assert response.status_code == 302, response.content
    return str(response["Location"])


def oidc_authorized(site: Site, client: Client) -> dict[str, bytes]:
    """A login begun in this client and answered by the provider: its real code and state."""
    browser = requests.Session()
    login_page = browser.get(oidc_started(client), timeout=10)
    fields = {**oidc_hidden_inputs(login_page.text), "username": site.employee.user.username,
              "password": DEFAULT_PASSWORD, "method": "freja"}  # fmt: skip
    answer = browser.post(login_page.url, data=fields, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    authorized = browser.get(requests.compat.urljoin(login_page.url, answer.headers["Location"]),
                             allow_redirects=False, timeout=10)  # fmt: skip
    query = parse_qs(urlsplit(authorized.headers["Location"]).query)
    return {"code": query["code"][0].encode(), "state": query["state"][0].encode()}


def test_oidc_login_start_with_any_query(oidc_site):
    @FUZZ
    @given(query=query_of(["niva", "next"]), logged_in=st.booleans())
    def fuzz(query, logged_in):
        client = oidc_site.client(logged_in=logged_in)
        send(oidc_site, "sso:oidc_login", client, "GET", f"/oidc/logga-in/?{encoded(query)}")

    run(fuzz, [])


REAL = b"<the real one>"  # stands for the code or state the provider gave (a made-up one where none)
token = st.one_of(st.just(REAL), values)


def test_oidc_callback_with_any_code_state_and_error(oidc_site):
    @FUZZ
    @given(
        progress=st.sampled_from(["none", "started", "answered"]),
        logged_in=st.booleans(),
        code=st.lists(token, max_size=2),
        state=st.lists(token, max_size=2),
        error=st.lists(values, max_size=2),
        extra=query_of([]),
    )
    def fuzz(progress, logged_in, code, state, error, extra):
        client = oidc_site.client(logged_in=logged_in)
        given_back = {"code": b"unknown-code", "state": b"unknown-state"}
        if progress == "started":
            given_back["state"] = parse_qs(urlsplit(oidc_started(client)).query)["state"][0].encode()
        elif progress == "answered":
            given_back = oidc_authorized(oidc_site, client)
        pairs = [(name.encode(), given_back[name] if value == REAL else value)
                 for name, chosen in (("code", code), ("state", state)) for value in chosen]  # fmt: skip
        pairs += [(b"error", value) for value in error] + extra
        real = (
            progress == "answered"
            and not last(pairs, b"error")
            and all(last(pairs, name.encode()) == given_back[name] for name in ("code", "state"))
        )
        note(f"real flow: {real}")
        send(oidc_site, "sso:oidc_callback", client, "GET", f"/oidc/callback/?{encoded(pairs)}", real=real)

    answered = {"progress": "answered", "logged_in": False, "code": [REAL], "state": [REAL], "error": [], "extra": []}
    run(fuzz, [answered, answered | {"error": [b"access_denied"]}, answered | {"code": [REAL, b"x"]},
               answered | {"state": [b"x", REAL]}, answered | {"extra": [(b"next", b"//evil.example")]},
               answered | {"logged_in": True}])  # fmt: skip


# --- SAML 2.0 ------------------------------------------------------------------------------


@pytest.fixture
def saml_site(saml, live_server, transactional_db):  # noqa: F811
    employee = EmployeeFactory()
    saml.add_employee(employee, employee.user.username)
    return Site(urlsplit(live_server.url).netloc, urlsplit(saml.url).netloc, employee, EmployeeFactory())


def saml_started(client: Client) -> str:
    """A login begun in this client: the IdP's address with the AuthnRequest."""
    response = client.get("/saml2/login/?next=/")
    assert response.status_code == 302, response.content
    return str(response["Location"])


def saml_answer(site: Site, client: Client) -> dict[str, str]:
    """A login begun in this client and answered by the IdP: the form it posts to the ACS."""
    browser = requests.Session()
    login_page = browser.get(saml_started(client), timeout=10)
    fields = {"token": saml_hidden_inputs(login_page.text)["token"], "username": site.employee.user.username,
              "password": DEFAULT_PASSWORD, "method": "freja"}  # fmt: skip
    answer = browser.post(login_page.url.split("/sso/")[0] + "/login", data=fields, timeout=10)
    assert form_action(answer.text).endswith("/saml2/acs/"), answer.text
    return saml_hidden_inputs(answer.text)


def saml_logged_in(site: Site) -> Client:
    client = site.client()
    form = saml_answer(site, client)
    assert client.post("/saml2/acs/", form).status_code == 302
    assert logged_in_user(client) == str(site.employee.user.pk)
    return client


def test_saml_login_start_with_any_query(saml_site):
    @FUZZ
    @given(query=query_of(["niva", "next"]), logged_in=st.booleans())
    def fuzz(query, logged_in):
        client = saml_site.client(logged_in=logged_in)
        send(saml_site, "sso:saml2_login", client, "GET", f"/saml2/login/?{encoded(query)}")

    run(fuzz, [])


def b64(data: bytes) -> bytes:
    return base64.b64encode(data)


def deflated(data: bytes) -> bytes:
    """The HTTP-Redirect binding's encoding: raw DEFLATE, then base64."""
    compressor = zlib.compressobj(wbits=-15)
    return b64(compressor.compress(data) + compressor.flush())


FORGERIES = ["forge before", "forge after", "forge around", "forge before, same ID", "forge after, same ID"]
ALTERATIONS = ["byte", "text", "attribute", "comment", "drop", "double", *FORGERIES]
alteration = st.one_of(st.none(), st.tuples(st.sampled_from(ALTERATIONS), st.integers(0, 10**6), xml_text))


def _pick(spans: list[tuple[int, int]], index: int) -> tuple[int, int] | None:
    return spans[index % len(spans)] if spans else None


def altered(xml: str, change: tuple[str, int, str], site: Site) -> bytes:
    """The IdP's response with one change; `forge …`: a copy of the assertion naming the victim,
    unsigned, beside the signed one (signature wrapping)."""
    kind, index, text = change
    if kind == "byte":
        data = bytearray(xml.encode())
        data[index % len(data)] = (data[index % len(data)] + 1 + index % 254) % 256
        return bytes(data)
    patterns = {
        "text": r">([^<]*)<",
        "comment": r">([^<]+)<",
        "attribute": r'\s[\w:.-]+="([^"]*)"',
        "drop": r"(<([\w:]+)\b[^>]*>[^<]*</\2>)",
        "double": r"(<([\w:]+)\b[^>]*>[^<]*</\2>)",
        **dict.fromkeys(FORGERIES, r"(<(\w+:)?Assertion\b.*</\2Assertion>)"),
    }
    span = _pick([match.span(1) for match in re.finditer(patterns[kind], xml, re.DOTALL)], index)
    if span is None:
        return xml.encode()
    start, end = span
    part = xml[start:end]
    if kind in ("text", "attribute"):
        part = text
    elif kind == "comment":
        middle = (index // 7) % (len(part) + 1)
        part = part[:middle] + "<!---->" + part[middle:]
    elif kind == "drop":
        part = ""
    elif kind == "double":
        part = part + part
    else:
        forged = re.sub(r"<(\w+:)?Signature\b.*?</\1Signature>", "", part, flags=re.DOTALL)
        if not kind.endswith("same ID"):
            forged = re.sub(r'\bID="[^"]*"', 'ID="_forged"', forged, count=1)
        forged = forged.replace(site.employee.hsa_id, site.victim.hsa_id)
        forged = forged.replace(site.employee.personnummer, site.victim.personnummer)
        if kind == "forge around":  # the signed one inside the forged one, where its reference finds it
            closing = forged.rindex("</")
            part = forged[:closing] + part + forged[closing:]
        else:
            part = forged + part if kind.startswith("forge before") else part + forged
    return (xml[:start] + part + xml[end:]).encode()


def signed_assertions(xml: bytes) -> list[bytes] | None:
    """The assertions as parsed (comments and prefixes aside); None for XML that does not parse."""
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return None
    found = []
    for assertion in root.iter(ASSERTION):
        assertion.tail = None
        found.append(ElementTree.tostring(assertion))
    return found


response_payload = st.one_of(
    st.tuples(st.just("bytes"), st.binary(max_size=300)),
    st.tuples(st.just("base64 of bytes"), st.binary(max_size=300).map(b64)),
    st.tuples(st.just("base64 of XML"), random_xml("samlp:Response").map(b64)),
    st.tuples(st.just("the IdP's"), alteration),
)


def test_saml_acs_with_any_response(saml_site):
    @FUZZ
    @given(
        payload=response_payload,
        in_progress=st.booleans(),
        same_browser=st.booleans(),
        relay_state=st.one_of(st.none(), values),
        extra=query_of(["SAMLResponse", "RelayState"]),
    )
    def fuzz(payload, in_progress, same_browser, relay_state, extra):
        kind, value = payload
        client = saml_site.client()
        if in_progress:
            saml_started(client)
        real = may_log_in = False
        if kind == "the IdP's":
            flow = client if same_browser else saml_site.client()
            form = saml_answer(saml_site, flow)
            original = base64.b64decode(form["SAMLResponse"])
            response = original if value is None else altered(original.decode(), value, saml_site)
            assertions = signed_assertions(original)
            intact = assertions is not None and len(assertions) == 1 and signed_assertions(response) == assertions
            real = value is None and same_browser
            may_log_in = same_browser and intact
            relay = form.get("RelayState", "").encode() if relay_state is None else relay_state
            value = b64(response)
            note(f"altered: {response.decode(errors='replace')}")
        else:
            relay = relay_state
        pairs = [(b"SAMLResponse", value)] + ([(b"RelayState", relay)] if relay is not None else []) + extra
        if kind == "the IdP's" and last(pairs, b"SAMLResponse") != value:
            real = may_log_in = False
        send(saml_site, "sso:saml2_acs", client, "POST", "/saml2/acs/", encoded(pairs).encode(), real=real,
             may_log_in=may_log_in)  # fmt: skip

    the_idps = {"payload": ("the IdP's", None), "in_progress": False, "same_browser": True, "relay_state": None,
                "extra": []}  # fmt: skip
    run(fuzz, [
        the_idps,
        the_idps | {"relay_state": b"//evil.example/stjal"},
        the_idps | {"same_browser": False},
        *(the_idps | {"payload": ("the IdP's", (kind, 0, "x"))} for kind in ALTERATIONS),
    ])  # fmt: skip


logout_message = st.one_of(
    values,
    st.binary(max_size=300).map(b64),
    random_xml("samlp:LogoutRequest").map(deflated),
    random_xml("samlp:LogoutResponse").map(deflated),
    random_xml("samlp:LogoutRequest").map(b64),
    random_xml("samlp:LogoutResponse").map(b64),
)


@pytest.mark.parametrize("path", ["/saml2/ls/", "/saml2/ls/post/"])
def test_saml_logout_with_any_message(saml_site, path):
    @FUZZ
    @given(
        method=st.sampled_from(["GET", "POST"]),
        key=st.sampled_from([b"SAMLRequest", b"SAMLResponse"]),
        message=logout_message,
        relay_state=st.one_of(st.none(), values),
        extra=query_of(["SAMLRequest", "SAMLResponse", "RelayState"]),
        session=st.sampled_from(["none", "forced", "saml"]),
    )
    def fuzz(method, key, message, relay_state, extra, session):
        client = saml_logged_in(saml_site) if session == "saml" else saml_site.client(logged_in=session == "forced")
        pairs = [(key, message)] + ([(b"RelayState", relay_state)] if relay_state is not None else []) + extra
        if method == "GET":
            send(saml_site, f"sso:saml2_ls ({path})", client, "GET", f"{path}?{encoded(pairs)}")
        else:
            send(saml_site, f"sso:saml2_ls ({path})", client, "POST", path, encoded(pairs).encode())

    run(fuzz, [])


def test_saml_metadata_with_any_query(saml_site):
    @FUZZ
    @given(query=query_of(["next", "RelayState"]))
    def fuzz(query):
        path = f"/saml2/metadata/?{encoded(query)}"
        response = send(saml_site, "sso:saml2_metadata", saml_site.client(), "GET", path)
        assert response.status_code == 200 and b"EntityDescriptor" in response.content

    run(fuzz, [])
