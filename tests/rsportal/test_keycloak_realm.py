"""The full stack's Keycloak (docker-compose.yml and deploy/keycloak/rsportal-realm.json),
checked by reading, since Docker does not run here: the compose file imports the realm file,
every demo person is a user with the HSA-id and personnummer RS-portal matches on, the clients
answer at RS-portal's own URLs and send what its settings read, and Keycloak's levels are the
Swedish eID framework's contexts RS-portal knows.
"""

import json
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse

from sso.assurance import DEFAULT_CONTEXTS

ROOT = Path(settings.BASE_DIR)
REALM_FILE = ROOT / "deploy" / "keycloak" / "rsportal-realm.json"
COMPOSE_FILE = ROOT / "docker-compose.yml"
DIRECTORY_FILE = ROOT / "demo" / "directory.jsonl"
SITE = "http://localhost:8000"  # RSPORTAL_SITE_URL's default in docker-compose.yml
ISSUER = "http://localhost:8080/realms/region-skane"
DEMO_PASSWORD = "rs-demo-2026"
LOA2, LOA3 = "http://id.elegnamnden.se/loa/1.0/loa2", "http://id.elegnamnden.se/loa/1.0/loa3"


def realm() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    return data


def service(name: str) -> str:
    """One service's lines of docker-compose.yml (read as text: no YAML reader is installed)."""
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    found = re.search(rf"^  {name}:\n((?:    .*\n|\s*\n)+)", text, re.MULTILINE)
    assert found, f"docker-compose.yml has no service {name}"
    return found.group(1)


def client(client_id: str) -> dict[str, Any]:
    return next(c for c in realm()["clients"] if c["clientId"] == client_id)


def mapper(owner: dict[str, Any], kind: str, **config: str) -> dict[str, Any]:
    """The one protocol mapper of this kind whose config has these values."""
    found = [
        m
        for m in owner["protocolMappers"]
        if m["protocolMapper"] == kind and all(m["config"].get(k) == v for k, v in config.items())
    ]
    assert len(found) == 1, (kind, config, owner["protocolMappers"])
    return found[0]


def test_the_compose_file_starts_a_pinned_keycloak_that_imports_the_realm_file():
    keycloak = service("keycloak")
    assert re.search(r"image: quay\.io/keycloak/keycloak:\d+\.\d+\.\d+\n", keycloak)
    assert "- start-dev\n" in keycloak and "- --import-realm\n" in keycloak
    mount = "./deploy/keycloak/rsportal-realm.json:/opt/keycloak/data/import/rsportal-realm.json:ro"
    assert f"- {mount}\n" in keycloak
    assert (ROOT / mount.split(":")[0]).resolve() == REALM_FILE
    # The realm file's client secret is a placeholder Keycloak fills from its environment.
    assert client("rs-portal")["secret"] == "${RSPORTAL_OIDC_CLIENT_SECRET}"
    assert "RSPORTAL_OIDC_CLIENT_SECRET: ${RSPORTAL_OIDC_CLIENT_SECRET:?" in keycloak


def test_the_web_service_logs_in_through_the_keycloak_realm():
    web = service("web")
    assert "keycloak:\n        condition: service_healthy" in web
    assert f"RSPORTAL_OIDC_OP_URL: {ISSUER}\n" in web
    assert "RSPORTAL_OIDC_CLIENT_ID: rs-portal\n" in web
    assert "RSPORTAL_OIDC_CLIENT_SECRET: ${RSPORTAL_OIDC_CLIENT_SECRET:?" in web
    assert f"{ISSUER.replace('localhost', 'keycloak')}/protocol/saml/descriptor\n" in web
    assert realm()["realm"] == ISSUER.rsplit("/", 1)[1]
    # Each setting the web service gives is one the settings read.
    read = (ROOT / "rsportal" / "settings.py").read_text(encoding="utf-8")
    given = re.findall(r"^      (RSPORTAL_[A-Z_]+):", web, re.MULTILINE)
    assert "RSPORTAL_OIDC_TOKEN_ENDPOINT" in given
    assert [name for name in given if f'"{name}"' not in read] == []


def test_every_demo_person_is_a_keycloak_user_with_hsa_id_personnummer_and_the_demo_password():
    lines = DIRECTORY_FILE.read_text(encoding="utf-8").splitlines()
    people = [p for p in map(json.loads, filter(None, lines)) if p.get("kind") == "person" and p.get("username")]
    users = {user["username"]: user for user in realm()["users"]}
    assert people and set(users) == {p["username"] for p in people}
    for person in people:
        user = users[person["username"]]
        assert user["enabled"] is True
        assert user["attributes"] == {"hsa_id": [person["hsa_id"]], "personnummer": [person["personnummer"]]}
        assert (user["firstName"], user["lastName"], user["email"]) == (
            person["given_name"],
            person["surname"],
            person["email"],
        )
        assert user["credentials"] == [{"type": "password", "value": DEMO_PASSWORD, "temporary": False}]


