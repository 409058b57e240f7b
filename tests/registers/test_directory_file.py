"""The directory's embedded default: the JSON Lines export (registers.directory_file)."""

import io

import pytest

from demo.management.commands.seed_demo import ASSIGNMENTS, FORVALTNINGAR, PEOPLE
from registers.directory import (
    BrokenDirectoryExport,
    DirectoryPerson,
    DirectoryRole,
    DirectoryUnavailable,
    DirectoryUnit,
    get_directory,
)
from registers.directory_file import FileDirectory, read_directory_export

from .directory_sample import as_jsonl, sample_directory

UNIT = '{"kind": "unit", "hsa_id": "SE-F1", "name": "Förvaltningen", "parent": null}\n'
PERSON = (
    '{"kind": "person", "hsa_id": "SE-P1", "given_name": "Anna", "surname": "Ek",'
    ' "personnummer": "198503142385", "unit": "SE-F1"}\n'
)
ROLE = '{"kind": "role", "unit": "SE-F1", "role": "kontaktperson", "person": "SE-P1"}\n'
END = '{"kind": "end", "units": 1, "people": 1, "roles": 1}\n'


def read(text):
    return list(read_directory_export(io.StringIO(text)))


def test_the_export_gives_units_people_and_roles():
    assert read(UNIT + PERSON + ROLE + END) == [
        DirectoryUnit("SE-F1", "Förvaltningen", None, "SE-F1"),
        DirectoryPerson("SE-P1", "Anna", "Ek", "198503142385", "SE-F1"),
        DirectoryRole("SE-F1", "kontaktperson", "SE-P1"),
    ]


def test_each_entry_names_its_line():
    assert [entry.where for entry in read(UNIT + "\n" + PERSON + ROLE + END)] == ["rad 1", "rad 3", "rad 4"]


def test_a_unit_belongs_to_the_forvaltning_at_the_top_of_its_chain():
    units = [entry for entry in read(as_jsonl(sample_directory())) if isinstance(entry, DirectoryUnit)]
    akuten = next(unit for unit in units if unit.name == "Akutmottagningen Lund")
    assert akuten.parent_hsa_id == "SE2321000289-E11"
    assert akuten.forvaltning_hsa_id == "SE2321000289-F1"
    assert [unit.code for unit in units if unit.is_forvaltning] == ["sus", "primarvard"]


def test_the_sample_directory_reads_back_as_written():
    entries = sample_directory()
    assert read(as_jsonl(entries)) == entries


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (UNIT + '{"kind": "person", "hsa_id": \n' + END, 2, "inte ett JSON-objekt"),
        (UNIT + '["person"]\n' + END, 2, "inte ett JSON-objekt"),
        (UNIT + '{"kind": "card"}\n' + END, 2, "okänd kind: 'card'"),
        (UNIT + PERSON.replace('"surname": "Ek",', "") + END, 2, "person saknar surname"),
        (UNIT + PERSON.replace('"surname"', '"surename"') + END, 2, "person saknar surname"),
        (UNIT + PERSON.replace('"unit"', '"enhet": "x", "unit"') + END, 2, "okända fält: enhet"),
        (UNIT + PERSON.replace('"Anna"', '""') + END, 2, "given_name ska vara en text"),
        (UNIT + PERSON.replace('"Anna"', "7") + END, 2, "given_name ska vara en text"),
        (UNIT + PERSON.replace("198503142385", "8503142385") + END, 2, "ogiltigt personnummer"),
        (UNIT + PERSON.replace('"unit": "SE-F1"', '"unit": "SE-F9"') + END, 2, "enheten SE-F9 finns inte"),
        (UNIT + PERSON.replace("}", ', "active": "ja"}') + END, 2, "active ska vara true eller false"),
        (UNIT + PERSON + ROLE.replace("kontaktperson", "chef") + END, 3, "okänd roll: 'chef'"),
        (PERSON + UNIT + END, 1, "enheten SE-F1 finns inte på någon rad ovanför"),
        (UNIT + UNIT + END, 2, "enheten SE-F1 finns redan"),
        (UNIT.replace("null", '"SE-F0"') + END, 1, "enheten SE-F0 finns inte"),
        (UNIT + PERSON + ROLE + END.replace('"people": 1', '"people": 2'), 4, "slutraden säger 2 people"),
        (UNIT + PERSON + ROLE + END + PERSON, 5, "rader efter slutraden"),
    ],
)
def test_a_broken_line_is_refused_naming_the_line(text, line, problem):
    with pytest.raises(BrokenDirectoryExport) as refused:
        read(text)
    assert refused.value.where == f"rad {line}"
    assert problem in refused.value.problem
    assert str(refused.value).startswith(f"rad {line}: ")


def test_a_file_cut_off_in_a_line_is_refused_naming_that_line():
    with pytest.raises(BrokenDirectoryExport, match=r"^rad 2: sista raden saknar radslut"):
        read(UNIT + PERSON[:40])


def test_a_file_cut_off_between_two_lines_is_refused_for_its_missing_end_line():
    with pytest.raises(BrokenDirectoryExport, match=r"^rad 3: slutraden .* saknas: exporten är avkortad"):
        read(UNIT + PERSON)


def test_an_empty_export_is_refused():
    with pytest.raises(BrokenDirectoryExport, match=r"^rad 1: slutraden"):
        read("")


def test_entries_stream_before_the_rest_of_the_file_is_read():
    def lines():
        yield UNIT
        yield PERSON
        raise AssertionError("read too far")

    entries = read_directory_export(lines())
    assert next(entries).hsa_id == "SE-F1"
    assert next(entries).hsa_id == "SE-P1"


def test_a_missing_file_makes_the_directory_unavailable(tmp_path):
    with pytest.raises(DirectoryUnavailable, match=r"directory\.jsonl"):
        list(FileDirectory(tmp_path / "directory.jsonl").entries())


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "directory.jsonl"
    path.write_bytes(UNIT.replace("Förvaltningen", "F\xf6rvaltningen").encode("latin-1") + END.encode())
    with pytest.raises(BrokenDirectoryExport, match="inte UTF-8"):
        list(FileDirectory(path).entries())


def test_the_embedded_default_reads_the_demo_export(settings):
    assert str(settings.DIRECTORY_FILE).endswith("demo/directory.jsonl")
    assert isinstance(get_directory(), FileDirectory)


def test_the_demo_export_has_seed_demos_forvaltningar_people_and_contact_persons():
    entries = list(FileDirectory().entries())
    units = {entry.hsa_id: entry for entry in entries if isinstance(entry, DirectoryUnit)}
    code = {hsa_id: units[unit.forvaltning_hsa_id].code for hsa_id, unit in units.items()}
    assert [(unit.code, unit.name) for unit in units.values() if unit.is_forvaltning] == FORVALTNINGAR
    people = {
        entry.username: (entry.given_name, entry.surname, entry.personnummer, entry.hsa_id, code[entry.unit_hsa_id])
        for entry in entries
        if isinstance(entry, DirectoryPerson)
    }
    assert people == PEOPLE
    hsa_to_username = {person[3]: username for username, person in PEOPLE.items()}
    roles = [
        (hsa_to_username[entry.person_hsa_id], units[entry.unit_hsa_id].code, entry.role)
        for entry in entries
        if isinstance(entry, DirectoryRole)
    ]
    assert roles == [(username, forvaltning, str(role)) for username, forvaltning, role in ASSIGNMENTS]
