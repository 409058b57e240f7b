"""The real demo OpenID provider (python -m demoidp.oidc) as a process beside the live server,
and the settings that make RS-portal its client. Import the fixtures into a test module:
    from .oidc_provider import oidc, oidc_provider  # noqa: F401
"""

import ctypes
import html
import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from demoidp.people import DEFAULT_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "rs-portal-test"
CLIENT_SECRET = "test-hemlighet-for-oidc"
PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass
class OidcProvider:
    issuer: str
    people_file: Path

    @property
    def base(self) -> str:
        return self.issuer.removesuffix("/o")

    def add_employee(self, employee, username: str) -> None:
        """The IdP knows `username` as this employee (the people file is read at every login)."""
        self.add_person(username=username, hsa_id=employee.hsa_id, personnummer=employee.personnummer)

    def add_person(self, *, username: str, hsa_id: str, personnummer: str) -> None:
        row = {"username": username, "password": DEFAULT_PASSWORD, "hsa_id": hsa_id, "personnummer": personnummer,
               "given_name": "Test", "surname": "Testsson", "email": f"{username}@test.skane.se"}  # fmt: skip
        with self.people_file.open("a", encoding="utf-8") as file:
            file.write(json.dumps(row) + "\n")

    def spoil_next_id_token(self, kind: str) -> None:
        requests.post(f"{self.base}/_faults/", json={"next": kind}, timeout=5).raise_for_status()


def _terminated_with_the_tests() -> None:
    """In the child: SIGTERM when the test process dies, even killed (no teardown runs then)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextmanager
def running_provider(live_server, directory: Path, *options: str) -> Iterator[OidcProvider]:
    """A provider process with RS-portal (the live server) its client, killed on leaving."""
    people = directory / "people.jsonl"
    people.write_text("", encoding="utf-8")
    command = [sys.executable, "-m", "demoidp.oidc", "--port", "0", "--people", str(people),
               "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
               "--redirect-uri", f"{live_server.url}/oidc/callback/",
               "--post-logout-redirect-uri", f"{live_server.url}/logga-in/",
               "--data-dir", str(directory), *options]  # fmt: skip
    with (directory / "provider.log").open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True,
                                   preexec_fn=_terminated_with_the_tests)  # fmt: skip
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line.startswith("READY "):
                raise RuntimeError(f"the OIDC provider did not start: {line!r}; see {directory / 'provider.log'}")
            yield OidcProvider(issuer=line.split()[1], people_file=people)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    """One provider process for the test session, its ID tokens spoilt on a test's order."""
    with running_provider(live_server, tmp_path_factory.mktemp("oidc-idp"), "--faults") as provider:
        yield provider


@pytest.fixture
def oidc(settings, oidc_provider):
    """RS-portal set to log in through the provider process."""
    settings.RSPORTAL_SSO = "oidc"
    settings.RSPORTAL_OIDC_OP_URL = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    return oidc_provider


# --- the flow through plain HTTP, for the refusals ------------------------------------------


def hidden_inputs(page: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
    return fields


def callback_url(client: requests.Session, live_url: str, *, username: str, method: str = "freja",
                 start: str = "/oidc/logga-in/?next=/") -> str:  # fmt: skip
    """Start a login at RS-portal (or at an absolute `start`), log in at the provider; the callback
    URL the provider sends the browser back to (not yet followed)."""
    login_page = client.get(start if start.startswith("http") else live_url + start, timeout=10)
    assert login_page.status_code == 200 and "Region Skånes inloggning" in login_page.text, login_page.text
    answer = client.post(
        login_page.url,
        data={**hidden_inputs(login_page.text), "username": username, "password": DEFAULT_PASSWORD, "method": method},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    authorized = client.get(urljoin(login_page.url, answer.headers["Location"]), allow_redirects=False, timeout=10)
    assert authorized.status_code == 302, authorized.text
    return authorized.headers["Location"]


def log_out(client: requests.Session, live_url: str) -> None:
    """RS-portal's logout, and on to the provider's (the page's refresh, which requests does not follow)."""
    page = client.post(f"{live_url}/logga-ut/", data={"csrfmiddlewaretoken": client.cookies["csrftoken"]}, timeout=10)
    found = re.search(r'http-equiv="refresh" content="0;url=([^"]+)"', page.text)
    assert found, page.text
    assert "/logga-in/" in client.get(html.unescape(found.group(1)), timeout=10).url
