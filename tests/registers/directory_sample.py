"""A directory of the tests' own, given to both backends: as a JSON Lines export
(as_jsonl) and, through tests/slapd.py, as LDIF for slapd."""

import json
from collections.abc import Iterable

from registers.directory import DirectoryEntry, DirectoryPerson, DirectoryRole, DirectoryUnit, RoleKind

P = "SE2321000289-"


def sample_directory(people: int = 12) -> list[DirectoryEntry]:
    """Two förvaltningar, one with units three levels deep; `people` people spread over the
    units, the last of them no longer active; a kontaktperson and two ersättare."""
    units = [
        DirectoryUnit(P + "F1", "Skånes universitetssjukvård", None, P + "F1", code="sus"),
        DirectoryUnit(P + "F2", "Primärvård Skåne", None, P + "F2", code="primarvard"),
        DirectoryUnit(P + "E11", "Verksamhetsområde akut", P + "F1", P + "F1"),
        DirectoryUnit(P + "E111", "Akutmottagningen Lund", P + "E11", P + "F1"),
        DirectoryUnit(P + "E21", "Vårdcentralen Åhus", P + "F2", P + "F2"),
    ]
    people_list = [
        DirectoryPerson(
            hsa_id=f"{P}T{n:04d}",
            given_name=["Åsa", "Örjan", "Li", "Per-Erik"][n % 4],
            surname=f"Testsson{n}",
            personnummer=f"19800101{n:04d}",
            unit_hsa_id=units[n % len(units)].hsa_id,
            active=n != people - 1,
            email=f"t{n}@demo.skane.se" if n % 2 else "",
            username=f"t{n}" if n % 3 else "",
        )
        for n in range(people)
    ]
    roles = [
        DirectoryRole(P + "F1", RoleKind.CONTACT_PERSON, f"{P}T0000"),
        DirectoryRole(P + "F1", RoleKind.SUBSTITUTE, f"{P}T0001"),
        DirectoryRole(P + "F2", RoleKind.SUBSTITUTE, f"{P}T0000"),
    ]
    return [*units, *people_list, *roles]


def as_jsonl(entries: Iterable[DirectoryEntry]) -> str:
    lines, counts = [], {"units": 0, "people": 0, "roles": 0}
    for entry in entries:
        if isinstance(entry, DirectoryUnit):
            counts["units"] += 1
            record = {"kind": "unit", "hsa_id": entry.hsa_id, "name": entry.name, "parent": entry.parent_hsa_id}
            if entry.code:
                record["code"] = entry.code
        elif isinstance(entry, DirectoryPerson):
            counts["people"] += 1
            record = {
                "kind": "person",
                "hsa_id": entry.hsa_id,
                "given_name": entry.given_name,
                "surname": entry.surname,
                "personnummer": entry.personnummer,
                "unit": entry.unit_hsa_id,
                "active": entry.active,
            }
            record |= {key: value for key, value in (("email", entry.email), ("username", entry.username)) if value}
        else:
            counts["roles"] += 1
            record = {"kind": "role", "unit": entry.unit_hsa_id, "role": str(entry.role), "person": entry.person_hsa_id}
        lines.append(json.dumps(record, ensure_ascii=False))
    lines.append(json.dumps({"kind": "end", **counts}))
    return "".join(line + "\n" for line in lines)
