"""Who the IdP's person is here: the employee RS-portal already knows, or nobody.

A claim never creates an employee, grants a role or changes a förvaltning: this only looks up.
"""

from contextlib import suppress

from django.core.exceptions import ValidationError
from django.db.models import Q

from audit.actions import AuditAction
from audit.services import record_about
from organisation.identity import normalise_personnummer
from organisation.models import Employee, User


class UnknownPerson(Exception):
    """The IdP knows the person; RS-portal has no active employee with a login for them."""

    def __init__(self, hsa_id: str | None, personnummer: str | None) -> None:
        super().__init__("no active employee for this login")
        self.hsa_id = hsa_id
        self.personnummer = personnummer


def user_for(*, hsa_id: str | None, personnummer: str | None, protocol: str) -> User:
    """The active employee's login by HSA-id, else by personnummer; else UnknownPerson, audited."""
    employee: Employee | None = None
    for lookup in _lookups(hsa_id, personnummer):
        employee = Employee.objects.select_related("user").filter(lookup).first()
        if employee is not None:
            if _may_log_in(employee):
                assert employee.user is not None
                return employee.user
            break  # the person is known but may not log in: a leaver, or no login
    record_about(
        AuditAction.SSO_UNKNOWN_PERSON,
        "sso.person",
        hsa_id or masked(personnummer or ""),
        protokoll=protocol,
        hsa_id=hsa_id or "",
        personnummer=masked(personnummer or ""),
        known_employee=employee is not None,
    )
    raise UnknownPerson(hsa_id, personnummer)


def masked(personnummer: str) -> str:
    """The date of birth only: enough to follow up, without keeping a stranger's identity number."""
    digits = "".join(ch for ch in personnummer if ch.isdigit())
    return f"{digits[:8]}-****" if digits else ""


def _lookups(hsa_id: str | None, personnummer: str | None) -> list[Q]:
    lookups = []
    if hsa_id:
        lookups.append(Q(hsa_id=hsa_id))
    if personnummer:
        with suppress(ValidationError):  # a malformed number from the IdP matches nobody
            lookups.append(Q(personnummer=normalise_personnummer(personnummer)))
    return lookups


def _may_log_in(employee: Employee) -> bool:
    return (
        employee.user is not None
        and employee.user.is_active
        and employee.left_at is None
        and employee.pseudonymised_at is None
    )
