"""The single sign-on pages (stepping up, "too low", the unknown person) under generated
query strings, with each protocol set as the site's login: never a 500, nothing written but
audit events and sessions, and never a redirect off the site (tests/rsportal/test_fuzz.py
leaves these pages to this file: without an IdP they only refuse or send to the login)."""

import os
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.factories import EmployeeFactory

from .sessions import PASSWORD_IDP_2, log_in_with

EXAMPLES = int(os.environ.get("RSPORTAL_FUZZ_EXAMPLES", "20"))
FUZZ = hypothesis_settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PAGES = ["sso:step_up", "sso:too_low", "sso:unknown_person"]
TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", "3", "4", "9", "-1", "²", "0x3", "/", "//evil.example/", "https://evil.example/x", "\x00"]),
)
QUERY = st.lists(st.tuples(st.sampled_from(["niva", "next", "x"]), TEXT), max_size=4)
UNCOUNTED = {"sessions", "audit"}


def row_counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in UNCOUNTED and model._meta.managed and not model._meta.proxy
    }


@pytest.fixture(params=["oidc", "saml"])
def protocol(request, settings):
    settings.RSPORTAL_SSO = request.param
    settings.RSPORTAL_SAML_IDP_METADATA_URL = "http://127.0.0.1:9/metadata"  # never asked: the pages only point there
    return request.param


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", ["anonymous", "employee"])
def test_the_sso_pages_stay_on_the_site_and_write_nothing_whatever_the_query(client, protocol, name, who):
    if who == "employee":
        log_in_with(client, EmployeeFactory().user, PASSWORD_IDP_2)
    before = row_counts()

    @FUZZ
    @given(query=QUERY, htmx=st.booleans())
    def fuzz(query, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(f"{reverse(name)}?{urlencode(query)}", headers=headers)
        assert response.status_code < 500
        for location in (response.headers.get("Location", ""), response.headers.get("HX-Redirect", "")):
            parts = urlsplit(location)
            assert not parts.netloc and not location.startswith("//"), location
        assert row_counts() == before

    fuzz()
