"""The directory over LDAP (ldap3): the HSA directory, or any region directory that speaks it.

Settings in DIRECTORY_LDAP (RSPORTAL_DIRECTORY_LDAP_*, docs/registers.md). The units under
each base DN (not the base entry itself) are read first and held, a few hundred of them:
a unit's parent and förvaltning follow from the tree, and so does a person's unit. The
people are then streamed with paged searches, one page in memory at a time. Any LDAP error
halfway raises DirectoryUnavailable naming the last entry read, so nothing half-read is used.
"""

import ssl
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from ldap3 import NONE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.dn import parse_dn

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

DnKey = tuple[str, ...]  # a DN's RDNs, normalised for comparison, the entry's own first
Attributes = dict[str, list[str]]  # lower-cased attribute name → values


@dataclass
class _UnitEntry:
    dn: str
    key: DnKey
    hsa_id: str
    name: str
    code: str
    roles: list[tuple[RoleKind, str]]


class LdapDirectory:
    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        self.config = {**settings.DIRECTORY_LDAP, **(config or {})}

    def entries(self) -> Iterator[DirectoryEntry]:
        if not self.config["BASE_DNS"]:
            raise DirectoryUnavailable("ingen bas-DN angiven (RSPORTAL_DIRECTORY_LDAP_BASE_DNS)")
        connection = self._connect()
        try:
            units = self._units(connection)
            by_key = {unit.key: unit for unit in units}
            tree = [self._directory_unit(unit, by_key) for unit in units]
            parents = {unit.hsa_id: unit.parent_hsa_id for unit in tree}
            yield from sorted(tree, key=lambda unit: (_depth(unit.hsa_id, parents), unit.hsa_id))
            for unit in units:
                for role, person in unit.roles:
                    yield DirectoryRole(unit.hsa_id, role, person, where=f"posten {unit.dn}")
            yield from self._people(connection, by_key)
        finally:
            with suppress(LDAPException):  # the server has gone already: the error that matters is raised
                connection.unbind()

    def _connect(self) -> Connection:
        url = self.config["URL"]
        tls = None
        if url.lower().startswith("ldaps:") or self.config["START_TLS"]:
            tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=self.config["CA_FILE"] or None)
        timeout = self.config["TIMEOUT_SECONDS"]
        server = Server(url, get_info=NONE, connect_timeout=timeout, tls=tls)
        connection = Connection(
            server,
            user=self.config["BIND_DN"] or None,
            password=self.config["BIND_PASSWORD"] or None,
            read_only=True,
            raise_exceptions=True,
            receive_timeout=timeout,
        )
        try:
            connection.open()
            if self.config["START_TLS"]:
                connection.start_tls()
            connection.bind()
        except LDAPException as exc:
            raise DirectoryUnavailable(f"kunde inte ansluta och logga in: {exc}", url) from exc
        return connection

    def _search(
        self, connection: Connection, base: str, search: str, names: list[str]
    ) -> Iterator[tuple[str, Attributes]]:
        """The entries below `base` (not `base` itself) matching `search`, a page at a time."""
        base_key = _dn_key(base)
        last = ""
        pages = connection.extend.standard.paged_search(
            base,
            search,
            search_scope=SUBTREE,
            attributes=[name for name in names if name],
            paged_size=self.config["PAGE_SIZE"],
            paged_criticality=True,  # a server without paging would send everything at once
            generator=True,
        )
        try:
            for response in pages:
                if response.get("type") != "searchResEntry":
                    continue  # a referral
                dn = response["dn"]
                if _dn_key(dn) != base_key:
                    yield dn, _decoded(dn, response["raw_attributes"])
                last = dn
        except LDAPException as exc:
            raise DirectoryUnavailable(f"LDAP-fel mitt i läsningen: {exc}", _after(last, base)) from exc
        # ldap3 does not raise for a size or time limit, nor for a referral: the search
        # just ends early, and only its result says so.
        result = connection.result or {}
        if result.get("result") != 0:
            problem = f"LDAP-fel mitt i läsningen: {result.get('description')} {result.get('message') or ''}".strip()
            raise DirectoryUnavailable(problem, _after(last, base))

    def _units(self, connection: Connection) -> list[_UnitEntry]:
        c = self.config
        roles = [
            (RoleKind.CONTACT_PERSON, c["CONTACT_PERSON_ATTRIBUTE"]),
            (RoleKind.SUBSTITUTE, c["SUBSTITUTE_ATTRIBUTE"]),
        ]
        names = [c["HSA_ID_ATTRIBUTE"], *c["UNIT_NAME_ATTRIBUTES"], c["UNIT_CODE_ATTRIBUTE"], *(a for _, a in roles)]
        units: list[_UnitEntry] = []
        seen: set[str] = set()
        for base in c["BASE_DNS"]:
            for dn, attributes in self._search(connection, base, c["UNIT_FILTER"], names):
                where = f"posten {dn}"
                hsa_id = _one(attributes, c["HSA_ID_ATTRIBUTE"], where)
                if hsa_id in seen:
                    raise BrokenDirectoryExport(f"HSA-id {hsa_id} finns redan på en annan enhet", where)
                seen.add(hsa_id)
                name = next(
                    (attributes[a.lower()][0] for a in c["UNIT_NAME_ATTRIBUTES"] if attributes.get(a.lower())), ""
                )
                if not name:
                    raise BrokenDirectoryExport(f"enheten saknar namn ({', '.join(c['UNIT_NAME_ATTRIBUTES'])})", where)
                code = _optional(attributes, c["UNIT_CODE_ATTRIBUTE"])
                held = [(kind, person.strip()) for kind, a in roles for person in sorted(attributes.get(a.lower(), []))]
                units.append(_UnitEntry(dn, _dn_key(dn), hsa_id, name, code, held))
        return units

    def _directory_unit(self, unit: _UnitEntry, by_key: dict[DnKey, _UnitEntry]) -> DirectoryUnit:
        parent = _unit_above(unit.key, by_key)
        top = unit
        while (above := _unit_above(top.key, by_key)) is not None:
            top = above
        return DirectoryUnit(
            hsa_id=unit.hsa_id,
            name=unit.name,
            parent_hsa_id=parent.hsa_id if parent else None,
            forvaltning_hsa_id=top.hsa_id,
            code=unit.code,
            where=f"posten {unit.dn}",
        )

    def _people(self, connection: Connection, units: dict[DnKey, _UnitEntry]) -> Iterator[DirectoryPerson]:
        c = self.config
        unit_ids = {unit.hsa_id for unit in units.values()}
        names = [
            c["HSA_ID_ATTRIBUTE"],
            c["GIVEN_NAME_ATTRIBUTE"],
            c["SURNAME_ATTRIBUTE"],
            c["PERSONNUMMER_ATTRIBUTE"],
            c["EMAIL_ATTRIBUTE"],
            c["USERNAME_ATTRIBUTE"],
            c["PERSON_UNIT_ATTRIBUTE"],
            c["ACTIVE_ATTRIBUTE"],
        ]
        for base in c["BASE_DNS"]:
            for dn, attributes in self._search(connection, base, c["PERSON_FILTER"], names):
                where = f"posten {dn}"
                personnummer = _one(attributes, c["PERSONNUMMER_ATTRIBUTE"], where)
                if twelve_digits(personnummer) is None:
                    raise BrokenDirectoryExport(f"ogiltigt personnummer: {personnummer!r}", where)
                yield DirectoryPerson(
                    hsa_id=_one(attributes, c["HSA_ID_ATTRIBUTE"], where),
                    given_name=_one(attributes, c["GIVEN_NAME_ATTRIBUTE"], where),
                    surname=_one(attributes, c["SURNAME_ATTRIBUTE"], where),
                    personnummer=twelve_digits(personnummer) or "",
                    unit_hsa_id=self._person_unit(dn, attributes, units, unit_ids),
                    active=_optional(attributes, c["ACTIVE_ATTRIBUTE"]).upper() not in ("FALSE", "0", "NEJ"),
                    email=_optional(attributes, c["EMAIL_ATTRIBUTE"]),
                    username=_optional(attributes, c["USERNAME_ATTRIBUTE"]),
                    where=where,
                )

    def _person_unit(self, dn: str, attributes: Attributes, units: dict[DnKey, _UnitEntry], unit_ids: set[str]) -> str:
        where = f"posten {dn}"
        name = self.config["PERSON_UNIT_ATTRIBUTE"]
        if not name:
            unit = _unit_above(_dn_key(dn), units)
            if unit is None:
                raise BrokenDirectoryExport("personen står inte under någon enhet", where)
            return unit.hsa_id
        value = _one(attributes, name, where)
        if "=" in value:  # the unit's DN
            unit = units.get(_dn_key(value))
            if unit is None:
                raise BrokenDirectoryExport(f"{name}: ingen enhet har DN {value}", where)
            return unit.hsa_id
        if value not in unit_ids:
            raise BrokenDirectoryExport(f"{name}: ingen enhet har HSA-id {value}", where)
        return value


