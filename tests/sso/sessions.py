"""A test client logged in as if through the IdP: the session holds an assurance."""

import time

from django.test import Client

from sso.assurance import Assurance
from sso.session import LOGGED_IN_AT_KEY, SEEN_AT_KEY, SESSION_KEY

FREJA_3 = Assurance("oidc", "freja", 3, "http://id.elegnamnden.se/loa/1.0/loa3")
PASSWORD_IDP_2 = Assurance("saml", "password", 2, "http://id.elegnamnden.se/loa/1.0/loa2")


def log_in_with(client: Client, user, assurance: Assurance, *, logged_in_ago: int = 0, seen_ago: int = 0) -> Client:
    client.force_login(user)
    session = client.session
    now = int(time.time())
    session[SESSION_KEY] = assurance.as_session()
    session[LOGGED_IN_AT_KEY] = now - logged_in_ago
    session[SEEN_AT_KEY] = now - seen_ago
    session.save()
    return client
