"""The population register (folkbokföringen) port.

The letter address is always looked up here, never typed. The embedded default reads a
local register file (JSON, keyed by the 12-digit personnummer); a real backend (e.g. a
Navet or SPAR client) implements the same `lookup` and is named in
RSPORTAL_POPULATION_REGISTER.
"""

import json
import os
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


class AddressStatus(models.TextChoices):
    REGISTERED = "registered", _("Folkbokföringsadress finns")
    # skyddade personuppgifter: the address may not be seen or stored
    PROTECTED = "protected", _("Skyddade personuppgifter")
    # no Swedish registered address (e.g. a samordningsnummer)
    MISSING = "missing", _("Saknar folkbokföringsadress")


@dataclass(frozen=True)
class PostalAddress:
    name: str
    street: str
    postal_code: str
    town: str
    care_of: str = ""


@dataclass(frozen=True)
class RegisterAnswer:
    status: AddressStatus
    address: PostalAddress | None = None  # only for REGISTERED
    registered_since: date | None = None  # a fresh address change is a known fraud pattern


class RegisterUnavailable(Exception):
    """The register did not answer; the caller must not guess an address."""


class PopulationRegister(Protocol):
    def lookup(self, personnummer: str) -> RegisterAnswer: ...


class FileRegister:
    """Reads the register file named by POPULATION_REGISTER_FILE."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = path or settings.POPULATION_REGISTER_FILE

    def lookup(self, personnummer: str) -> RegisterAnswer:
        try:
            stat = os.stat(self.path)
            entries = _read_register_file(str(self.path), stat.st_mtime_ns, stat.st_size)
        except (OSError, ValueError) as exc:
            raise RegisterUnavailable(str(self.path)) from exc
        entry = entries.get(personnummer)
        if entry is None:
            return RegisterAnswer(AddressStatus.MISSING)
        status = AddressStatus(entry["status"])
        if status is not AddressStatus.REGISTERED:
            return RegisterAnswer(status)
        return RegisterAnswer(
            status,
            PostalAddress(
                name=entry["name"],
                street=entry["street"],
                postal_code=entry["postal_code"],
                town=entry["town"],
                care_of=entry.get("care_of", ""),
            ),
            _registered_since(entry),
        )


def _registered_since(entry: dict[str, Any]) -> date | None:
    # The demo file may give the date relative to today, so its "just moved" stays recent.
    if "registered_days_ago" in entry:
        return timezone.localdate() - timedelta(days=entry["registered_days_ago"])
    return date.fromisoformat(entry["registered_since"]) if entry.get("registered_since") else None


@lru_cache(maxsize=4)
def _read_register_file(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    """The file's entries, read again whenever it changes (its time or size): a worker
    that runs for weeks still looks up today's addresses."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def get_population_register() -> PopulationRegister:
    return import_string(settings.POPULATION_REGISTER_BACKEND)()


def masked_address_hint(address: PostalAddress) -> str:
    """What the employee may see: the postal town and a masked street, enough to tell
    whether the register is up to date without showing the address."""
    street_name = address.street.split(" ")[0]
    masked = street_name[:1] + "*" * max(len(street_name) - 1, 0)
    return f"{masked} …, {address.town}"