def test_only_an_administrator_sees_or_changes_hsa_id_and_personnummer_in_keycloak():
    provider = realm()["components"]["org.keycloak.userprofile.UserProfileProvider"][0]
    profile = json.loads(provider["config"]["kc.user.profile.config"][0])
    attributes = {a["name"]: a for a in profile["attributes"]}
    for name in ("hsa_id", "personnummer"):
        assert attributes[name]["permissions"] == {"view": ["admin"], "edit": ["admin"]}


def test_the_oidc_client_returns_only_to_rs_portals_callback_and_login_page():
    rs_portal = client("rs-portal")
    assert rs_portal["protocol"] == "openid-connect" and rs_portal["publicClient"] is False
    assert rs_portal["standardFlowEnabled"] is True
    assert not rs_portal["implicitFlowEnabled"] and not rs_portal["directAccessGrantsEnabled"]
    assert rs_portal["redirectUris"] == [SITE + reverse("sso:oidc_callback")]
    assert rs_portal["attributes"]["post.logout.redirect.uris"] == SITE + reverse("login")


def test_the_id_token_carries_the_claims_rs_portal_matches_on_and_the_acr():
    rs_portal = client("rs-portal")
    for claim in (settings.RSPORTAL_OIDC_HSA_ID_CLAIM, settings.RSPORTAL_OIDC_PERSONNUMMER_CLAIM):
        found = mapper(rs_portal, "oidc-usermodel-attribute-mapper", **{"claim.name": claim})
        assert found["config"]["id.token.claim"] == "true"
        assert found["config"]["user.attribute"] in ("hsa_id", "personnummer")
    for kind in ("oidc-acr-mapper", "oidc-amr-mapper"):
        assert mapper(rs_portal, kind)["config"]["id.token.claim"] == "true"
    assert "basic" in rs_portal["defaultClientScopes"]  # the sub claim


def test_the_saml_client_is_rs_portals_sp_with_its_acs_and_single_logout():
    sp = client(SITE + reverse("sso:saml2_metadata"))
    attributes = sp["attributes"]
    assert sp["protocol"] == "saml" and sp["frontchannelLogout"] is True
    assert attributes["saml_assertion_consumer_url_post"] == SITE + reverse("sso:saml2_acs")
    assert attributes["saml_single_logout_service_url_redirect"] == SITE + reverse("sso:saml2_ls")
    assert attributes["saml_single_logout_service_url_post"] == SITE + reverse("sso:saml2_ls_post")
    assert set(sp["redirectUris"]) == {
        SITE + reverse(name) for name in ("sso:saml2_acs", "sso:saml2_ls", "sso:saml2_ls_post")
    }
    assert attributes["saml.assertion.signature"] == "true"  # djangosaml2 wants signed assertions


def test_the_saml_assertion_carries_the_attributes_rs_portal_matches_on_and_the_context():
    sp = client(SITE + reverse("sso:saml2_metadata"))
    for name, user_attribute in (
        (settings.RSPORTAL_SAML_HSA_ID_ATTRIBUTE, "hsa_id"),
        (settings.RSPORTAL_SAML_PERSONNUMMER_ATTRIBUTE, "personnummer"),
    ):
        found = mapper(sp, "saml-user-attribute-mapper", **{"attribute.name": name})
        assert found["config"]["user.attribute"] == user_attribute
        assert found["config"]["attribute.nameformat"] == "URI Reference"
    mapper(sp, "saml-authn-context-class-ref-mapper")
    assert "--features=step-up-authentication-saml" in service("keycloak")


def test_keycloaks_levels_are_the_swedish_contexts_rs_portal_reads_as_levels_2_and_3():
    attributes = realm()["attributes"]
    levels = json.loads(attributes["acr.loa.map"])
    assert levels == {LOA2: 2, LOA3: 3}
    assert all(DEFAULT_CONTEXTS[context] == level for context, level in levels.items())
    # SAML's AuthnContextClassRef for each acr: the same URI.
    assert json.loads(attributes["acr.uri.map"]) == {LOA2: LOA2, LOA3: LOA3}
    configs = {c["alias"]: c["config"] for c in realm()["authenticatorConfig"]}
    conditions = {
        configs[step["authenticatorConfig"]]["loa-condition-level"]
        for flow in realm()["authenticationFlows"]
        for step in flow["authenticationExecutions"]
        if step.get("authenticator") == "conditional-level-of-authentication"
    }
    assert conditions == {"2", "3"}


def test_every_flow_and_config_the_realm_names_is_in_it():
    """Keycloak's import fails on a flow or config alias it cannot find."""
    data = realm()
    flows = {flow["alias"]: flow for flow in data["authenticationFlows"]}
    configs = {config["alias"] for config in data["authenticatorConfig"]}
    for binding in ("browserFlow", "directGrantFlow", "registrationFlow"):
        assert flows[data[binding]]["topLevel"] is True
    for flow in flows.values():
        for step in flow["authenticationExecutions"]:
            assert step["authenticatorFlow"] == ("flowAlias" in step)
            assert step.get("flowAlias", next(iter(flows))) in flows
            assert step.get("authenticatorConfig", next(iter(configs))) in configs
