"""The directory over LDAP (registers.directory_ldap), against a real slapd (tests/slapd.py)."""

import pytest
from ldap3 import Connection

from registers.directory import (
    BrokenDirectoryExport,
    DirectoryPerson,
    DirectoryRole,
    DirectoryUnavailable,
    DirectoryUnit,
    RoleKind,
)
from registers.directory_file import FileDirectory, read_directory_export
from registers.directory_ldap import LdapDirectory
from tests.slapd import BASE_DN, LIMITED_READER_DN, PASSWORD, READER_DN, directory_ldif, start_slapd

from .directory_sample import P, as_jsonl, sample_directory

BROKEN_BASE = "o=Trasig export,c=SE"
BROKEN = f"""dn: {BROKEN_BASE}
objectClass: organization
o: Trasig export

dn: ou=Enheten,{BROKEN_BASE}
objectClass: organizationalUnit
objectClass: hsaOrganizationalUnitExtension
ou: Enheten
hsaIdentity: SE-TRASIG-E1

dn: cn=Utan Personnummer,ou=Enheten,{BROKEN_BASE}
objectClass: inetOrgPerson
objectClass: hsaPersonExtension
cn: Utan Personnummer
givenName: Utan
sn: Personnummer
hsaIdentity: SE-TRASIG-P1

"""


@pytest.fixture(scope="session")
def slapd(tmp_path_factory):
    server = start_slapd(tmp_path_factory.mktemp("slapd"), directory_ldif(sample_directory()) + BROKEN)
    yield server
    server.stop()


def ldap_directory(server, **config):
    return LdapDirectory(
        {
            "URL": server.url,
            "BIND_DN": READER_DN,
            "BIND_PASSWORD": PASSWORD,
            "BASE_DNS": [BASE_DN],
            "PAGE_SIZE": 3,
            "UNIT_CODE_ATTRIBUTE": "rsForvaltningskod",
            "ACTIVE_ATTRIBUTE": "rsPortalAktiv",
            **config,
        }
    )


def test_units_people_and_roles_are_read_from_the_directory(slapd):
    entries = list(ldap_directory(slapd).entries())
    units = [entry for entry in entries if isinstance(entry, DirectoryUnit)]
    assert [unit.hsa_id for unit in units] == [P + "F1", P + "F2", P + "E11", P + "E21", P + "E111"]
    akuten = units[-1]
    assert (akuten.name, akuten.parent_hsa_id, akuten.forvaltning_hsa_id) == (
        "Akutmottagningen Lund",
        P + "E11",
        P + "F1",
    )
    assert (
        akuten.where
        == f"posten ou=Akutmottagningen Lund,ou=Verksamhetsområde akut,ou=Skånes universitetssjukvård,{BASE_DN}"
    )
    assert units[0].code == "sus"
    assert {
        (role.unit_hsa_id, role.role, role.person_hsa_id) for role in entries if isinstance(role, DirectoryRole)
    } == {
        (P + "F1", RoleKind.CONTACT_PERSON, P + "T0000"),
        (P + "F1", RoleKind.SUBSTITUTE, P + "T0001"),
        (P + "F2", RoleKind.SUBSTITUTE, P + "T0000"),
    }
    people = {person.hsa_id: person for person in entries if isinstance(person, DirectoryPerson)}
    assert len(people) == 12
    assert people[P + "T0003"] == DirectoryPerson(
        P + "T0003", "Per-Erik", "Testsson3", "198001010003", P + "E111", active=True, email="t3@demo.skane.se"
    )
    assert not people[P + "T0011"].active


def test_every_unit_comes_before_what_names_it(slapd):
    seen = set()
    for entry in ldap_directory(slapd).entries():
        if isinstance(entry, DirectoryUnit):
            assert entry.parent_hsa_id is None or entry.parent_hsa_id in seen
            seen.add(entry.hsa_id)
        else:
            assert entry.unit_hsa_id in seen


