"""Contact-person assignments, kept in step with guardian's object permissions.

The assignment is the one source of who is contact person (or substitute) for a
förvaltning: the permissions the queue asks guardian about are granted and taken away
here only, as assignments are saved and deleted, and the mail goes to the same
assignments. (The admin has no page to edit the object permissions themselves.)"""

from django.db import transaction
from django.db.models import OuterRef, QuerySet
from guardian.shortcuts import assign_perm, remove_perm

from .models import ContactPersonAssignment, Forvaltning, User
from .permissions import APPROVE_ORDERS, VIEW_ORDERS

_ASSIGNMENT_PERMS = (VIEW_ORDERS, APPROVE_ORDERS)


@transaction.atomic
def assign_contact_person(
    *,
    user: User,
    forvaltning: Forvaltning,
    role: str = ContactPersonAssignment.Role.CONTACT_PERSON,
    email_preference: str | None = None,
) -> ContactPersonAssignment:
    defaults = {"role": role}
    if email_preference is not None:
        defaults["email_preference"] = email_preference
    assignment, _ = ContactPersonAssignment.objects.update_or_create(
        user=user, forvaltning=forvaltning, defaults=defaults
    )
    _grant(assignment.user, assignment.forvaltning)
    return assignment


@transaction.atomic
def save_assignment(assignment: ContactPersonAssignment) -> ContactPersonAssignment:
    """Save a new or changed assignment (as the admin edits it). When a change gives it
    another user or förvaltning, the permissions of the one it had go with it."""
    if assignment.pk is not None:
        locked = ContactPersonAssignment.objects.select_for_update().select_related("user", "forvaltning")
        before = locked.get(pk=assignment.pk)
        if (before.user_id, before.forvaltning_id) != (assignment.user_id, assignment.forvaltning_id):
            _take_away(before.user, before.forvaltning)
    assignment.save()
    _grant(assignment.user, assignment.forvaltning)
    return assignment


@transaction.atomic
def remove_contact_person(assignment: ContactPersonAssignment) -> None:
    before = ContactPersonAssignment.objects.select_related("user", "forvaltning").get(pk=assignment.pk)
    _take_away(before.user, before.forvaltning)
    before.delete()


def _grant(user: User, forvaltning: Forvaltning) -> None:
    for perm in _ASSIGNMENT_PERMS:
        assign_perm(perm, user, forvaltning)


def _take_away(user: User, forvaltning: Forvaltning) -> None:
    for perm in _ASSIGNMENT_PERMS:
        remove_perm(perm, user, forvaltning)


def mailed_assignments(
    forvaltning: Forvaltning | OuterRef,
    role: str = ContactPersonAssignment.Role.CONTACT_PERSON,
    email_preference: str | None = None,
) -> QuerySet[ContactPersonAssignment]:
    """The assignments of `forvaltning` (a Forvaltning, or an OuterRef to one) whose users
    are mailed about its orders: active, with an email address."""
    assignments = ContactPersonAssignment.objects.filter(forvaltning=forvaltning, role=role, user__is_active=True)
    if email_preference is not None:
        assignments = assignments.filter(email_preference=email_preference)
    return assignments.exclude(user__email="")


def contact_person_emails(
    forvaltning: Forvaltning,
    role: str = ContactPersonAssignment.Role.CONTACT_PERSON,
    email_preference: str | None = None,
) -> list[str]:
    return list(mailed_assignments(forvaltning, role, email_preference).values_list("user__email", flat=True))
