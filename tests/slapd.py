"""A private slapd (Debian's OpenLDAP) for the directory tests.

start_slapd writes a slapd.conf into a run folder (the core, cosine and inetOrgPerson
schemas plus tests/slapd/hsa.schema), loads an LDIF with slapadd, and starts slapd in the
foreground on 127.0.0.1 on a free port from 38900 up. Two reader accounts come with it:
cn=lasare,c=SE may read only 5 entries per plain search but any number through paged
results, and cn=begransad,c=SE may read only 7 entries per paged search.
Without slapd these tests skip, or fail when RSPORTAL_REQUIRE_SLAPD=1.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from ldap3.utils.dn import escape_rdn

from registers.directory import DirectoryEntry, DirectoryPerson, DirectoryRole, DirectoryUnit, RoleKind

SCHEMA = Path(__file__).resolve().parent / "slapd" / "hsa.schema"
SYSTEM_SCHEMA = Path("/etc/ldap/schema")
SUFFIX = "c=SE"
BASE_DN = "o=Region Skåne,c=SE"
ADMIN_DN, PASSWORD = "cn=admin,c=SE", "hemligt"
READER_DN, LIMITED_READER_DN = "cn=lasare,c=SE", "cn=begransad,c=SE"
PORTS = range(38900, 39000)


def _slapd() -> str | None:
    return shutil.which("slapd") or shutil.which("slapd", path="/usr/sbin:/usr/local/sbin")


def _slapadd() -> str | None:
    return shutil.which("slapadd") or shutil.which("slapadd", path="/usr/sbin:/usr/local/sbin")


def skip_without_slapd() -> None:
    missing = None
    if not _slapd() or not _slapadd():
        missing = "slapd is not installed (scripts/bootstrap: apt-get install slapd ldap-utils)"
    elif not (SYSTEM_SCHEMA / "inetorgperson.schema").exists():
        missing = f"{SYSTEM_SCHEMA}/inetorgperson.schema is missing (Debian's slapd package)"
    if missing:
        if os.environ.get("RSPORTAL_REQUIRE_SLAPD") == "1":
            pytest.fail(f"RSPORTAL_REQUIRE_SLAPD=1 but {missing}")
        pytest.skip(missing)


@dataclass
class Slapd:
    url: str
    rundir: Path
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_slapd(rundir: Path, ldif: str) -> Slapd:
    """slapd on a free port with `ldif` loaded (the suffix and reader accounts are added)."""
    skip_without_slapd()
    rundir.mkdir(parents=True, exist_ok=True)
    (rundir / "db").mkdir(exist_ok=True)
    conf = rundir / "slapd.conf"
    conf.write_text(_config(rundir))
    (rundir / "data.ldif").write_text(_base_ldif() + ldif)
    loaded = subprocess.run(
        [str(_slapadd()), "-q", "-f", str(conf), "-l", str(rundir / "data.ldif")], capture_output=True, text=True
    )
    if loaded.returncode != 0:
        pytest.fail(f"slapadd failed:\n{loaded.stderr}")
    for port in PORTS:
        if not _free(port):
            continue
        url = f"ldap://127.0.0.1:{port}"
        # -d: slapd stays in the foreground (even at level 0), so the test owns the process.
        with open(rundir / "slapd.log", "wb") as log:
            process = subprocess.Popen(
                [str(_slapd()), "-f", str(conf), "-h", f"{url}/", "-d", "0"], stdout=log, stderr=log
            )
        if _wait_listening(port, process):
            return Slapd(url, rundir, process)
        if process.poll() is None:
            process.kill()
            process.wait()
    pytest.fail(f"slapd did not start on any port in {PORTS.start}–{PORTS.stop - 1}: see {rundir}/slapd.log")


def _config(rundir: Path) -> str:
    schemas = [SYSTEM_SCHEMA / f"{name}.schema" for name in ("core", "cosine", "inetorgperson")] + [SCHEMA]
    return "\n".join(
        [
            *(f"include {schema}" for schema in schemas),
            f"pidfile {rundir}/slapd.pid",
            f"argsfile {rundir}/slapd.args",
            "modulepath /usr/lib/ldap",
            "moduleload back_mdb",
            "database mdb",
            "maxsize 67108864",
            f'suffix "{SUFFIX}"',
            f'rootdn "{ADMIN_DN}"',
            f"rootpw {PASSWORD}",
            f"directory {rundir}/db",
            f'limits dn.exact="{READER_DN}" size.soft=5 size.hard=5 size.prtotal=unlimited',
            f'limits dn.exact="{LIMITED_READER_DN}" size.prtotal=7',
            "access to attrs=userPassword by anonymous auth by * none",
            "access to * by users read by * none",
            "",
        ]
    )


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def _attribute(name: str, value: str) -> str:
    if value.isascii() and value.isprintable() and not value.startswith((" ", ":", "<")):
        return f"{name}: {value}\n"
    return f"{name}:: {base64.b64encode(value.encode()).decode()}\n"


def _entry(dn: str, *attributes: tuple[str, str]) -> str:
    return _attribute("dn", dn) + "".join(_attribute(name, value) for name, value in attributes) + "\n"


def _base_ldif() -> str:
    readers = [
        _entry(
            dn,
            ("objectClass", "organizationalRole"),
            ("objectClass", "simpleSecurityObject"),
            ("cn", dn[3:].split(",")[0]),
            ("userPassword", PASSWORD),
        )
        for dn in (READER_DN, LIMITED_READER_DN)
    ]
    return "".join(
        [
            _entry(SUFFIX, ("objectClass", "country"), ("c", "SE")),
            _entry(BASE_DN, ("objectClass", "organization"), ("o", "Region Skåne")),
            *readers,
        ]
    )


def directory_ldif(entries: Iterable[DirectoryEntry]) -> str:
    """The LDIF for the units, people and roles (as the file export reads them) in the tree
    the HSA directory has: units nested under BASE_DN, each person under their unit, the
    roles as attributes on the unit. Units come before what they hold."""
    entries = list(entries)
    dns: dict[str, str] = {}
    roles: dict[str, list[DirectoryRole]] = {}
    for entry in entries:
        if isinstance(entry, DirectoryRole):
            roles.setdefault(entry.unit_hsa_id, []).append(entry)
    out = []
    for entry in entries:
        if isinstance(entry, DirectoryUnit):
            above = dns[entry.parent_hsa_id] if entry.parent_hsa_id else BASE_DN
            dns[entry.hsa_id] = f"ou={escape_rdn(entry.name)},{above}"
            attributes = [
                ("objectClass", "organizationalUnit"),
                ("objectClass", "hsaOrganizationalUnitExtension"),
                ("ou", entry.name),
                ("hsaIdentity", entry.hsa_id),
            ]
            if entry.code:
                attributes.append(("rsForvaltningskod", entry.code))
            for role in roles.get(entry.hsa_id, []):
                name = "rsPortalKontaktperson" if role.role is RoleKind.CONTACT_PERSON else "rsPortalErsattare"
                attributes.append((name, role.person_hsa_id))
            out.append(_entry(dns[entry.hsa_id], *attributes))
        elif isinstance(entry, DirectoryPerson):
            attributes = [
                ("objectClass", "inetOrgPerson"),
                ("objectClass", "hsaPersonExtension"),
                ("cn", f"{entry.given_name} {entry.surname}"),
                ("givenName", entry.given_name),
                ("sn", entry.surname),
                ("hsaIdentity", entry.hsa_id),
                ("personalIdentityNumber", entry.personnummer),
                ("rsPortalAktiv", "TRUE" if entry.active else "FALSE"),
            ]
            attributes += [(name, value) for name, value in (("mail", entry.email), ("uid", entry.username)) if value]
            # cn plus HSA-id: two people may share a name.
            rdn = f"cn={escape_rdn(entry.given_name + ' ' + entry.surname)}+hsaIdentity={escape_rdn(entry.hsa_id)}"
            out.append(_entry(f"{rdn},{dns[entry.unit_hsa_id]}", *attributes))
    return "".join(out)
