"""Contact persons and ersättare from a CSV file (RSPORTAL_CONTACT_PERSONS_FILE) instead of
the directory's roles: the parser names the line at fault, and the directory's sync
appoints and ends from the file with the same acts and audit. Runs on SQLite and on PostgreSQL."""

import io

import pytest
from django.core.management import CommandError, call_command

from audit.actions import AuditAction
from audit.models import AuditEvent
from organisation.models import ContactPersonAssignment
from registers import acts
from registers.contact_person_export import read_contact_person_export
from registers.directory import BrokenDirectoryExport, DirectoryPerson, DirectoryRole, DirectoryUnit, RoleKind
from registers.models import SyncRun
from tests.factories import EmployeeFactory, ForvaltningFactory, personnummer_for
from tests.registers.directory_sample import P, as_jsonl

HEADER = "forvaltning;hsa_id;roll\n"
UNITS = [
    DirectoryUnit(P + "F1", "Skånes universitetssjukvård", None, P + "F1", code="sus"),
    DirectoryUnit(P + "F2", "Primärvård Skåne", None, P + "F2", code="primarvard"),
    DirectoryUnit(P + "E11", "Akutmottagningen Lund", P + "F1", P + "F1"),
]


def rows(text):
    return list(read_contact_person_export(io.StringIO(text)))


def test_a_line_gives_the_forvaltning_the_person_and_the_role():
    read = rows(HEADER + "sus;SE2321000289-K004;kontaktperson\nprimarvard;SE2321000289-K005;ersattare\n")

    assert [(row.forvaltning, row.person_hsa_id, row.role, row.where) for row in read] == [
        ("sus", "SE2321000289-K004", RoleKind.CONTACT_PERSON, "kontaktpersonsfilen rad 2"),
        ("primarvard", "SE2321000289-K005", RoleKind.SUBSTITUTE, "kontaktpersonsfilen rad 3"),
    ]


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("forvaltning;person;roll\nsus;K1;kontaktperson\n", 1, "fel rubrikrad"),
        ("", 1, "tom"),
        (HEADER, 2, "inga kontaktpersoner"),
        (HEADER + "sus;K1;kontaktperson\nsus;K2\n", 3, "2 kolumner, väntade 3"),
        (HEADER + "sus;K1;kontaktperson;x\n", 2, "4 kolumner"),
        (HEADER + "sus;K1;kontaktperson\nsus;K2;chef\n", 3, "okänd roll: 'chef'"),
        (HEADER + "sus;;kontaktperson\n", 2, "hsa_id är tom"),
        (HEADER + " ;K1;ersattare\n", 2, "forvaltning är tom"),
        (HEADER + "sus;K1;kontaktperson\nsus;K2;ersattare\nsus;K1;ersattare\n", 4, "finns redan på rad 2"),
        (HEADER + "sus;K1;kontaktperson\nsus;K2;ersattare", 3, "avkortad"),
    ],
)
def test_a_broken_file_is_refused_naming_the_line(text, line, problem):
    with pytest.raises(BrokenDirectoryExport) as refused:
        rows(text)

    assert refused.value.where == f"kontaktpersonsfilen rad {line}"
    assert problem in refused.value.problem


# Through sync_registers.


@pytest.fixture
def files(tmp_path, settings):
    directory, contact_persons = tmp_path / "directory.jsonl", tmp_path / "kontaktpersoner.csv"
    settings.DIRECTORY_BACKEND = "registers.directory_file.FileDirectory"
    settings.DIRECTORY_FILE = directory
    settings.CONTACT_PERSONS_FILE = str(contact_persons)

    class Files:
        def write(self, people, directory_roles=(), csv_lines=()):
            directory.write_text(as_jsonl([*UNITS, *people, *directory_roles]), encoding="utf-8")
            contact_persons.write_text(HEADER + "".join(line + "\n" for line in csv_lines), encoding="utf-8")

        def write_csv_text(self, text):
            contact_persons.write_text(text, encoding="utf-8")

    return Files()


@pytest.fixture
def staff(db):
    sus = ForvaltningFactory(code="sus", name="Skånes universitetssjukvård")
    ForvaltningFactory(code="primarvard", name="Primärvård Skåne")
    return EmployeeFactory.create_batch(3, forvaltning=sus)


def in_directory(employee):
    return DirectoryPerson(
        employee.hsa_id,
        employee.first_name,
        employee.last_name,
        employee.personnummer,
        P + "E11",
        email=employee.work_email,
        username=employee.user.username,
    )


def sync():
    call_command("sync_registers", "--register", "directory", stdout=io.StringIO())
    return SyncRun.objects.filter(register="directory").latest("pk")