def _after(last_dn: str, base: str) -> str:
    return f"efter posten {last_dn}" if last_dn else f"sökningen under {base}"


def _dn_key(dn: str) -> DnKey:
    """The DN's RDNs, lower-cased, so that two spellings of one DN compare equal."""
    rdns: list[str] = []
    current: list[str] = []
    for attribute, value, separator in parse_dn(dn):
        current.append(f"{attribute.strip().lower()}={value.strip().lower()}")
        if separator != "+":
            rdns.append("+".join(sorted(current)))
            current = []
    return tuple(rdns)


def _unit_above(key: DnKey, units: Mapping[DnKey, _UnitEntry]) -> _UnitEntry | None:
    for start in range(1, len(key)):
        if (unit := units.get(key[start:])) is not None:
            return unit
    return None


def _depth(hsa_id: str, parents: Mapping[str, str | None]) -> int:
    depth, current = 0, parents[hsa_id]
    while current is not None:
        depth, current = depth + 1, parents[current]
    return depth


def _decoded(dn: str, raw: Mapping[str, list[bytes]]) -> Attributes:
    try:
        return {name.lower(): [value.decode("utf-8") for value in values] for name, values in raw.items()}
    except UnicodeDecodeError:
        raise BrokenDirectoryExport("ett värde är inte UTF-8", f"posten {dn}") from None


def _one(attributes: Attributes, name: str, where: str) -> str:
    value = _optional(attributes, name)
    if not value:
        raise BrokenDirectoryExport(f"saknar {name}", where)
    return value


def _optional(attributes: Attributes, name: str) -> str:
    values = attributes.get(name.lower()) if name else None
    return values[0].strip() if values else ""
