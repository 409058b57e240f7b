"""What the directory says has changed about the people and the contact persons: pure, no
database and no I/O, so the sync can show it (--dry-run) before it acts on it.

The directory's entries are streamed (registers.directory: every unit before anything that
names it); only the units (a few hundred) and the HSA-ids seen are held, never the people.

A förvaltning is named by its key: its short code (Forvaltning.code) where the directory
has one, otherwise its HSA-id. The sync maps the key to a Forvaltning.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .directory import DirectoryEntry, DirectoryPerson, DirectoryRole, DirectoryUnit


@dataclass(frozen=True)
class CurrentPerson:
    """An employee as RS-portal has them now."""

    hsa_id: str
    first_name: str
    last_name: str
    personnummer: str
    forvaltning: str  # its key
    active: bool  # may log in (or, without a login, has not left)


@dataclass(frozen=True)
class CurrentRole:
    """A contact-person assignment not yet ended."""

    forvaltning: str
    person_hsa_id: str
    role: str  # ContactPersonAssignment.Role


class LeftBecause(StrEnum):
    GONE = "gone"  # no longer in the directory
    INACTIVE = "inactive"  # in the directory, marked inactive


@dataclass(frozen=True)
class PersonStarted:
    hsa_id: str
    first_name: str
    last_name: str
    personnummer: str
    forvaltning: str
    email: str = ""
    username: str = ""


@dataclass(frozen=True)
class PersonReturned:
    """Someone who had left is active in the directory again."""

    hsa_id: str
    forvaltning: str


@dataclass(frozen=True)
class PersonRenamed:
    hsa_id: str
    first_name: str
    last_name: str
    was: str  # the full name before


@dataclass(frozen=True)
class PersonMoved:
    hsa_id: str
    from_forvaltning: str
    to_forvaltning: str


@dataclass(frozen=True)
class PersonLeft:
    hsa_id: str
    because: LeftBecause


@dataclass(frozen=True)
class RoleAppointed:
    """A kontaktperson or ersättare the directory has and RS-portal has not (or has in the other role)."""

    forvaltning: str
    person_hsa_id: str
    role: str


@dataclass(frozen=True)
class RoleEnded:
    forvaltning: str
    person_hsa_id: str
    role: str


@dataclass
class DirectoryDiff:
    started: list[PersonStarted] = field(default_factory=list)
    returned: list[PersonReturned] = field(default_factory=list)
    renamed: list[PersonRenamed] = field(default_factory=list)
    moved: list[PersonMoved] = field(default_factory=list)
    left: list[PersonLeft] = field(default_factory=list)
    appointed: list[RoleAppointed] = field(default_factory=list)
    ended: list[RoleEnded] = field(default_factory=list)
    # Roles on a unit below a förvaltning: the directory may have them, RS-portal has no use for them.
    roles_ignored: int = 0

    def counts(self) -> dict[str, int]:
        return {
            kind: len(getattr(self, kind))
            for kind in ("started", "returned", "renamed", "moved", "left", "appointed", "ended")
        }

    @property
    def is_empty(self) -> bool:
        return not any(self.counts().values())


def diff_directory(
    people: Mapping[str, CurrentPerson], roles: Iterable[CurrentRole], entries: Iterable[DirectoryEntry]
) -> DirectoryDiff:
    """The changes that make RS-portal's `people` (by HSA-id) and `roles` what the
    directory's `entries` say. A person listed twice counts once (the first)."""
    diff = DirectoryDiff()
    forvaltning_of_unit: dict[str, str] = {}
    key_of_forvaltning: dict[str, str] = {}  # a förvaltning unit's HSA-id → its key
    seen: set[str] = set()
    wanted_roles: dict[tuple[str, str], str] = {}
    for entry in entries:
        if isinstance(entry, DirectoryUnit):
            if entry.is_forvaltning:
                key_of_forvaltning[entry.hsa_id] = entry.code or entry.hsa_id
            forvaltning_of_unit[entry.hsa_id] = key_of_forvaltning[entry.forvaltning_hsa_id]
        elif isinstance(entry, DirectoryPerson):
            if entry.hsa_id in seen:
                continue
            seen.add(entry.hsa_id)
            _diff_person(diff, people.get(entry.hsa_id), entry, forvaltning_of_unit[entry.unit_hsa_id])
        elif isinstance(entry, DirectoryRole):
            if entry.unit_hsa_id not in key_of_forvaltning:
                diff.roles_ignored += 1
                continue
            wanted_roles.setdefault((key_of_forvaltning[entry.unit_hsa_id], entry.person_hsa_id), str(entry.role))
    diff.left.extend(
        PersonLeft(hsa_id, LeftBecause.GONE)
        for hsa_id, person in people.items()
        if person.active and hsa_id not in seen
    )
    diff.appointed, diff.ended = diff_roles(roles, wanted_roles)
    return diff


def diff_roles(
    current: Iterable[CurrentRole], wanted: Mapping[tuple[str, str], str]
) -> tuple[list[RoleAppointed], list[RoleEnded]]:
    """The roles to appoint and to end so that the current ones are the `wanted` ones
    ({(förvaltning key, person's HSA-id): role}). One person has one role per förvaltning."""
    have = {(role.forvaltning, role.person_hsa_id): role.role for role in current}
    appointed = [
        RoleAppointed(forvaltning, person, role)
        for (forvaltning, person), role in wanted.items()
        if have.get((forvaltning, person)) != role
    ]
    ended = [
        RoleEnded(forvaltning, person, role)
        for (forvaltning, person), role in have.items()
        if (forvaltning, person) not in wanted
    ]
    return appointed, ended


def _diff_person(diff: DirectoryDiff, now: CurrentPerson | None, entry: DirectoryPerson, forvaltning: str) -> None:
    if now is None:
        if entry.active:
            diff.started.append(
                PersonStarted(
                    entry.hsa_id,
                    entry.given_name,
                    entry.surname,
                    entry.personnummer,
                    forvaltning,
                    email=entry.email,
                    username=entry.username,
                )
            )
        return
    if not entry.active:
        if now.active:
            diff.left.append(PersonLeft(entry.hsa_id, LeftBecause.INACTIVE))
        return
    if not now.active:
        diff.returned.append(PersonReturned(entry.hsa_id, forvaltning))
    if (now.first_name, now.last_name) != (entry.given_name, entry.surname):
        diff.renamed.append(
            PersonRenamed(entry.hsa_id, entry.given_name, entry.surname, was=f"{now.first_name} {now.last_name}")
        )
    if now.forvaltning != forvaltning:
        diff.moved.append(PersonMoved(entry.hsa_id, now.forvaltning, forvaltning))