def assignments():
    return {
        (a.user.employee.hsa_id, a.forvaltning.code, a.role)
        for a in ContactPersonAssignment.objects.not_ended().select_related("user__employee", "forvaltning")
    }


def test_a_role_in_the_file_appoints_the_contact_person_audited_as_the_directorys(staff, files):
    karin = staff[0]
    files.write([in_directory(e) for e in staff], csv_lines=[f"sus;{karin.hsa_id};kontaktperson"])

    run = sync()

    assert run.outcome == SyncRun.Outcome.OK and run.counts["appointed"] == 1
    assert assignments() == {(karin.hsa_id, "sus", "kontaktperson")}
    assignment = ContactPersonAssignment.objects.get()
    event = AuditEvent.objects.get(action=AuditAction.CONTACT_PERSON_APPOINTED, object_id=str(assignment.pk))
    assert event.reason == str(acts.APPOINTED_FROM_FILE_REASON) and event.data["role"] == "kontaktperson"


def test_a_forvaltning_may_be_named_by_its_units_hsa_id(staff, files):
    files.write([in_directory(e) for e in staff], csv_lines=[f"{P}F2;{staff[1].hsa_id};ersattare"])

    sync()

    assert assignments() == {(staff[1].hsa_id, "primarvard", "ersattare")}


def test_a_role_removed_from_the_file_ends_the_assignment(staff, files):
    karin, olle = staff[0], staff[1]
    people = [in_directory(e) for e in staff]
    files.write(people, csv_lines=[f"sus;{karin.hsa_id};kontaktperson", f"sus;{olle.hsa_id};ersattare"])
    sync()

    files.write(people, csv_lines=[f"sus;{olle.hsa_id};ersattare"])
    run = sync()

    assert run.counts["ended"] == 1 and assignments() == {(olle.hsa_id, "sus", "ersattare")}
    ended = ContactPersonAssignment.objects.get(user=karin.user)
    event = AuditEvent.objects.get(action=AuditAction.RIGHT_WITHDRAWN, object_id=str(ended.pk))
    assert event.reason == str(acts.ROLE_ENDED_FROM_FILE_REASON)
    assert sync().writes == 0


def test_the_directorys_own_roles_are_ignored_when_the_file_is_set(staff, files):
    karin, olle = staff[0], staff[1]
    files.write(
        [in_directory(e) for e in staff],
        directory_roles=[DirectoryRole(P + "F1", RoleKind.CONTACT_PERSON, olle.hsa_id)],
        csv_lines=[f"sus;{karin.hsa_id};ersattare"],
    )

    sync()

    assert assignments() == {(karin.hsa_id, "sus", "ersattare")}


def test_without_the_setting_the_roles_come_from_the_directory(staff, files, settings):
    settings.CONTACT_PERSONS_FILE = ""
    olle = staff[1]
    files.write(
        [in_directory(e) for e in staff],
        directory_roles=[DirectoryRole(P + "F1", RoleKind.CONTACT_PERSON, olle.hsa_id)],
        csv_lines=[f"sus;{staff[0].hsa_id};ersattare"],
    )

    sync()

    assert assignments() == {(olle.hsa_id, "sus", "kontaktperson")}


@pytest.mark.parametrize(
    ("broken", "where"),
    [
        ("sus;{hsa_id};kontaktperson\nsus;{hsa_id};chef\n", "kontaktpersonsfilen rad 3"),
        ("okand;{hsa_id};kontaktperson\n", "kontaktpersonsfilen rad 2"),
    ],
)
def test_a_broken_file_fails_the_directorys_run_and_changes_nothing(staff, files, broken, where):
    karin, olle = staff[0], staff[1]
    people = [in_directory(e) for e in staff]
    files.write(people, csv_lines=[f"sus;{olle.hsa_id};ersattare"])
    sync()
    events = AuditEvent.objects.count()
    newcomer = DirectoryPerson(P + "N0001", "Åsa", "Ny", personnummer_for(9001), P + "E11")
    files.write([in_directory(e) for e in staff[1:]] + [newcomer])  # karin leaves, a newcomer starts ...
    files.write_csv_text(HEADER + broken.format(hsa_id=karin.hsa_id))  # ... but the file is broken

    with pytest.raises(CommandError):
        call_command("sync_registers", "--register", "directory", stdout=io.StringIO())

    run = SyncRun.objects.filter(register="directory").latest("pk")
    assert run.outcome == SyncRun.Outcome.FAILED and where in run.message
    assert AuditEvent.objects.count() == events
    assert assignments() == {(olle.hsa_id, "sus", "ersattare")}
    karin.refresh_from_db()
    assert karin.left_at is None and karin.user.is_active
