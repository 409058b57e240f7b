"""Contact-person assignments, kept in step with guardian's object permissions.

The assignment is the one source of who is contact person (or substitute) for a
förvaltning: the permissions the queue asks guardian about are granted and taken away
here only, as assignments are saved and deleted, and the mail goes to the same
assignments. (The admin has no page to edit the object permissions themselves.)

An assignment may hold for a period only (valid_from, valid_until). The permission checks
(organisation.permissions) count a förvaltning only while an assignment of the user for it
is in force, so a right stops the moment its period ends, whatever beat has done yet.
Beat's `end_expired_rights` then tidies up: it takes the ended assignment's object
permissions away (every one the user holds on that förvaltning, also those given by
hand), records the end, and has the förvaltning's waiting orders routed again."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from guardian.shortcuts import assign_perm

from audit.actions import AuditAction
from audit.services import record, record_many
from rsportal.queueing import enqueue_on_commit

from .models import ContactPersonAssignment, Employee, Forvaltning, ForvaltningUserObjectPermission, User
from .permissions import APPROVE_ORDERS, VIEW_ORDERS

_ASSIGNMENT_PERMS = (VIEW_ORDERS, APPROVE_ORDERS)


@transaction.atomic
def assign_contact_person(
    *,
    user: User,
    forvaltning: Forvaltning,
    role: str = ContactPersonAssignment.Role.CONTACT_PERSON,
    email_preference: str | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> ContactPersonAssignment:
    """Make `user` contact person (or ersättare) of `forvaltning`, for the period given
    (none: from now on, until further notice)."""
    defaults: dict[str, object] = {"role": role, "valid_from": valid_from, "valid_until": valid_until}
    if email_preference is not None:
        defaults["email_preference"] = email_preference
    assignment, _ = ContactPersonAssignment.objects.update_or_create(
        user=user, forvaltning=forvaltning, defaults=defaults
    )
    _settle(assignment)
    return assignment


@transaction.atomic
def save_assignment(assignment: ContactPersonAssignment, *, actor: Any = None) -> ContactPersonAssignment:
    """Save a new or changed assignment (as the admin edits it). When a change gives it
    another user or förvaltning, the permissions of the one it had go with it. A new
    appointment (a new assignment, or another user, förvaltning or role) is recorded
    (CONTACT_PERSON_APPOINTED), as the directory's are."""
    appointed = assignment.pk is None
    if assignment.pk is not None:
        locked = ContactPersonAssignment.objects.select_for_update().select_related("user", "forvaltning")
        before = locked.get(pk=assignment.pk)
        appointed = (before.user_id, before.forvaltning_id, before.role) != (
            assignment.user_id,
            assignment.forvaltning_id,
            assignment.role,
        )
        if (before.user_id, before.forvaltning_id) != (assignment.user_id, assignment.forvaltning_id):
            _take_away(before.user, before.forvaltning)
            _approvers_changed(before.forvaltning_id)
        elif (before.valid_from, before.valid_until) != (assignment.valid_from, assignment.valid_until):
            _approvers_changed(before.forvaltning_id)  # it may count as an approver no more (or not yet)
    assignment.save()
    if appointed:
        _record_appointed(assignment, actor=actor)
    _settle(assignment)
    return assignment


@transaction.atomic
def remove_contact_person(assignment: ContactPersonAssignment, *, actor: Any = None, reason: str = "") -> None:
    """Remove the assignment and its permissions, recorded (RIGHT_WITHDRAWN) unless it had
    ended already (its end was recorded then)."""
    before = ContactPersonAssignment.objects.select_related("user", "forvaltning").get(pk=assignment.pk)
    if not before.has_ended_at():
        record(
            AuditAction.RIGHT_WITHDRAWN,
            before,
            actor=actor,
            reason=reason,
            user_id=before.user_id,
            username=before.user.get_username(),
            forvaltning_id=before.forvaltning_id,
            role=before.role,
            removed=True,
        )
    _take_away(before.user, before.forvaltning)
    before.delete()
    _approvers_changed(before.forvaltning_id)


def _record_appointed(assignment: ContactPersonAssignment, *, actor: Any = None, reason: str = "") -> None:
    record(
        AuditAction.CONTACT_PERSON_APPOINTED,
        assignment,
        actor=actor,
        reason=reason,
        user_id=assignment.user_id,
        username=assignment.user.get_username(),
        forvaltning_id=assignment.forvaltning_id,
        role=assignment.role,
        valid_from=assignment.valid_from.isoformat() if assignment.valid_from else None,
        valid_until=assignment.valid_until.isoformat() if assignment.valid_until else None,
    )


