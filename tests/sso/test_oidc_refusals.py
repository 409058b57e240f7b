"""Each way an OpenID Connect login can go wrong, against the real provider process and the
live server: no login, a clear answer (never a 500) and an audit event."""

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests

from audit.actions import AuditAction
from audit.models import AuditEvent
from tests.factories import CardFactory, EmployeeFactory

from .oidc_provider import CLIENT_ID, CLIENT_SECRET, callback_url, log_out, oidc, oidc_provider, running_provider  # noqa: F401


@pytest.fixture
def employee(oidc, transactional_db):  # noqa: F811
    employee = EmployeeFactory()
    oidc.add_employee(employee, username=employee.user.username)
    return employee


def logged_in(client: requests.Session, live_url: str) -> bool:
    answer = client.get(f"{live_url}/mina-kort/", allow_redirects=False, timeout=10)
    return answer.status_code == 200


def refused(answer: requests.Response, reason: str, text: str) -> None:
    assert answer.status_code == 403, answer.text
    assert "Inloggningen godtogs inte" in answer.text and text in answer.text
    assert AuditEvent.objects.filter(action=AuditAction.SSO_LOGIN_REFUSED, data__orsak=reason).exists()


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.mark.parametrize(
    ("fault", "reason", "text"),
    [
        ("bad_signature", "signature", "inte signerad av Region Skånes inloggning"),
        ("wrong_audience", "audience", "utfärdad till en annan tjänst"),
        ("expired", "expired", "redan gått ut"),
        ("wrong_nonce", "nonce", "hörde till en annan inloggning"),
        ("wrong_issuer", "issuer", "annan utfärdare"),
    ],
)
def test_an_id_token_the_provider_spoiled_is_refused(oidc, employee, live_server, fault, reason, text):  # noqa: F811
    client = requests.Session()
    back = callback_url(client, live_server.url, username=employee.user.username)
    oidc.spoil_next_id_token(fault)

    refused(client.get(back, timeout=10), reason, text)
    assert not logged_in(client, live_server.url)


def test_a_state_this_browser_did_not_start_is_refused(oidc, employee, live_server):  # noqa: F811
    client = requests.Session()
    back = callback_url(client, live_server.url, username=employee.user.username)

    refused(client.get(with_query(back, state="en-annan-state"), timeout=10), "state", "hör inte till någon pågående")
    # the real answer, in another browser than the one that began the login
    refused(requests.get(back, timeout=10), "state", "hör inte till någon pågående")
    assert not logged_in(client, live_server.url)


def test_a_replayed_callback_is_refused(oidc, employee, live_server):  # noqa: F811
    client = requests.Session()
    back = callback_url(client, live_server.url, username=employee.user.username)
    assert client.get(back, allow_redirects=False, timeout=10).status_code == 302
    log_out(client, live_server.url)
    assert not logged_in(client, live_server.url)

    refused(client.get(back, timeout=10), "state", "Det kan redan ha använts")
    assert not logged_in(client, live_server.url)


def test_a_used_code_under_a_fresh_state_is_refused_by_the_provider(oidc, employee, live_server):  # noqa: F811
    client = requests.Session()
    first = callback_url(client, live_server.url, username=employee.user.username)
    assert client.get(first, allow_redirects=False, timeout=10).status_code == 302
    log_out(client, live_server.url)
    second = callback_url(client, live_server.url, username=employee.user.username)
    used_code = parse_qs(urlsplit(first).query)["code"][0]

    refused(client.get(with_query(second, code=used_code), timeout=10), "code", "godtog inte inloggningskoden")
    assert not logged_in(client, live_server.url)


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/stjal", "http://evil.example"])
def test_a_next_off_site_ends_on_the_site(oidc, employee, live_server, next_url):  # noqa: F811
    client = requests.Session()
    back = callback_url(client, live_server.url, username=employee.user.username,
                        start=f"/oidc/logga-in/?{urlencode({'next': next_url})}")  # fmt: skip

    answer = client.get(back, allow_redirects=False, timeout=10)

    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert logged_in(client, live_server.url)


def test_a_level_below_the_one_asked_for_is_refused(oidc, employee, live_server):  # noqa: F811
    client = requests.Session()
    back = callback_url(client, live_server.url, username=employee.user.username,
                        start="/oidc/logga-in/?next=/&niva=3")  # fmt: skip
    oidc.spoil_next_id_token("weak_acr")

    refused(client.get(back, timeout=10), "level", "lägre tillitsnivå än den som begärdes")
    assert not logged_in(client, live_server.url)


def test_a_level_below_the_setting_may_not_order(oidc, employee, live_server, settings):  # noqa: F811
    settings.RSPORTAL_MIN_LEVEL_ORDER = 3
    card = CardFactory(holder=employee)
    client = requests.Session()
    back = callback_url(client, live_server.url, username=employee.user.username, method="password")
    assert client.get(back, allow_redirects=False, timeout=10).status_code == 302

    answer = client.get(f"{live_server.url}/bestall/{card.pk}/", timeout=10)

    assert answer.status_code == 403
    assert "Inloggad med lösenord, tillitsnivå 2" in answer.text
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_STEP_UP_REQUIRED, data__kravd_niva=3).exists()


def test_the_provider_out_of_reach_is_a_clear_answer(settings, live_server, transactional_db):
    settings.RSPORTAL_SSO = "oidc"
    settings.RSPORTAL_OIDC_OP_URL = "http://127.0.0.1:9/o"  # nothing listens on the discard port

    answer = requests.get(f"{live_server.url}/oidc/logga-in/?next=/", timeout=30)

    assert answer.status_code == 503 and "svarar inte just nu" in answer.text


def test_the_inera_claim_names_match_the_employee(settings, live_server, tmp_path, transactional_db):
    employee = EmployeeFactory()
    with running_provider(live_server, tmp_path, "--claims", "inera") as inera:
        inera.add_employee(employee, username=employee.user.username)
        settings.RSPORTAL_SSO = "oidc"
        settings.RSPORTAL_OIDC_OP_URL = inera.issuer
        settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
        settings.RSPORTAL_OIDC_HSA_ID_CLAIM = "employeeHsaId"
        settings.RSPORTAL_OIDC_PERSONNUMMER_CLAIM = "personalIdentityNumber"
        client = requests.Session()

        answer = client.get(callback_url(client, live_server.url, username=employee.user.username), timeout=10)

        assert answer.status_code == 200 and "Inloggad med Freja eID+, tillitsnivå 3" in answer.text
