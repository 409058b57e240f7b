"""The demo IdP's people: a JSON Lines file, one person a line, read again on every login."""

import hmac
import json
from dataclasses import dataclass
from pathlib import Path

# The demo's own directory export: its persons with a username log in with DEFAULT_PASSWORD.
DEFAULT_PEOPLE_FILE = Path(__file__).resolve().parent.parent / "demo" / "directory.jsonl"
DEFAULT_PASSWORD = "rs-demo-2026"


@dataclass(frozen=True)
class Person:
    username: str
    password: str
    hsa_id: str
    personnummer: str
    given_name: str
    surname: str
    email: str


def load_people(path: str | Path | None = None) -> dict[str, Person]:
    """The people by username. Lines of another kind than "person" (a directory's units) and lines
    without a username are passed over; a line without a password gets DEFAULT_PASSWORD."""
    people: dict[str, Person] = {}
    for line in Path(path or DEFAULT_PEOPLE_FILE).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("kind", "person") != "person" or not row.get("username"):
            continue
        people[row["username"]] = Person(
            username=row["username"],
            password=row.get("password") or DEFAULT_PASSWORD,
            hsa_id=row.get("hsa_id") or "",
            personnummer=row.get("personnummer") or "",
            given_name=row.get("given_name") or "",
            surname=row.get("surname") or "",
            email=row.get("email") or "",
        )
    return people


def check_password(people: dict[str, Person], username: str, password: str) -> Person | None:
    """The person when the password is theirs, else None (compared in constant time)."""
    person = people.get(username)
    if person is None:
        hmac.compare_digest(password.encode(), password.encode())  # about the same time for an unknown name
        return None
    return person if hmac.compare_digest(person.password.encode(), password.encode()) else None