# What the HSA directory says (registers.acts): the same assignments, audited.


@transaction.atomic
def appoint_contact_person(
    *, user: User, forvaltning: Forvaltning, role: str, reason: str = ""
) -> ContactPersonAssignment:
    """Make `user` contact person (or ersättare) of `forvaltning` from now on, until further
    notice, and record it (CONTACT_PERSON_APPOINTED). Idempotent: an assignment in force in
    that role already is left as it is."""
    held = ContactPersonAssignment.objects.in_force().filter(user=user, forvaltning=forvaltning, role=role).first()
    if held is not None and held.valid_until is None:
        return held
    assignment = assign_contact_person(user=user, forvaltning=forvaltning, role=role)
    _record_appointed(assignment, reason=reason)
    return assignment


@transaction.atomic
def end_contact_person(assignment: ContactPersonAssignment, *, reason: str, at: datetime | None = None) -> None:
    """End `assignment` now (at `at`), before its period would have: its permissions go,
    the end is recorded (RIGHT_WITHDRAWN, with the reason) and the förvaltning's waiting
    orders are routed again. One that had not begun yet ends before it begins: it goes.
    Idempotent: an assignment ended already is left as it is."""
    moment = at or timezone.now()
    locked = ContactPersonAssignment.objects.select_for_update().select_related("user", "forvaltning")
    assignment = locked.get(pk=assignment.pk)
    if assignment.has_ended_at(moment):
        return
    if assignment.valid_from is not None and assignment.valid_from >= moment:
        remove_contact_person(assignment, reason=reason)
        return
    assignment.valid_until = moment
    assignment.save(update_fields=["valid_until"])
    _end(assignment, AuditAction.RIGHT_WITHDRAWN, reason)


def end_contact_assignments_of(user: User, *, reason: str, at: datetime | None = None) -> int:
    """End every assignment of `user` not yet ended (end_contact_person). Returns how many."""
    pks = list(ContactPersonAssignment.objects.not_ended(at).filter(user=user).values_list("pk", flat=True))
    for assignment in ContactPersonAssignment.objects.filter(pk__in=pks):
        end_contact_person(assignment, reason=reason, at=at)
    return len(pks)


@transaction.atomic
def close_login_of_leaver(employee: Employee, *, reason: str) -> bool:
    """The employee has left: their login is deactivated, so they can log in no more (an
    open session is refused on its next request), and the leaving is recorded
    (PERSON_LEFT), once. True when a login was closed now."""
    user = User.objects.select_for_update().filter(employee=employee).first()
    left_before = Employee.objects.filter(pk=employee.pk, left_at__isnull=False).exists()
    if not left_before:
        Employee.objects.filter(pk=employee.pk).update(left_at=timezone.now())
    if user is not None and not user.is_active:
        return False  # closed before: recorded then
    if user is None and left_before:
        return False
    closed = user is not None
    if user is not None:
        user.is_active = False
        user.save(update_fields=["is_active"])
    record(
        AuditAction.PERSON_LEFT,
        employee,
        reason=reason,
        hsa_id=employee.hsa_id,
        user_id=user.pk if user else None,
        login_closed=closed,
    )
    return closed


