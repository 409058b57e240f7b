"""The HSA directory's register for sync_registers: RS-portal's people, förvaltningar and
contact persons against the directory (registers.directory, the port named in settings).

What follows from a change, each an audited act (registers.acts):
- a förvaltning the directory has and RS-portal has not is registered;
- a person who started becomes an employee, with a login where the directory gives a login
  name (without one, the employee has none: an Employee may exist without a login);
- a leaver active again returns, a renamed person gets the new name;
- a person who moved takes their open orders to the new förvaltning's queue;
- a person who left can log in no more, their open orders are cancelled with the reason;
- contact persons and ersättare are appointed and ended as the directory's roles say, or,
  when RSPORTAL_CONTACT_PERSONS_FILE names a file, as that file says (the directory's own
  roles then count for nothing; registers.contact_person_export).

Who is active: an employee the directory has not said has left (Employee.left_at empty),
login or not. So a leaver without a login is not "left" again on every run, and a login an
administrator closed by hand is the administrator's, not reopened by the sync.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError

from organisation.identity import validate_personnummer
from organisation.models import ContactPersonAssignment, Employee, Forvaltning, User
from organisation.services import NewEmployee

from . import acts
from .contact_person_export import contact_person_file, with_roles_from
from .directory import BrokenDirectoryExport, Directory, DirectoryEntry, DirectoryUnit, get_directory
from .people import CurrentPerson, CurrentRole, DirectoryDiff, PersonStarted, RoleAppointed, diff_directory
from .services import Progress, counted

_CHUNK = 2000


@dataclass
class DirectoryPlan:
    diff: DirectoryDiff
    rows_read: int = 0
    active_before: int = 0  # the people RS-portal has who have not left
    new_forvaltningar: dict[str, str] = field(default_factory=dict)  # key → name
    # Roles on people who have no login to hold them (RS-portal's rights are a login's).
    refused_roles: list[RoleAppointed] = field(default_factory=list)
    roles_from_file: bool = False  # the roles are the contact persons' file's, not the directory's

    def counts(self) -> dict[str, int]:
        return {
            "forvaltningar": len(self.new_forvaltningar),
            **self.diff.counts(),
            "refused_roles": len(self.refused_roles),
        }

    def sample(self, lines: int) -> dict[str, list[str]]:
        d = self.diff
        kinds: dict[str, Iterable[str]] = {
            "forvaltningar": (f"{key} {name}" for key, name in self.new_forvaltningar.items()),
            "started": (f"{p.hsa_id} {p.first_name} {p.last_name} ({p.forvaltning})" for p in d.started),
            "returned": (f"{p.hsa_id} ({p.forvaltning})" for p in d.returned),
            "renamed": (f"{p.hsa_id} {p.was} → {p.first_name} {p.last_name}" for p in d.renamed),
            "moved": (f"{p.hsa_id} {p.from_forvaltning} → {p.to_forvaltning}" for p in d.moved),
            "left": (f"{p.hsa_id} ({p.because})" for p in d.left),
            "appointed": (f"{r.person_hsa_id} {r.role} på {r.forvaltning}" for r in d.appointed),
            "ended": (f"{r.person_hsa_id} {r.role} på {r.forvaltning}" for r in d.ended),
            "refused_roles": (
                f"{r.person_hsa_id} {r.role} på {r.forvaltning}: ingen inloggning" for r in self.refused_roles
            ),
        }
        taken = {kind: [line for line, _ in zip(items, range(lines), strict=False)] for kind, items in kinds.items()}
        return {kind: found for kind, found in taken.items() if found}

    @property
    def deactivations(self) -> int:
        return len(self.diff.left)

    def deactivated_share(self) -> float:
        return self.deactivations / self.active_before if self.active_before else 0.0


class DirectoryRegister:
    def __init__(self, directory: Directory | None = None) -> None:
        """`directory`: the port named in settings unless given."""
        self.directory = directory

    def plan(self, progress: Progress) -> DirectoryPlan:
        people, with_login = _current_people()
        roles = _current_roles()
        known = set(Forvaltning.objects.values_list("code", flat=True))
        progress.phase("Läser HSA-katalogen")
        entries = (self.directory or get_directory()).entries()
        roles_file = settings.CONTACT_PERSONS_FILE
        if roles_file:
            entries = with_roles_from(entries, contact_person_file(roles_file))
        reading = _Reading(counted(entries, progress))
        diff = diff_directory(people, roles, reading)
        _check_personnummer(diff.started)
        with_login.update(person.hsa_id for person in diff.started if person.username)
        with_login.difference_update(person.hsa_id for person in diff.left)
        appointed = [role for role in diff.appointed if role.person_hsa_id in with_login]
        refused = [role for role in diff.appointed if role.person_hsa_id not in with_login]
        diff.appointed = appointed
        return DirectoryPlan(
            diff=diff,
            rows_read=reading.rows,
            active_before=sum(1 for person in people.values() if person.active),
            new_forvaltningar={key: name for key, name in reading.forvaltningar.items() if key not in known},
            refused_roles=refused,
            roles_from_file=bool(roles_file),
        )

    def apply(self, plan: DirectoryPlan, progress: Progress) -> int:
        d = plan.diff
        writes = 0
        for key, name in plan.new_forvaltningar.items():
            acts.forvaltning_found(key, name)
            writes += 1
        forvaltningar = {forvaltning.code: forvaltning for forvaltning in Forvaltning.objects.all()}
        progress.phase("Lägger in nya medarbetare", total=len(d.started))
        for start in range(0, len(d.started), _CHUNK):
            chunk = d.started[start : start + _CHUNK]
            acts.people_started([_new_employee(person, forvaltningar) for person in chunk])
            writes += len(chunk)
            progress.advance(len(chunk))
        changed = {p.hsa_id for kind in (d.returned, d.renamed, d.moved, d.left) for p in kind}
        employees = Employee.objects.in_bulk(changed, field_name="hsa_id")
        progress.phase("Uppdaterar medarbetarna", total=len(changed))
        for returned in d.returned:
            writes += int(acts.person_returned(employees[returned.hsa_id]))
        for renamed in d.renamed:
            writes += int(acts.person_renamed(employees[renamed.hsa_id], renamed.first_name, renamed.last_name))
        for moved in counted(d.moved, progress):
            writes += 1 + acts.person_moved(employees[moved.hsa_id], forvaltningar[moved.to_forvaltning])
        for left in counted(d.left, progress):
            leaving = acts.person_left(employees[left.hsa_id], str(acts.LEFT_REASONS[left.because]))
            writes += 1 + leaving.orders_cancelled + leaving.assignments_ended + leaving.station_rights_ended
        holders = {r.person_hsa_id for r in d.ended} | {r.person_hsa_id for r in d.appointed}
        users = User.objects.filter(employee__hsa_id__in=holders)
        logins = {user.employee.hsa_id: user for user in users.select_related("employee")}
        appointed_reason, ended_reason = (
            (str(acts.APPOINTED_FROM_FILE_REASON), str(acts.ROLE_ENDED_FROM_FILE_REASON))
            if plan.roles_from_file
            else (str(acts.APPOINTED_REASON), str(acts.ROLE_ENDED_REASON))
        )
        for ended in d.ended:
            user, forvaltning = logins[ended.person_hsa_id], forvaltningar[ended.forvaltning]
            writes += int(acts.end_contact_person(user, forvaltning, ended_reason))
        for appointed in d.appointed:
            user, forvaltning = logins[appointed.person_hsa_id], forvaltningar[appointed.forvaltning]
            acts.appoint_contact_person(user, forvaltning, appointed.role, appointed_reason)
            writes += 1
        return writes


class _Reading:
    """The directory's entries as they stream past, counting them and keeping the
    förvaltningar's names (a few hundred) by their key."""

    def __init__(self, entries: Iterable[DirectoryEntry]) -> None:
        self.entries = entries
        self.rows = 0
        self.forvaltningar: dict[str, str] = {}

    def __iter__(self) -> Iterator[DirectoryEntry]:
        for entry in self.entries:
            self.rows += 1
            if isinstance(entry, DirectoryUnit) and entry.is_forvaltning:
                key = entry.code or entry.hsa_id
                if len(key) > Forvaltning._meta.get_field("code").max_length:  # type: ignore[operator]
                    raise BrokenDirectoryExport(f"förvaltningens kod {key!r} är för lång", entry.where)
                self.forvaltningar[key] = entry.name
            yield entry


