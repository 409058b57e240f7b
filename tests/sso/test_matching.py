import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from organisation.models import Employee, User
from sso.matching import UnknownPerson, user_for
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_person_is_matched_by_hsa_id():
    employee = EmployeeFactory()
    assert user_for(hsa_id=employee.hsa_id, personnummer=None, protocol="saml") == employee.user


def test_a_person_is_matched_by_personnummer_in_either_form_when_the_idp_gives_no_hsa_id():
    employee = EmployeeFactory()
    dashed = f"{employee.personnummer[:8]}-{employee.personnummer[8:]}"
    assert user_for(hsa_id=None, personnummer=dashed, protocol="oidc") == employee.user
    assert user_for(hsa_id="SE-NOT-HERE", personnummer=employee.personnummer, protocol="oidc") == employee.user


def test_the_hsa_id_decides_over_the_personnummer():
    by_hsa, by_number = EmployeeFactory(), EmployeeFactory()
    assert user_for(hsa_id=by_hsa.hsa_id, personnummer=by_number.personnummer, protocol="oidc") == by_hsa.user


def test_an_unknown_person_is_refused_audited_and_nothing_is_created():
    EmployeeFactory()
    users, employees = User.objects.count(), Employee.objects.count()
    with pytest.raises(UnknownPerson) as refused:
        user_for(hsa_id="SE2321000289-X99999", personnummer="19811228-9874", protocol="saml")
    assert refused.value.hsa_id == "SE2321000289-X99999"
    event = AuditEvent.objects.get(action="sso_unknown_person")
    assert event.data["hsa_id"] == "SE2321000289-X99999"
    assert event.data["personnummer"] == "19811228-****"  # not a stranger's whole number
    assert event.data["protokoll"] == "saml"
    assert (User.objects.count(), Employee.objects.count()) == (users, employees)


@pytest.mark.parametrize(
    "make",
    [
        lambda: EmployeeFactory(left_at=timezone.now()),
        lambda: EmployeeFactory(user=UserFactory(is_active=False)),
        lambda: EmployeeFactory(user=None),
    ],
    ids=["left", "login-closed", "no-login"],
)
def test_a_leaver_or_a_person_without_an_open_login_is_refused(make):
    employee = make()
    with pytest.raises(UnknownPerson):
        user_for(hsa_id=employee.hsa_id, personnummer=employee.personnummer, protocol="oidc")
    assert AuditEvent.objects.get(action="sso_unknown_person").data["known_employee"] is True


def test_the_unknown_person_page_says_what_to_do(client):
    page = client.get(reverse("sso:unknown_person"))
    assert page.status_code == 403
    assert "kontaktpersonen för RS-kort" in page.content.decode()