@transaction.atomic
def move_employee(employee: Employee, forvaltning: Forvaltning, *, reason: str = "") -> bool:
    """The employee now works in `forvaltning` (PERSON_MOVED). Their orders are orders'
    to move (orders.services.move_open_orders). True when they moved now."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if employee.forvaltning_id == forvaltning.pk:
        return False
    before = employee.forvaltning_id
    employee.forvaltning = forvaltning
    employee.save(update_fields=["forvaltning"])
    record(
        AuditAction.PERSON_MOVED,
        employee,
        reason=reason,
        hsa_id=employee.hsa_id,
        from_forvaltning_id=before,
        to_forvaltning_id=forvaltning.pk,
    )
    return True


def _approvers_changed(forvaltning_id: int) -> None:
    """The förvaltning has fewer approvers: its waiting orders that nobody left can approve
    go to the central queue (orders.services.route_waiting_orders; beat runs it too)."""
    enqueue_on_commit("orders.tasks.route_waiting_orders", forvaltning_id)


def approver_ids(forvaltning_ids: list[int] | None = None) -> dict[int, set[int]]:
    """{förvaltning id: the ids of its active contact persons and ersättare}, of the given
    förvaltningar or of all: who may approve its orders now (their assignments in force).
    One query."""
    assignments = ContactPersonAssignment.objects.in_force().filter(user__is_active=True)
    if forvaltning_ids is not None:
        assignments = assignments.filter(forvaltning_id__in=forvaltning_ids)
    approvers: dict[int, set[int]] = defaultdict(set)
    for forvaltning_id, user_id in assignments.values_list("forvaltning_id", "user_id"):
        approvers[forvaltning_id].add(user_id)
    return approvers


@dataclass(frozen=True)
class EndedRight:
    """An assignment whose period ended, as `end_expired_rights` recorded it: what the
    approval flow needs to know (the förvaltning has one approver fewer)."""

    assignment_id: int
    user_id: int
    forvaltning_id: int
    role: str
    valid_until: datetime


def end_expired_rights(at: datetime | None = None) -> list[EndedRight]:
    """Beat's, every minute: each assignment whose period has ended (at `at`, now) and whose
    end is not recorded yet loses its object permissions on the förvaltning, its end is
    recorded (RIGHT_ENDED), and the förvaltning's waiting orders are routed again
    (orders.tasks.route_waiting_orders). Then the object permissions that no assignment
    stands behind go (remove_stray_permissions). Idempotent: an end is recorded once.

    The permission checks never waited for this: they count an assignment only while it is
    in force. Returns the rights ended now."""
    moment = at or timezone.now()
    ended = []
    for pk in list(ContactPersonAssignment.objects.ended_unrecorded(moment).values_list("pk", flat=True)):
        with transaction.atomic():
            # Locked and asked again: a run beside this one, or an admin's change, wins.
            locked = ContactPersonAssignment.objects.select_for_update().ended_unrecorded(moment).filter(pk=pk)
            assignment = locked.first()
            if assignment is not None:
                ended.append(_end(assignment))
    remove_stray_permissions(moment)
    return ended


def remove_stray_permissions(at: datetime | None = None) -> int:
    """Take away every object permission on a förvaltning that no assignment of its holder
    stands behind (none, or only one that has ended): given by hand, or left by an
    assignment that went without the service. Each holder's and förvaltning's is recorded
    (STRAY_PERMISSIONS_REMOVED). An assignment still to begin keeps its permissions: the
    checks do not count them before it begins. Returns how many permissions went."""
    standing = ContactPersonAssignment.objects.not_ended(at).filter(
        user=OuterRef("user_id"), forvaltning=OuterRef("content_object_id")
    )
    stray: dict[tuple[int, int], list[ForvaltningUserObjectPermission]] = defaultdict(list)
    for row in ForvaltningUserObjectPermission.objects.filter(~Exists(standing)).select_related("permission"):
        stray[(row.user_id, row.content_object_id)].append(row)
    removed = 0
    for (user_id, forvaltning_id), rows in stray.items():
        with transaction.atomic():
            deleted, _ = ForvaltningUserObjectPermission.objects.filter(pk__in=[row.pk for row in rows]).delete()
            if not deleted:
                continue  # a run beside this one took them
            removed += deleted
            record(
                AuditAction.STRAY_PERMISSIONS_REMOVED,
                Forvaltning.objects.get(pk=forvaltning_id),
                user_id=user_id,
                username=User.objects.get(pk=user_id).get_username(),
                permissions=sorted(row.permission.codename for row in rows),
            )
    return removed


def _settle(assignment: ContactPersonAssignment) -> None:
    """After a save: the assignment's permissions, or, when its period has ended already
    (an end set in the past), its end at once."""
    if assignment.has_ended_at():
        _end(assignment)
    else:
        _grant(assignment.user, assignment.forvaltning)


def _end(
    assignment: ContactPersonAssignment, action: AuditAction = AuditAction.RIGHT_ENDED, reason: str = ""
) -> EndedRight:
    removed = _take_away(assignment.user, assignment.forvaltning)
    assert assignment.valid_until is not None  # an assignment that has ended has an end
    ended = EndedRight(
        assignment_id=assignment.pk,
        user_id=assignment.user_id,
        forvaltning_id=assignment.forvaltning_id,
        role=assignment.role,
        valid_until=assignment.valid_until,
    )
    if assignment.recorded_end == assignment.valid_until:
        return ended  # recorded before (an admin saved the ended assignment again)
    assignment.recorded_end = assignment.valid_until
    assignment.save(update_fields=["recorded_end"])
    record(
        action,
        assignment,
        reason=reason,
        user_id=assignment.user_id,
        username=assignment.user.get_username(),
        forvaltning_id=assignment.forvaltning_id,
        role=assignment.role,
        valid_until=assignment.valid_until.isoformat(),
        permissions=removed,
    )
    _approvers_changed(assignment.forvaltning_id)
    return ended


def _grant(user: User, forvaltning: Forvaltning) -> None:
    for perm in _ASSIGNMENT_PERMS:
        assign_perm(perm, user, forvaltning)


def _take_away(user: User, forvaltning: Forvaltning) -> list[str]:
    """Every object permission `user` holds on `forvaltning`: the assignment's, and any
    given by hand beside it. Returns their codenames."""
    held = ForvaltningUserObjectPermission.objects.filter(user=user, content_object=forvaltning)
    codenames = sorted(held.values_list("permission__codename", flat=True))
    held.delete()
    return codenames


def mailed_assignments(
    forvaltning: Forvaltning | OuterRef,
    role: str = ContactPersonAssignment.Role.CONTACT_PERSON,
    email_preference: str | None = None,
) -> QuerySet[ContactPersonAssignment]:
    """The assignments of `forvaltning` (a Forvaltning, or an OuterRef to one) whose users
    are mailed about its orders: in force, active, with an email address."""
    assignments = ContactPersonAssignment.objects.in_force().filter(
        forvaltning=forvaltning, role=role, user__is_active=True
    )
    if email_preference is not None:
        assignments = assignments.filter(email_preference=email_preference)
    return assignments.exclude(user__email="")


def contact_person_emails(
    forvaltning: Forvaltning,
    role: str = ContactPersonAssignment.Role.CONTACT_PERSON,
    email_preference: str | None = None,
) -> list[str]:
    return list(mailed_assignments(forvaltning, role, email_preference).values_list("user__email", flat=True))


# People and förvaltningar the HSA directory has (registers.directory_sync), audited.


@dataclass(frozen=True)
class NewEmployee:
    """A person the directory has and RS-portal has not yet. `username`: their login name,
    where the directory has one; without it the employee has no login."""

    hsa_id: str
    first_name: str
    last_name: str
    personnummer: str
    forvaltning_id: int
    email: str = ""
    username: str = ""


def register_forvaltning(*, code: str, name: str, reason: str) -> Forvaltning:
    """A förvaltning the directory has and RS-portal has not (FORVALTNING_REGISTERED)."""
    forvaltning = Forvaltning.objects.create(code=code, name=name)
    record(AuditAction.FORVALTNING_REGISTERED, forvaltning, reason=reason, code=code)
    return forvaltning


@transaction.atomic
def register_employees(people: list[NewEmployee], *, reason: str) -> list[Employee]:
    """Employees who have started (PERSON_STARTED, one event each), in bulk. One with a
    login name gets a login without a password of its own: they log in through single sign-on
    (AUTHENTICATION_BACKENDS), or an administrator sets one. A login of that name with no
    employee yet is taken as theirs."""
    names = [person.username for person in people if person.username]
    logins = {user.username: user for user in User.objects.filter(username__in=names, employee__isnull=True)}
    new_logins = []
    for person in people:
        if person.username and person.username not in logins:
            user = User(
                username=person.username, first_name=person.first_name, last_name=person.last_name, email=person.email
            )
            user.set_unusable_password()
            logins[person.username] = user
            new_logins.append(user)
    User.objects.bulk_create(new_logins)
    employees = Employee.objects.bulk_create(
        Employee(
            user=logins.get(person.username) if person.username else None,
            hsa_id=person.hsa_id,
            first_name=person.first_name,
            last_name=person.last_name,
            personnummer=person.personnummer,
            work_email=person.email,
            forvaltning_id=person.forvaltning_id,
        )
        for person in people
    )
    record_many(
        AuditAction.PERSON_STARTED,
        ((employee, {"hsa_id": employee.hsa_id, "login": employee.user_id is not None}) for employee in employees),
        reason=reason,
    )
    return employees


@transaction.atomic
def reactivate_employee(employee: Employee, *, reason: str) -> bool:
    """A leaver is active again (PERSON_RETURNED): the mark of leaving goes and their login
    opens again. Their ended rights stay ended. True when they had left."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if employee.left_at is None:
        return False
    employee.left_at = None
    employee.save(update_fields=["left_at"])
    User.objects.filter(employee=employee).update(is_active=True)
    record(AuditAction.PERSON_RETURNED, employee, reason=reason, hsa_id=employee.hsa_id)
    return True


@transaction.atomic
def rename_employee(employee: Employee, *, first_name: str, last_name: str, reason: str) -> bool:
    """The employee's name as the directory has it (PERSON_RENAMED). True when it changed."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if (employee.first_name, employee.last_name) == (first_name, last_name):
        return False
    employee.first_name, employee.last_name = first_name, last_name
    employee.save(update_fields=["first_name", "last_name"])
    record(AuditAction.PERSON_RENAMED, employee, reason=reason, hsa_id=employee.hsa_id)
    return True