def _current_people() -> tuple[dict[str, CurrentPerson], set[str]]:
    """Every employee not pseudonymised, as the diff sees them, and the HSA-ids of those with a login."""
    rows = (
        Employee.objects.filter(pseudonymised_at__isnull=True)
        .values_list("hsa_id", "first_name", "last_name", "personnummer", "forvaltning__code", "left_at", "user_id")
        .iterator(chunk_size=5000)
    )
    people: dict[str, CurrentPerson] = {}
    with_login: set[str] = set()
    for hsa_id, first, last, personnummer, forvaltning, left_at, user_id in rows:
        people[hsa_id] = CurrentPerson(hsa_id, first, last, personnummer, forvaltning, active=left_at is None)
        if user_id is not None:
            with_login.add(hsa_id)
    return people, with_login


def _current_roles() -> list[CurrentRole]:
    """The assignments not ended of people the directory has (an administrator without an
    Employee record is no person of the directory's)."""
    rows = (
        ContactPersonAssignment.objects.not_ended()
        .filter(user__employee__isnull=False)
        .values_list("forvaltning__code", "user__employee__hsa_id", "role")
    )
    return [CurrentRole(forvaltning, hsa_id, role) for forvaltning, hsa_id, role in rows]


def _check_personnummer(started: list[PersonStarted]) -> None:
    for person in started:
        try:
            validate_personnummer(person.personnummer)
        except ValidationError:
            raise BrokenDirectoryExport(
                f"personnumret för {person.hsa_id} är ogiltigt (kontrollsiffran stämmer inte)"
            ) from None


def _new_employee(person: PersonStarted, forvaltningar: dict[str, Forvaltning]) -> NewEmployee:
    return NewEmployee(
        hsa_id=person.hsa_id,
        first_name=person.first_name,
        last_name=person.last_name,
        personnummer=person.personnummer,
        forvaltning_id=forvaltningar[person.forvaltning].pk,
        email=person.email,
        username=person.username,
    )
