"""SAML login through the real demo IdP process, over plain HTTP: a login keeps its assurance."""

import requests

from audit.actions import AuditAction
from audit.models import AuditEvent

from ..factories import EmployeeFactory
from .saml_idp import idp_answer, saml, saml_idp, saml_sp_keys  # noqa: F401 (fixtures)


def test_a_saml_login_matches_the_employee_by_hsa_id_and_keeps_method_and_level(saml, live_server):  # noqa: F811
    employee = EmployeeFactory(user__username="saml-anna", user__first_name="Anna")
    saml.add_employee(employee, "anna-idp")
    browser = requests.Session()

    acs, form = idp_answer(
        browser, live_server.url, username="anna-idp", method="freja", start="/saml2/login/?next=/bestallningar/"
    )
    answer = browser.post(acs, data=form, allow_redirects=False, timeout=10)

    assert answer.status_code == 302, answer.text
    assert answer.headers["Location"] == "/bestallningar/"
    event = AuditEvent.objects.filter(action=AuditAction.LOGGED_IN).latest("pk")
    assert event.data["metod"] == "freja"
    assert event.data["tillitsniva"] == 3
    assert event.data["kontext"] == "http://id.elegnamnden.se/loa/1.0/loa3"
    assert event.data["protokoll"] == "saml"
