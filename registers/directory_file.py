"""The directory's embedded default: a JSON Lines export, read line by line.

One JSON object a line, in UTF-8, each with a "kind": "unit", "person" or "role", and
last an "end" line with the counts (format and an example: docs/registers.md):

    {"kind": "unit", "hsa_id": "SE2321000289-F001", "name": "Primärvård Skåne", "parent": null}
    {"kind": "role", "unit": "SE2321000289-F001", "role": "kontaktperson", "person": "SE2321000289-K005"}
    {"kind": "end", "units": 1, "people": 0, "roles": 1}

A unit comes before the units, people and roles that name it. The "end" line tells a file
cut off between two lines from a whole one. Anything else is a broken export
(BrokenDirectoryExport, naming the line). read_directory_export is pure, and only the
units (a few hundred) are held while the people stream past.
"""

import json
import os
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings

from .directory import (
    BrokenDirectoryExport,
    DirectoryEntry,
    DirectoryPerson,
    DirectoryRole,
    DirectoryUnavailable,
    DirectoryUnit,
    RoleKind,
    twelve_digits,
)

FIELDS = {
    "unit": ({"hsa_id", "name"}, {"parent", "code"}),
    "person": ({"hsa_id", "given_name", "surname", "personnummer", "unit"}, {"active", "email", "username"}),
    "role": ({"unit", "role", "person"}, set()),
    "end": ({"units", "people", "roles"}, set()),
}


class FileDirectory:
    """Reads the export named by RSPORTAL_DIRECTORY_FILE."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = path or settings.DIRECTORY_FILE

    def entries(self) -> Iterator[DirectoryEntry]:
        try:
            with open(self.path, encoding="utf-8") as f:
                yield from read_directory_export(f)
        except UnicodeDecodeError:
            raise BrokenDirectoryExport("filen är inte UTF-8", str(self.path)) from None
        except OSError as exc:
            raise DirectoryUnavailable(f"{self.path}: {exc.strerror}") from exc


def read_directory_export(lines: Iterable[str]) -> Iterator[DirectoryEntry]:
    """The export's entries, one at a time, as `lines` (an open file) are read."""
    forvaltning_of: dict[str, str] = {}  # unit HSA-id → its förvaltning's HSA-id
    counts = {"units": 0, "people": 0, "roles": 0}
    ended = False
    number = 0
    for number, text in enumerate(lines, start=1):
        where = f"rad {number}"
        if not text.endswith("\n"):
            raise BrokenDirectoryExport("sista raden saknar radslut: exporten är avkortad", where)
        if not text.strip():
            continue
        if ended:
            raise BrokenDirectoryExport("rader efter slutraden", where)
        record = _record(text, where)
        kind = record["kind"]
        if kind == "unit":
            unit = _unit(record, forvaltning_of, where)
            forvaltning_of[unit.hsa_id] = unit.forvaltning_hsa_id
            counts["units"] += 1
            yield unit
        elif kind == "person":
            counts["people"] += 1
            yield _person(record, forvaltning_of, where)
        elif kind == "role":
            counts["roles"] += 1
            yield _role(record, forvaltning_of, where)
        else:
            _check_counts(record, counts, where)
            ended = True
    if not ended:
        raise BrokenDirectoryExport('slutraden {"kind": "end", …} saknas: exporten är avkortad', f"rad {number + 1}")


def _record(text: str, where: str) -> dict[str, Any]:
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise BrokenDirectoryExport(f"inte ett JSON-objekt ({exc})", where) from None
    if not isinstance(record, dict):
        raise BrokenDirectoryExport("inte ett JSON-objekt", where)
    kind = record.pop("kind", None)
    if kind not in FIELDS:
        raise BrokenDirectoryExport(f"okänd kind: {kind!r} (väntade unit, person, role eller end)", where)
    required, optional = FIELDS[kind]
    if missing := sorted(required - record.keys()):
        raise BrokenDirectoryExport(f"{kind} saknar {', '.join(missing)}", where)
    if unknown := sorted(record.keys() - required - optional):
        raise BrokenDirectoryExport(f"{kind} har okända fält: {', '.join(unknown)}", where)
    record["kind"] = kind
    return record


def _text(record: dict[str, Any], key: str, where: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BrokenDirectoryExport(f"{key} ska vara en text som inte är tom, inte {value!r}", where)
    return value.strip()


def _known_unit(record: dict[str, Any], key: str, forvaltning_of: dict[str, str], where: str) -> str:
    hsa_id = _text(record, key, where)
    if hsa_id not in forvaltning_of:
        raise BrokenDirectoryExport(f"enheten {hsa_id} finns inte på någon rad ovanför", where)
    return hsa_id


def _unit(record: dict[str, Any], forvaltning_of: dict[str, str], where: str) -> DirectoryUnit:
    hsa_id = _text(record, "hsa_id", where)
    if hsa_id in forvaltning_of:
        raise BrokenDirectoryExport(f"enheten {hsa_id} finns redan på en rad ovanför", where)
    parent = _known_unit(record, "parent", forvaltning_of, where) if record.get("parent") is not None else None
    code = _text(record, "code", where) if record.get("code") is not None else ""
    return DirectoryUnit(
        hsa_id=hsa_id,
        name=_text(record, "name", where),
        parent_hsa_id=parent,
        forvaltning_hsa_id=forvaltning_of[parent] if parent else hsa_id,
        code=code,
        where=where,
    )


def _person(record: dict[str, Any], forvaltning_of: dict[str, str], where: str) -> DirectoryPerson:
    personnummer = twelve_digits(_text(record, "personnummer", where))
    if personnummer is None:
        raise BrokenDirectoryExport(f"ogiltigt personnummer: {record['personnummer']!r}", where)
    active = record.get("active", True)
    if not isinstance(active, bool):
        raise BrokenDirectoryExport(f"active ska vara true eller false, inte {active!r}", where)
    return DirectoryPerson(
        hsa_id=_text(record, "hsa_id", where),
        given_name=_text(record, "given_name", where),
        surname=_text(record, "surname", where),
        personnummer=personnummer,
        unit_hsa_id=_known_unit(record, "unit", forvaltning_of, where),
        active=active,
        email=_text(record, "email", where) if record.get("email") is not None else "",
        username=_text(record, "username", where) if record.get("username") is not None else "",
        where=where,
    )


def _role(record: dict[str, Any], forvaltning_of: dict[str, str], where: str) -> DirectoryRole:
    try:
        role = RoleKind(record["role"])
    except ValueError:
        raise BrokenDirectoryExport(
            f"okänd roll: {record['role']!r} (väntade kontaktperson eller ersattare)", where
        ) from None
    return DirectoryRole(
        unit_hsa_id=_known_unit(record, "unit", forvaltning_of, where),
        role=role,
        person_hsa_id=_text(record, "person", where),
        where=where,
    )


def _check_counts(record: dict[str, Any], counts: dict[str, int], where: str) -> None:
    for key, read in counts.items():
        if record[key] != read:
            raise BrokenDirectoryExport(f"slutraden säger {record[key]!r} {key}, exporten har {read}", where)
