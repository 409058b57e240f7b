"""The people and roles diff (registers.people): pure, no database."""

from registers.directory import DirectoryPerson, DirectoryRole, DirectoryUnit, RoleKind
from registers.people import (
    CurrentPerson,
    CurrentRole,
    LeftBecause,
    PersonLeft,
    PersonMoved,
    PersonRenamed,
    PersonReturned,
    PersonStarted,
    RoleAppointed,
    RoleEnded,
    diff_directory,
)

SUS = DirectoryUnit("F1", "Skånes universitetssjukvård", None, "F1", code="sus")
PV = DirectoryUnit("F2", "Primärvård Skåne", None, "F2", code="primarvard")
NOCODE = DirectoryUnit("F3", "Regionservice", None, "F3")
AKUTEN = DirectoryUnit("E1", "Akutmottagningen Lund", "F1", "F1")
VC = DirectoryUnit("E2", "Vårdcentralen Dalby", "F2", "F2")
UNITS = [SUS, PV, NOCODE, AKUTEN, VC]


def person(hsa_id="P1", given="Anna", surname="Andersson", unit="E1", active=True, **kw):
    return DirectoryPerson(hsa_id, given, surname, kw.pop("personnummer", "196001011234"), unit, active, **kw)


def current(hsa_id="P1", first="Anna", last="Andersson", forvaltning="sus", active=True):
    return CurrentPerson(hsa_id, first, last, "196001011234", forvaltning, active)


def test_unchanged_directory_gives_no_change():
    diff = diff_directory({"P1": current()}, [], [*UNITS, person()])
    assert diff.is_empty


def test_a_new_active_person_starts_in_the_forvaltning_of_their_unit():
    diff = diff_directory({}, [], [*UNITS, person(unit="E2", email="anna@skane.se", username="anna")])
    assert diff.started == [
        PersonStarted("P1", "Anna", "Andersson", "196001011234", "primarvard", email="anna@skane.se", username="anna")
    ]


def test_a_new_person_marked_inactive_is_not_started():
    assert diff_directory({}, [], [*UNITS, person(active=False)]).is_empty


def test_a_forvaltning_without_a_code_is_named_by_its_hsa_id():
    diff = diff_directory({}, [], [*UNITS, person(unit="F3")])
    assert diff.started[0].forvaltning == "F3"


def test_a_changed_name_is_a_rename_with_the_name_before():
    diff = diff_directory({"P1": current(last="Berg")}, [], [*UNITS, person()])
    assert diff.renamed == [PersonRenamed("P1", "Anna", "Andersson", was="Anna Berg")]
    assert diff.moved == [] and diff.left == []


def test_a_unit_under_another_forvaltning_is_a_move():
    diff = diff_directory({"P1": current()}, [], [*UNITS, person(unit="E2")])
    assert diff.moved == [PersonMoved("P1", "sus", "primarvard")]


def test_a_person_gone_from_the_directory_has_left():
    diff = diff_directory({"P1": current(), "P2": current("P2")}, [], [*UNITS, person()])
    assert diff.left == [PersonLeft("P2", LeftBecause.GONE)]


def test_a_person_marked_inactive_has_left():
    diff = diff_directory({"P1": current()}, [], [*UNITS, person(active=False)])
    assert diff.left == [PersonLeft("P1", LeftBecause.INACTIVE)]


def test_someone_who_left_before_does_not_leave_again():
    diff = diff_directory(
        {"P1": current(active=False), "P2": current("P2", active=False)}, [], [*UNITS, person(active=False)]
    )
    assert diff.is_empty


def test_someone_who_left_and_is_active_again_returns():
    diff = diff_directory({"P1": current(active=False)}, [], [*UNITS, person(unit="E2")])
    assert diff.returned == [PersonReturned("P1", "primarvard")]
    assert diff.moved == [PersonMoved("P1", "sus", "primarvard")]


def test_an_empty_directory_has_everyone_leave():
    diff = diff_directory({"P1": current(), "P2": current("P2")}, [], [])
    assert {change.hsa_id for change in diff.left} == {"P1", "P2"}


def test_a_person_listed_twice_counts_once():
    diff = diff_directory({}, [], [*UNITS, person(), person(unit="E2")])
    assert [change.forvaltning for change in diff.started] == ["sus"]


def test_a_role_on_a_forvaltning_is_appointed():
    role = DirectoryRole("F1", RoleKind.SUBSTITUTE, "P1")
    diff = diff_directory({"P1": current()}, [], [*UNITS, person(), role])
    assert diff.appointed == [RoleAppointed("sus", "P1", "ersattare")]
    assert diff.ended == []


def test_a_role_held_already_changes_nothing():
    role = DirectoryRole("F1", RoleKind.CONTACT_PERSON, "P1")
    diff = diff_directory({"P1": current()}, [CurrentRole("sus", "P1", "kontaktperson")], [*UNITS, person(), role])
    assert diff.is_empty


def test_a_role_gone_from_the_directory_ends():
    diff = diff_directory({"P1": current()}, [CurrentRole("sus", "P1", "kontaktperson")], [*UNITS, person()])
    assert diff.ended == [RoleEnded("sus", "P1", "kontaktperson")]


def test_a_changed_role_is_appointed_in_the_new_role():
    role = DirectoryRole("F1", RoleKind.SUBSTITUTE, "P1")
    diff = diff_directory({"P1": current()}, [CurrentRole("sus", "P1", "kontaktperson")], [*UNITS, person(), role])
    assert diff.appointed == [RoleAppointed("sus", "P1", "ersattare")]
    assert diff.ended == []


def test_a_role_on_a_unit_below_a_forvaltning_is_ignored_and_counted():
    role = DirectoryRole("E1", RoleKind.CONTACT_PERSON, "P1")
    diff = diff_directory({"P1": current()}, [], [*UNITS, person(), role])
    assert diff.is_empty
    assert diff.roles_ignored == 1


def test_counts_name_each_kind_of_change():
    diff = diff_directory(
        {"P2": current("P2")}, [], [*UNITS, person(), DirectoryRole("F2", RoleKind.CONTACT_PERSON, "P1")]
    )
    assert diff.counts() == {
        "started": 1,
        "returned": 0,
        "renamed": 0,
        "moved": 0,
        "left": 1,
        "appointed": 1,
        "ended": 0,
    }