def test_the_file_and_the_ldap_backends_give_the_same_entries(slapd):
    from_file = list(read_directory_export(as_jsonl(sample_directory()).splitlines(keepends=True)))
    from_ldap = list(ldap_directory(slapd).entries())
    assert len(from_ldap) == len(from_file)
    assert set(from_ldap) == set(from_file)


def test_the_demo_export_reads_the_same_from_slapd(tmp_path):
    demo = list(FileDirectory().entries())
    server = start_slapd(tmp_path / "slapd", directory_ldif(demo))
    try:
        from_ldap = list(ldap_directory(server).entries())
    finally:
        server.stop()
    assert len(from_ldap) == len(demo)
    assert set(from_ldap) == set(demo)


def test_paging_reads_more_entries_than_one_search_may_return(slapd):
    # The reader may have 5 entries from a plain search; a paged one gives them all.
    plain = Connection(slapd.url, READER_DN, PASSWORD, auto_bind=True)
    plain.search(BASE_DN, "(objectClass=person)")
    assert (plain.result["description"], len(plain.entries)) == ("sizeLimitExceeded", 5)
    plain.unbind()
    people = [entry for entry in ldap_directory(slapd, PAGE_SIZE=2).entries() if isinstance(entry, DirectoryPerson)]
    assert len(people) == 12


def test_a_size_limit_reached_halfway_is_an_error_naming_the_last_entry_read(slapd):
    # This reader may have only 7 entries from a paged search: the 5 units pass, the people do not.
    entries = ldap_directory(slapd, BIND_DN=LIMITED_READER_DN).entries()
    with pytest.raises(DirectoryUnavailable) as unavailable:
        list(entries)
    assert unavailable.value.where.startswith("efter posten cn=")
    assert unavailable.value.where.endswith(BASE_DN)
    assert "sizeLimitExceeded" in unavailable.value.problem


def test_slapd_stopping_halfway_is_an_error_naming_the_last_entry_read(tmp_path):
    server = start_slapd(tmp_path / "slapd", directory_ldif(sample_directory(people=10)))
    entries = ldap_directory(server, PAGE_SIZE=2, TIMEOUT_SECONDS=5).entries()
    try:
        first_person = next(entry for entry in entries if isinstance(entry, DirectoryPerson))
        server.stop()
        with pytest.raises(DirectoryUnavailable) as unavailable:
            list(entries)
    finally:
        server.stop()
    assert unavailable.value.where.startswith("efter posten cn=")
    assert unavailable.value.where.endswith(BASE_DN)
    assert first_person.hsa_id


def test_a_person_without_a_personnummer_is_refused_naming_the_entry(slapd):
    with pytest.raises(BrokenDirectoryExport) as refused:
        list(ldap_directory(slapd, BASE_DNS=[BROKEN_BASE]).entries())
    assert refused.value.where == f"posten cn=Utan Personnummer,ou=Enheten,{BROKEN_BASE}"
    assert refused.value.problem == "saknar personalIdentityNumber"


def test_the_unit_may_come_from_an_attribute_instead_of_the_tree(slapd):
    # No person here carries rsPortalEnhet: each is refused, naming the entry.
    with pytest.raises(BrokenDirectoryExport, match=r"^posten cn=.*: saknar rsPortalEnhet$"):
        list(ldap_directory(slapd, PERSON_UNIT_ATTRIBUTE="rsPortalEnhet").entries())


def test_a_wrong_password_makes_the_directory_unavailable(slapd):
    with pytest.raises(DirectoryUnavailable) as unavailable:
        list(ldap_directory(slapd, BIND_PASSWORD="fel").entries())
    assert unavailable.value.where == slapd.url
    assert "invalidCredentials" in unavailable.value.problem


def test_a_server_that_does_not_answer_makes_the_directory_unavailable():
    with pytest.raises(DirectoryUnavailable, match="kunde inte ansluta"):
        list(LdapDirectory({"URL": "ldap://127.0.0.1:1", "BASE_DNS": [BASE_DN], "TIMEOUT_SECONDS": 2}).entries())
