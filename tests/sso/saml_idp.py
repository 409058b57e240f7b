"""The real demo SAML IdP (python -m demoidp.saml) as a process beside the live server, and the
settings that make RS-portal its SP. Import the fixtures into a test module:
    from .saml_idp import saml, saml_idp, saml_sp_keys  # noqa: F401
"""

import html
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from sso.sp_keys import new_key_pair

PASSWORD = "rs-demo-2026"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class SamlIdpProcess:
    url: str
    people_file: Path
    process: subprocess.Popen[str]

    def add_person(self, *, username: str, hsa_id: str, personnummer: str, given_name: str = "Test",
                   surname: str = "Testsson") -> None:  # fmt: skip
        row = {"username": username, "password": PASSWORD, "hsa_id": hsa_id, "personnummer": personnummer,
               "given_name": given_name, "surname": surname, "email": f"{username}@test.skane.se"}  # fmt: skip
        with self.people_file.open("a", encoding="utf-8") as file:
            file.write(json.dumps(row) + "\n")

    def add_employee(self, employee, username: str) -> None:
        self.add_person(username=username, hsa_id=employee.hsa_id, personnummer=employee.personnummer,
                        given_name=employee.first_name, surname=employee.last_name)  # fmt: skip

    def spoil_next_response(self, kind: str) -> None:
        requests.post(f"{self.url}/_faults/", json={"next": kind}, timeout=5).raise_for_status()


@pytest.fixture(scope="session")
def saml_sp_keys(tmp_path_factory) -> tuple[Path, Path]:
    """RS-portal's SAML key and certificate, made for this test session."""
    directory = tmp_path_factory.mktemp("saml-sp")
    key_pem, cert_pem = new_key_pair("rs-portal-test-sp")
    (directory / "sp.key").write_bytes(key_pem)
    (directory / "sp.crt").write_bytes(cert_pem)
    return directory / "sp.key", directory / "sp.crt"


@pytest.fixture(scope="session")
def saml_idp(live_server, tmp_path_factory):
    """One IdP process for the session, given the live server's SP metadata (read at first use)."""
    directory = tmp_path_factory.mktemp("saml-idp")
    people = directory / "people.jsonl"
    people.write_text("", encoding="utf-8")
    # On the live server's host name: the IdP's POST back must be same-site for the SAML cookie
    # (SameSite=Lax over plain http; production's https cookie is SameSite=None).
    command = [sys.executable, "-m", "demoidp.saml", "--host", "localhost", "--port", "0", "--faults",
               "--people", str(people), "--sp-metadata", f"{live_server.url}/saml2/metadata/",
               "--data-dir", str(directory)]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("READY "):
            raise RuntimeError(f"the SAML IdP did not start: {line!r}")
        yield SamlIdpProcess(url=line.split()[1], people_file=people, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def saml(settings, live_server, saml_idp, saml_sp_keys):
    """RS-portal set to log in through the IdP process."""
    settings.RSPORTAL_SSO = "saml"
    settings.SITE_URL = live_server.url
    settings.RSPORTAL_SAML_IDP_METADATA_URL = f"{saml_idp.url}/metadata"
    settings.RSPORTAL_SAML_IDP_METADATA_FILE = ""
    settings.RSPORTAL_SAML_KEY_FILE, settings.RSPORTAL_SAML_CERT_FILE = saml_sp_keys
    return saml_idp


# --- the flow through plain HTTP, for the refusals ------------------------------------------


def hidden_inputs(page: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            fields[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
    return fields


def form_action(page: str) -> str:
    found = re.search(r'<form[^>]*action="([^"]*)"', page)
    assert found, page
    return html.unescape(found.group(1))


def idp_answer(browser: requests.Session, live_url: str, *, username: str, method: str = "freja",
               start: str = "/saml2/login/?next=/") -> tuple[str, dict[str, str]]:  # fmt: skip
    """Start a login at RS-portal, log in at the IdP; the ACS URL and the form the IdP posts there."""
    login_page = browser.get(live_url + start, timeout=10)
    assert login_page.status_code == 200, login_page.text
    fields = hidden_inputs(login_page.text)
    answer = browser.post(
        login_page.url.split("/sso/")[0] + "/login",
        data={"token": fields["token"], "username": username, "password": PASSWORD, "method": method},
        timeout=10,
    )
    assert "SAMLResponse" in answer.text, answer.text
    return form_action(answer.text), hidden_inputs(answer.text)
