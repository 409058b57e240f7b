"""What follows from a change in the HSA directory, each one audited act through the services
of the apps it touches (organisation, orders, desk), never a raw update. The sync
(registers.services) calls these with what registers.people found; each is idempotent, so a
run that is repeated, or one that stopped halfway, does no harm.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from desk import services as desk_services
from orders import services as order_services
from organisation import services as organisation_services
from organisation.models import ContactPersonAssignment, Employee, Forvaltning, User

from .people import LeftBecause

# The reason in words, as the audit trail, the order's page and the contact persons' mail give it.
LEFT_REASONS = {
    LeftBecause.GONE: _("Kortinnehavaren finns inte längre i HSA-katalogen och har slutat."),
    LeftBecause.INACTIVE: _("Kortinnehavaren är markerad som inaktiv i HSA-katalogen och har slutat."),
}
MOVED_REASON = _("Kortinnehavaren har bytt förvaltning i HSA-katalogen.")
APPOINTED_REASON = _("Rollen finns i HSA-katalogen.")
ROLE_ENDED_REASON = _("Rollen finns inte längre i HSA-katalogen.")
# The same, for roles from the contact persons' file (RSPORTAL_CONTACT_PERSONS_FILE).
APPOINTED_FROM_FILE_REASON = _("Rollen finns i kontaktpersonsfilen.")
ROLE_ENDED_FROM_FILE_REASON = _("Rollen finns inte längre i kontaktpersonsfilen.")


@dataclass(frozen=True)
class Leaving:
    """What a person's leaving did."""

    login_closed: bool
    orders_cancelled: int
    assignments_ended: int
    station_rights_ended: int


@transaction.atomic
def person_left(employee: Employee, reason: str) -> Leaving:
    """`employee` has left (`reason` in words, e.g. LEFT_REASONS): they can log in no more,
    their orders whose letter is not made yet are cancelled with the reason and the contact
    persons told (a letter already made goes on to the holder's own address), and their
    contact-person assignments and station rights end now."""
    login_closed = organisation_services.close_login_of_leaver(employee, reason=reason)
    cancelled = order_services.cancel_orders_of_leaver(employee, reason=reason)
    assignments = stations = 0
    user = User.objects.filter(employee=employee).first()
    if user is not None:
        assignments = organisation_services.end_contact_assignments_of(user, reason=reason)
        stations = desk_services.end_operator_rights_of(user, reason=reason)
    return Leaving(login_closed, len(cancelled), assignments, stations)


@transaction.atomic
def person_moved(employee: Employee, new_forvaltning: Forvaltning, reason: str = "") -> int:
    """`employee` now works in `new_forvaltning`: their open orders move with them into its
    queue, out of the old contact persons' sight. Returns how many orders moved."""
    reason = reason or str(MOVED_REASON)
    organisation_services.move_employee(employee, new_forvaltning, reason=reason)
    return len(order_services.move_open_orders(employee, new_forvaltning, reason=reason))


def appoint_contact_person(
    user: User, forvaltning: Forvaltning, role: str, reason: str = ""
) -> ContactPersonAssignment:
    """The directory (or the contact persons' file: its `reason`) has `user` as kontaktperson
    or ersättare (`role`) of `forvaltning`."""
    return organisation_services.appoint_contact_person(
        user=user, forvaltning=forvaltning, role=role, reason=reason or str(APPOINTED_REASON)
    )


def end_contact_person(user: User, forvaltning: Forvaltning, reason: str = "") -> bool:
    """The directory no longer has `user` in a role on `forvaltning`. True when one ended."""
    assignment = ContactPersonAssignment.objects.not_ended().filter(user=user, forvaltning=forvaltning).first()
    if assignment is None:
        return False
    organisation_services.end_contact_person(assignment, reason=reason or str(ROLE_ENDED_REASON))
    return True


STARTED_REASON = _("Medarbetaren finns i HSA-katalogen.")
RETURNED_REASON = _("Medarbetaren är aktiv i HSA-katalogen igen.")
RENAMED_REASON = _("Namnet har ändrats i HSA-katalogen.")
FORVALTNING_REASON = _("Förvaltningen finns i HSA-katalogen.")


def people_started(people: list[organisation_services.NewEmployee]) -> list[Employee]:
    """People the directory has and RS-portal had not: employees, with a login where the
    directory gives a login name."""
    return organisation_services.register_employees(people, reason=str(STARTED_REASON))


def person_returned(employee: Employee) -> bool:
    """A leaver is active in the directory again: they may log in again."""
    return organisation_services.reactivate_employee(employee, reason=str(RETURNED_REASON))


def person_renamed(employee: Employee, first_name: str, last_name: str) -> bool:
    return organisation_services.rename_employee(
        employee, first_name=first_name, last_name=last_name, reason=str(RENAMED_REASON)
    )


def forvaltning_found(code: str, name: str) -> Forvaltning:
    return organisation_services.register_forvaltning(code=code, name=name, reason=str(FORVALTNING_REASON))
