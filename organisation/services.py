"""Contact-person assignments, kept in step with guardian's object permissions."""

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from .models import ContactPersonAssignment
from .permissions import APPROVE_ORDERS, VIEW_ORDERS

_ASSIGNMENT_PERMS = (VIEW_ORDERS, APPROVE_ORDERS)


@transaction.atomic
def assign_contact_person(*, user, forvaltning, role=ContactPersonAssignment.Role.CONTACT_PERSON, email_preference=None):
    defaults = {"role": role}
    if email_preference is not None:
        defaults["email_preference"] = email_preference
    assignment, _ = ContactPersonAssignment.objects.update_or_create(
        user=user, forvaltning=forvaltning, defaults=defaults
    )
    for perm in _ASSIGNMENT_PERMS:
        assign_perm(perm, user, forvaltning)
    return assignment


@transaction.atomic
def remove_contact_person(assignment):
    for perm in _ASSIGNMENT_PERMS:
        remove_perm(perm, assignment.user, assignment.forvaltning)
    assignment.delete()


def mailed_assignments(forvaltning, role=ContactPersonAssignment.Role.CONTACT_PERSON, email_preference=None):
    """The assignments of `forvaltning` (a Forvaltning, or an OuterRef to one) whose users
    are mailed about its orders: active, with an email address."""
    assignments = ContactPersonAssignment.objects.filter(forvaltning=forvaltning, role=role, user__is_active=True)
    if email_preference is not None:
        assignments = assignments.filter(email_preference=email_preference)
    return assignments.exclude(user__email="")


def contact_person_emails(forvaltning, role=ContactPersonAssignment.Role.CONTACT_PERSON, email_preference=None):
    return list(mailed_assignments(forvaltning, role, email_preference).values_list("user__email", flat=True))
