"""manage.py sync_registers --register directory: the HSA directory's export (the file
backend) mirrored into people, förvaltningar and contact persons, all or nothing, with what
follows from each change. Runs on SQLite and on PostgreSQL."""

import io

import pytest
from django.core.management import CommandError, call_command

from audit.actions import AuditAction
from audit.models import AuditEvent
from orders import services as order_services
from orders.states import OrderState
from organisation.models import ContactPersonAssignment, Employee, Forvaltning, User
from registers import acts
from registers.directory import DirectoryPerson, DirectoryRole, DirectoryUnit, RoleKind
from registers.models import SyncRun
from registers.people import LeftBecause
from tests.factories import CardFactory, EmployeeFactory, ForvaltningFactory, personnummer_for
from tests.registers.directory_sample import P, as_jsonl

pytestmark = pytest.mark.django_db

UNITS = [
    DirectoryUnit(P + "F1", "Skånes universitetssjukvård", None, P + "F1", code="sus"),
    DirectoryUnit(P + "F2", "Primärvård Skåne", None, P + "F2", code="primarvard"),
    DirectoryUnit(P + "E11", "Akutmottagningen Lund", P + "F1", P + "F1"),
    DirectoryUnit(P + "E21", "Vårdcentralen Åhus", P + "F2", P + "F2"),
]
UNIT_OF = {"sus": P + "E11", "primarvard": P + "E21"}


def person(employee, *, unit=None, **changed):
    facts = {
        "hsa_id": employee.hsa_id,
        "given_name": employee.first_name,
        "surname": employee.last_name,
        "personnummer": employee.personnummer,
        "unit_hsa_id": unit or UNIT_OF[employee.forvaltning.code],
        "email": employee.work_email,
        "username": employee.user.username if employee.user else "",
    }
    return DirectoryPerson(**(facts | changed))


@pytest.fixture
def export(tmp_path, settings):
    path = tmp_path / "directory.jsonl"
    settings.DIRECTORY_BACKEND = "registers.directory_file.FileDirectory"
    settings.DIRECTORY_FILE = path

    class Export:
        def write(self, people, roles=()):
            path.write_text(as_jsonl([*UNITS, *people, *roles]), encoding="utf-8")

        def write_text(self, text):
            path.write_text(text, encoding="utf-8")

    return Export()


@pytest.fixture
def region():
    """Twenty-five employees of sus, each with a login: one leaving is 4 %, under the 5 % limit."""
    sus = ForvaltningFactory(code="sus", name="Skånes universitetssjukvård")
    ForvaltningFactory(code="primarvard", name="Primärvård Skåne")
    return EmployeeFactory.create_batch(25, forvaltning=sus)


def sync(*args):
    out = io.StringIO()
    call_command("sync_registers", "--register", "directory", *args, stdout=out)
    return out.getvalue()


def refused_sync(*args):
    with pytest.raises(CommandError):
        call_command("sync_registers", "--register", "directory", *args, stdout=(out := io.StringIO()))
    return out.getvalue()


def last_run():
    return SyncRun.objects.filter(register="directory").latest("pk")


def newcomer(n, unit, *, username=""):
    return DirectoryPerson(
        hsa_id=f"{P}N{n:04d}",
        given_name="Åsa",
        surname=f"Nyström{n}",
        personnummer=personnummer_for(9000 + n),
        unit_hsa_id=unit,
        email=f"n{n}@demo.skane.se",
        username=username,
    )


def test_a_first_import_creates_the_forvaltningar_people_logins_and_contact_persons(export):
    with_login, without_login = newcomer(1, P + "E11", username="asa1"), newcomer(2, P + "E21")
    export.write([with_login, without_login], [DirectoryRole(P + "F1", RoleKind.CONTACT_PERSON, with_login.hsa_id)])

    out = sync()

    assert set(Forvaltning.objects.values_list("code", flat=True)) == {"sus", "primarvard"}
    first = Employee.objects.get(hsa_id=with_login.hsa_id)
    assert (first.full_name, first.forvaltning.code, first.user.username) == ("Åsa Nyström1", "sus", "asa1")
    assert not first.user.has_usable_password()  # single sign-on, or a password an administrator sets
    second = Employee.objects.get(hsa_id=without_login.hsa_id)
    assert second.user is None and second.forvaltning.code == "primarvard"
    assignment = ContactPersonAssignment.objects.get()
    assert (assignment.user, assignment.forvaltning.code, assignment.role) == (first.user, "sus", "kontaktperson")
    assert AuditEvent.objects.filter(action=AuditAction.PERSON_STARTED).count() == 2
    assert "started 2" in out and "forvaltningar 2" in out
    run = last_run()
    assert run.outcome == SyncRun.Outcome.OK and run.writes == 5


