"""The directory port: the region's HSA directory (in Region Skåne, Skånekatalogen).

It gives the units, the people and the roles (kontaktperson, ersättare) on units, streamed:
every unit comes before anything that names it, and a unit's parent before the unit. The
embedded default (registers.directory_file.FileDirectory) reads a JSON Lines export; the
real backend (registers.directory_ldap.LdapDirectory) reads the directory over LDAP. The
backend is named in RSPORTAL_DIRECTORY. Format and settings: docs/registers.md.

A förvaltning is a unit with no parent unit; every unit belongs to the förvaltning at the
top of its chain.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class RoleKind(StrEnum):
    # The values of organisation.models.ContactPersonAssignment.Role.
    CONTACT_PERSON = "kontaktperson"
    SUBSTITUTE = "ersattare"


@dataclass(frozen=True)
class DirectoryUnit:
    hsa_id: str
    name: str
    parent_hsa_id: str | None  # None: the unit is a förvaltning
    forvaltning_hsa_id: str  # the unit at the top of its chain (its own HSA-id for a förvaltning)
    code: str = ""  # a förvaltning's short code (Forvaltning.code), where the directory has one
    where: str = field(default="", compare=False)  # the line or entry it was read from

    @property
    def is_forvaltning(self) -> bool:
        return self.parent_hsa_id is None


@dataclass(frozen=True)
class DirectoryPerson:
    hsa_id: str
    given_name: str
    surname: str
    personnummer: str  # 12 digits
    unit_hsa_id: str
    active: bool = True
    email: str = ""
    username: str = ""  # the login name, where the directory has one
    where: str = field(default="", compare=False)


@dataclass(frozen=True)
class DirectoryRole:
    """A person's role on a unit; on a förvaltning it makes them its kontaktperson or ersättare."""

    unit_hsa_id: str
    role: RoleKind
    person_hsa_id: str
    where: str = field(default="", compare=False)


DirectoryEntry = DirectoryUnit | DirectoryPerson | DirectoryRole


class DirectoryError(Exception):
    """The directory could not be read whole; nothing of what was read may be applied.
    `where` names the line or the entry (DN) at fault, where it is known."""

    def __init__(self, problem: str, where: str = "") -> None:
        super().__init__(f"{where}: {problem}" if where else problem)
        self.problem = problem
        self.where = where


class BrokenDirectoryExport(DirectoryError):
    """What the directory gave is wrong: a broken line, a missing field, a truncated file."""


class DirectoryUnavailable(DirectoryError):
    """The directory could not be reached, or stopped answering halfway."""


class Directory(Protocol):
    def entries(self) -> Iterator[DirectoryEntry]:
        """Every unit, person and role, streamed; raises DirectoryError (naming the line or
        entry) when the directory cannot be read whole."""
        ...


def get_directory() -> Directory:
    directory: Directory = import_string(settings.DIRECTORY_BACKEND)()
    return directory


def twelve_digits(personnummer: str) -> str | None:
    """The 12-digit form of YYYYMMDDNNNN or YYYYMMDD-NNNN, or None. The check digit is the
    sync's to check (organisation.identity), as for a number typed in."""
    digits = personnummer.replace("-", "", 1) if len(personnummer) == 13 and personnummer[8] == "-" else personnummer
    return digits if len(digits) == 12 and digits.isascii() and digits.isdigit() else None
