"""Contact persons and ersättare from a CSV file, for a directory that has no roles: read
line by line, pure, no Django.

When RSPORTAL_CONTACT_PERSONS_FILE names the file, the directory sync takes the roles from
it instead of from the directory (format: docs/registers.md). UTF-8, a header line, one
role a line, separated by semicolons or commas (the header says which):

    forvaltning;hsa_id;roll
    sus;SE2321000289-K004;kontaktperson

- forvaltning: the förvaltning as RS-portal knows it (Forvaltning.code: the directory
  unit's code, or its HSA-id where it has none), or the förvaltning unit's HSA-id.
- hsa_id: the person's HSA-id.
- roll: kontaktperson or ersattare.

Anything else is a broken file (BrokenDirectoryExport, naming the line), and the
directory's run fails whole, as for a broken directory export.
"""

import csv
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .directory import (
    BrokenDirectoryExport,
    DirectoryEntry,
    DirectoryRole,
    DirectoryUnavailable,
    DirectoryUnit,
    RoleKind,
)

HEADER = ("forvaltning", "hsa_id", "roll")
ROLES = {"kontaktperson": RoleKind.CONTACT_PERSON, "ersattare": RoleKind.SUBSTITUTE, "ersättare": RoleKind.SUBSTITUTE}


@dataclass(frozen=True)
class ContactPersonRow:
    forvaltning: str  # the förvaltning's key or its unit's HSA-id
    person_hsa_id: str
    role: RoleKind
    where: str


def where(line: int) -> str:
    return f"kontaktpersonsfilen rad {line}"


def contact_person_file(path: str | os.PathLike[str]) -> Iterator[ContactPersonRow]:
    """The rows of the file at `path`, read as they are consumed."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            yield from read_contact_person_export(f)
    except UnicodeDecodeError:
        raise BrokenDirectoryExport("kontaktpersonsfilen är inte UTF-8", str(path)) from None
    except OSError as exc:
        raise DirectoryUnavailable(f"kontaktpersonsfilen {path}: {exc.strerror}") from exc


def read_contact_person_export(lines: Iterable[str]) -> Iterator[ContactPersonRow]:
    """The file's roles, one at a time, as `lines` (an open file) are read."""
    lines = iter(lines)
    first = next(lines, "")
    if not first.strip():
        raise BrokenDirectoryExport("filen är tom (ingen rubrikrad)", where(1))
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    header = tuple(column.strip().lower() for column in next(csv.reader([first], delimiter=delimiter)))
    if header != HEADER:
        raise BrokenDirectoryExport(f"fel rubrikrad: {';'.join(header)} (väntade {';'.join(HEADER)})", where(1))
    reader = csv.reader(_ended_lines(lines), delimiter=delimiter, strict=True)
    first_line: dict[tuple[str, str], int] = {}  # (förvaltning, person) → the line naming them
    try:
        for fields in reader:
            line = reader.line_num + 1
            if not fields or fields == [""]:
                continue
            row = _row(line, fields)
            key = (row.forvaltning, row.person_hsa_id)
            if key in first_line:
                raise BrokenDirectoryExport(
                    f"{row.person_hsa_id} på {row.forvaltning} finns redan på rad {first_line[key]}"
                    " (en person har en roll per förvaltning)",
                    row.where,
                )
            first_line[key] = line
            yield row
    except csv.Error as exc:
        raise BrokenDirectoryExport(f"trasig rad ({exc})", where(reader.line_num + 1)) from None
    if not first_line:
        # An empty file would end every contact person in the region.
        raise BrokenDirectoryExport("filen har inga kontaktpersoner", where(2))


def _ended_lines(lines: Iterator[str]) -> Iterator[str]:
    """The lines, refusing a last line without its line end: a file cut off in the middle."""
    number = 1
    for text in lines:
        number += 1
        if not text.endswith("\n"):
            raise BrokenDirectoryExport("sista raden saknar radslut: filen är avkortad", where(number))
        yield text


def _row(line: int, fields: list[str]) -> ContactPersonRow:
    if len(fields) != len(HEADER):
        raise BrokenDirectoryExport(f"{len(fields)} kolumner, väntade {len(HEADER)}", where(line))
    forvaltning, person, role = (value.strip() for value in fields)
    for column, value in zip(HEADER, (forvaltning, person, role), strict=True):
        if not value:
            raise BrokenDirectoryExport(f"{column} är tom", where(line))
    if role.lower() not in ROLES:
        raise BrokenDirectoryExport(f"okänd roll: {role!r} (väntade kontaktperson eller ersattare)", where(line))
    return ContactPersonRow(forvaltning, person, ROLES[role.lower()], where(line))


def with_roles_from(entries: Iterable[DirectoryEntry], rows: Iterable[ContactPersonRow]) -> Iterator[DirectoryEntry]:
    """The directory's `entries` with its own roles left out, then the file's `rows` as
    roles on the förvaltningar the directory has; a row naming another is a broken line."""
    unit_of: dict[str, str] = {}  # a förvaltning's key, and its HSA-id → its unit's HSA-id
    for entry in entries:
        if isinstance(entry, DirectoryRole):
            continue
        if isinstance(entry, DirectoryUnit) and entry.is_forvaltning:
            unit_of[entry.hsa_id] = unit_of[entry.code or entry.hsa_id] = entry.hsa_id
        yield entry
    for row in rows:
        if row.forvaltning not in unit_of:
            raise BrokenDirectoryExport(f"förvaltningen {row.forvaltning} finns inte i HSA-katalogen", row.where)
        yield DirectoryRole(unit_of[row.forvaltning], row.role, row.person_hsa_id, where=row.where)