def test_a_second_run_with_nothing_changed_makes_no_writes(region, export):
    people = [person(employee) for employee in region]
    export.write([*people, newcomer(1, P + "E21")], [DirectoryRole(P + "F1", RoleKind.SUBSTITUTE, people[0].hsa_id)])
    sync()
    assert last_run().writes == 2
    events = AuditEvent.objects.count()

    out = sync()

    assert last_run().writes == 0 and AuditEvent.objects.count() == events
    assert "inga ändringar" in out or "skrivningar 0" in out


def test_a_leaver_without_a_login_leaves_once(region, export):
    people = [person(employee) for employee in region]
    export.write([*people, newcomer(1, P + "E21")])
    sync()
    export.write(people)

    sync()

    no_login = Employee.objects.get(hsa_id=newcomer(1, P + "E21").hsa_id)
    assert no_login.left_at is not None and last_run().counts["left"] == 1
    sync()
    assert last_run().counts["left"] == 0 and last_run().writes == 0


def test_removing_a_person_from_the_export_ends_their_access(region, export, client, register):
    leaver = region[3]
    register.add(leaver)
    order = order_services.place_order(
        placed_by=leaver.user, card=CardFactory(holder=leaver), reason="lost_letter", blocked_codes="legitimering"
    )
    export.write([person(employee) for employee in region if employee != leaver])

    sync()

    leaver.refresh_from_db()
    assert not User.objects.get(pk=leaver.user_id).is_active and leaver.left_at is not None
    client.force_login(leaver.user)
    assert client.get("/").status_code == 302  # refused: to the login page
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    cancelled = AuditEvent.objects.get(
        action=AuditAction.ORDER_CANCELLED, object_type="orders.pukorder", object_id=str(order.pk)
    )
    assert cancelled.reason == str(acts.LEFT_REASONS[LeftBecause.GONE])


def test_a_person_back_in_the_export_may_log_in_again(region, export):
    returning = region[3]
    export.write([person(employee) for employee in region if employee != returning])
    sync()
    export.write([person(employee) for employee in region])

    sync()

    returning.refresh_from_db()
    assert returning.left_at is None and User.objects.get(pk=returning.user_id).is_active
    assert last_run().counts["returned"] == 1


def test_moving_to_another_forvaltning_moves_the_open_order_into_its_queue(region, export, register):
    mover = region[5]
    register.add(mover)
    order = order_services.place_order(
        placed_by=mover.user, card=CardFactory(holder=mover), reason="lost_letter", blocked_codes="legitimering"
    )
    export.write([person(employee, unit=P + "E21" if employee == mover else None) for employee in region])

    sync()

    mover.refresh_from_db()
    order.refresh_from_db()
    assert mover.forvaltning.code == "primarvard" and order.forvaltning.code == "primarvard"
    assert AuditEvent.objects.filter(action=AuditAction.PERSON_MOVED, object_id=str(mover.pk)).exists()


def test_a_renamed_person_gets_the_new_name(region, export):
    export.write(
        [person(employee, surname="Bergström") if employee == region[0] else person(employee) for employee in region]
    )

    sync()

    region[0].refresh_from_db()
    assert region[0].last_name == "Bergström"
    assert AuditEvent.objects.filter(action=AuditAction.PERSON_RENAMED, object_id=str(region[0].pk)).exists()


def test_a_broken_export_changes_nothing_and_names_the_line(region, export):
    people = [person(employee) for employee in region[1:]]  # one leaves, one new ...
    whole = as_jsonl([*UNITS, *people, newcomer(1, P + "E11")])
    lines = whole.splitlines(keepends=True)
    export.write_text("".join(lines[:-1]))  # ... but the file is cut off before its end line
    employees = Employee.objects.count()

    out = refused_sync()

    run = last_run()
    assert run.outcome == SyncRun.Outcome.FAILED and f"rad {len(lines)}" in run.message
    assert f"rad {len(lines)}" in out
    assert Employee.objects.count() == employees and User.objects.get(pk=region[0].user_id).is_active


def test_the_safety_limit_refuses_a_run_that_would_end_too_many_and_force_passes(region, export, settings):
    settings.RSPORTAL_REGISTER_SAFETY_MINIMUM = 0  # held to the share, few as they are
    export.write([person(employee) for employee in region[2:]])  # two of 25 leave: 8 %

    out = refused_sync()

    assert last_run().outcome == SyncRun.Outcome.REFUSED and "8.0%" in out
    assert all(User.objects.get(pk=employee.user_id).is_active for employee in region[:2])

    sync("--force")

    assert last_run().outcome == SyncRun.Outcome.OK and last_run().forced
    assert not any(User.objects.get(pk=employee.user_id).is_active for employee in region[:2])


def test_an_invalid_personnummer_of_a_newcomer_is_a_broken_export(export):
    bad = DirectoryPerson(P + "N0001", "Åsa", "Fel", "198001010000", P + "E11")
    export.write([bad])

    refused_sync()

    assert "N0001" in last_run().message and not Employee.objects.exists()
