"""A database made by the previous release migrates to this tree without losing data.

The test rolls the test database back to the migrations the previous release ended with,
writes a row to every model of that release through the historical models, migrates
forward to whatever the newest migrations are now and reads every row back through the
current models. It needs no change when a migration is added; it fails when a migration
drops or renames a table that holds the previous release's data, loses a value, or cannot
be rolled back.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit.models import AuditEvent
from cards.models import Card, CardType, PukRecord
from cards.puk_store import encrypt_puk, get_puk_store
from cards.reader.codes import Code
from desk.models import DeskSession, DeskVisit, PukTicket, Station, UnblockAttempt
from orders.models import DigestSent, Escalation, Letter, Notification, PrintHouseEvent, PukOrder
from organisation.models import (
    ContactPersonAssignment,
    Employee,
    Forvaltning,
    ForvaltningUserObjectPermission,
    User,
)

from ..factories import personnummer_for

# The last migration of each of our apps in the previous release (commit bd3ed04, before
# desk/, letters/ and demo/ were split out). The desk's server side was the `station` app
# then and keeps that label. Django's and the third-party apps' migrations were the same.
PREVIOUS_RELEASE = [
    ("organisation", "0004_forvaltning_permissions_per_user_only"),
    ("audit", "0003_append_only_trigger"),
    ("cards", "0003_pukrecord"),
    ("orders", "0008_forvaltning_newest_index"),
    ("station", "0004_desk_sessions"),
]

# Each model of the previous release, the current model that reads its rows and the table
# both use. A table that is renamed or dropped strands the rows of a database in service.
TABLES = {
    "organisation.User": (User, "organisation_user"),
    "organisation.Forvaltning": (Forvaltning, "organisation_forvaltning"),
    "organisation.ForvaltningUserObjectPermission": (
        ForvaltningUserObjectPermission,
        "organisation_forvaltninguserobjectpermission",
    ),
    "organisation.Employee": (Employee, "organisation_employee"),
    "organisation.ContactPersonAssignment": (ContactPersonAssignment, "organisation_contactpersonassignment"),
    "audit.AuditEvent": (AuditEvent, "audit_auditevent"),
    "cards.CardType": (CardType, "cards_cardtype"),
    "cards.Card": (Card, "cards_card"),
    "cards.PukRecord": (PukRecord, "cards_pukrecord"),
    "orders.PukOrder": (PukOrder, "orders_pukorder"),
    "orders.Letter": (Letter, "orders_letter"),
    "orders.PrintHouseEvent": (PrintHouseEvent, "orders_printhouseevent"),
    "orders.Notification": (Notification, "orders_notification"),
    "orders.Escalation": (Escalation, "orders_escalation"),
    "orders.DigestSent": (DigestSent, "orders_digestsent"),
    "station.Station": (Station, "station_station"),
    "station.DeskSession": (DeskSession, "station_desksession"),
    "station.DeskVisit": (DeskVisit, "station_deskvisit"),
    "station.UnblockAttempt": (UnblockAttempt, "station_unblockattempt"),
    "station.PukTicket": (PukTicket, "station_pukticket"),
}

PUK = "73914682"
NOW = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


def _migrate(targets):
    """Migrate to `targets` with a fresh executor (a used one holds a stale view of what
    is applied) and return the executor's loader, which knows the new state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader


def _newest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _fill(apps):
    """One row in every model of the previous release, written as that release wrote them."""
    get = apps.get_model
    rows = {}

    sus = get("organisation", "Forvaltning").objects.create(
        code="sus", name="Skånes universitetssjukvård", approval_target_days=3
    )
    User = get("organisation", "User")
    anna = User.objects.create(
        username="anna.andersson",
        first_name="Anna",
        last_name="Andersson",
        email="anna.andersson@skane.se",
        password=make_password("ett-lösenord"),
    )
    karin = User.objects.create(
        username="karin.kontakt", first_name="Karin", last_name="Kontakt", email="karin.kontakt@skane.se"
    )
    olle = User.objects.create(
        username="olle.operator", first_name="Olle", last_name="Operatör", email="olle.operator@skane.se"
    )
    rows["organisation.User"] = anna
    rows["organisation.Forvaltning"] = sus
    rows["organisation.Employee"] = employee = get("organisation", "Employee").objects.create(
        user=anna,
        forvaltning=sus,
        personnummer=personnummer_for(4711),
        hsa_id="SE2321000255-A1B2C3",
        first_name="Anna",
        last_name="Andersson",
        work_email="anna.andersson@skane.se",
    )
    rows["organisation.ContactPersonAssignment"] = get("organisation", "ContactPersonAssignment").objects.create(
        user=karin, forvaltning=sus, role="kontaktperson", email_preference="daily_digest"
    )
    content_type, _ = get("contenttypes", "ContentType").objects.get_or_create(
        app_label="organisation", model="forvaltning"
    )
    approve, _ = get("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="approve_orders", defaults={"name": "Godkänna beställningar"}
    )
    rows["organisation.ForvaltningUserObjectPermission"] = get(
        "organisation", "ForvaltningUserObjectPermission"
    ).objects.create(user=karin, permission=approve, content_object=sus)

    rows["cards.CardType"] = rs_kort = get("cards", "CardType").objects.create(
        code="rs-kort", name="RS-kort", has_region_logo=True, puk_route="letter"
    )
    rows["cards.Card"] = card = get("cards", "Card").objects.create(
        card_number="9752270000004711",
        holder=employee,
        card_type=rs_kort,
        status="active",
        valid_from=date(2025, 3, 1),
        valid_to=date(2030, 2, 28),
    )
    rows["cards.PukRecord"] = get("cards", "PukRecord").objects.create(
        card=card, ciphertext=encrypt_puk(card.card_number, PUK)
    )

    rows["orders.PukOrder"] = order = get("orders", "PukOrder").objects.create(
        card=card,
        holder=employee,
        forvaltning=sus,
        placed_by=anna,
        reason="lost_letter",
        blocked_codes="both",
        state="posted",
        address_status="registered",
        address_registered_since=date(2015, 1, 1),
        decided_by=karin,
        decided_at=NOW,
        letter_attempts=1,
    )
    rows["orders.Letter"] = letter = get("orders", "Letter").objects.create(
        order=order,
        generation=1,
        forwarded=True,
        batch="20261130-01",
        printed_at=NOW + timedelta(hours=2),
        posted_at=NOW + timedelta(hours=5),
        tracking_id="RR123456785SE",
    )
    rows["orders.PrintHouseEvent"] = get("orders", "PrintHouseEvent").objects.create(
        letter=letter, event_id="ph-2026-11-30-0001", status="posted"
    )
    rows["orders.Notification"] = get("orders", "Notification").objects.create(
        order=order, kind="decision", recipient="anna.andersson@skane.se", sent_at=NOW
    )
    rows["orders.Escalation"] = get("orders", "Escalation").objects.create(order=order, level=1)
    rows["orders.DigestSent"] = get("orders", "DigestSent").objects.create(
        user=karin, date=date(2026, 11, 29), order_count=1, sent_at=NOW - timedelta(hours=14)
    )

    rows["station.Station"] = station = get("station", "Station").objects.create(
        name="Kortstation SUS Lund", location="Entréhallen, Lund", credential_hash=make_password("stationsnyckel")
    )
    station.operators.add(olle, karin)
    rows["station.DeskSession"] = get("station", "DeskSession").objects.create(
        operator=olle, station=station, last_seen_at=NOW
    )
    rows["station.DeskVisit"] = visit = get("station", "DeskVisit").objects.create(
        station=station, operator=olle, card=card, id_document="passport"
    )
    rows["station.UnblockAttempt"] = attempt = get("station", "UnblockAttempt").objects.create(
        visit=visit,
        pin="legitimering",
        assisted=True,
        puk_tries_before=3,
        result="done",
        tries_left_after=3,
        finished_at=NOW,
        second_operator=karin,
    )
    rows["station.PukTicket"] = get("station", "PukTicket").objects.create(
        attempt=attempt, card=card, operator=olle, station=station, expires_at=NOW + timedelta(minutes=5)
    )

    rows["audit.AuditEvent"] = get("audit", "AuditEvent").objects.create(
        actor=karin,
        actor_label="Karin Kontakt",
        action="order_approved",
        object_type="orders.pukorder",
        object_id=str(order.pk),
        data={"from": "submitted", "to": "approved"},
    )
    get("audit", "AuditEvent").objects.create(
        actor=olle,
        actor_label="Olle Operatör",
        action="desk_login",
        object_type="station.station",
        object_id=str(station.pk),
        data={},
    )
    return rows


def _stored(value):
    # PostgreSQL hands a BinaryField back as a memoryview.
    return bytes(value) if isinstance(value, memoryview) else value


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_previous_release_migrates_with_every_row_intact():
    try:
        loader = _migrate(PREVIOUS_RELEASE)
        ours = {label for label, _ in PREVIOUS_RELEASE}
        then = {node for target in PREVIOUS_RELEASE for node in loader.graph.forwards_plan(target)}
        assert {node for node in loader.applied_migrations if node[0] in ours} == {
            node for node in then if node[0] in ours
        }, "the database is where the previous release left it"
        old_apps = loader.project_state(PREVIOUS_RELEASE).apps
        old_models = {model._meta.label: model for model in old_apps.get_models() if model._meta.app_label in ours}
        assert set(old_models) == set(TABLES), "every model of the previous release gets a row"
        for label, (_, table) in TABLES.items():
            assert old_models[label]._meta.db_table == table

        rows = _fill(old_apps)
        assert set(rows) == set(TABLES)
        for row in rows.values():
            row.refresh_from_db()
    finally:
        # Whatever happened, leave the shared test database at the newest migrations.
        _migrate(_newest())

    applied = MigrationExecutor(connection).loader.applied_migrations
    assert set(_newest()) <= set(applied)
    tables = set(connection.introspection.table_names())

    for label, (model, table) in TABLES.items():
        assert model._meta.db_table == table, f"{label} moved from its table {table}"
        assert table in tables, f"the table {table} of {label} is gone"
        old_row = rows[label]
        new_row = model.objects.get(pk=old_row.pk)
        for field in old_models[label]._meta.concrete_fields:
            if any(f.attname == field.attname for f in model._meta.concrete_fields):
                assert _stored(getattr(new_row, field.attname)) == _stored(getattr(old_row, field.attname)), (
                    f"{label}.{field.name} changed in the migration"
                )
        assert str(new_row)

    # The desk's server side moved to desk/ and kept its app label, so its tables,
    # migration history, permissions and audit object types are those of the old station app.
    assert Station._meta.app_label == "station"
    assert Station._meta.label_lower == "station.station"
    assert ("station", "0004_desk_sessions") in applied

    station = Station.objects.get(name="Kortstation SUS Lund")
    assert station.location == "Entréhallen, Lund"
    assert sorted(station.operators.values_list("username", flat=True)) == ["karin.kontakt", "olle.operator"]
    visit = DeskVisit.objects.get(station=station)
    assert visit.card.card_number == "9752270000004711"
    attempt = UnblockAttempt.objects.get(visit=visit)
    assert (attempt.result, attempt.second_operator.username) == ("done", "karin.kontakt")
    assert PukTicket.objects.get(attempt=attempt).station == station
    assert DeskSession.objects.get(station=station).operator.username == "olle.operator"

    order = PukOrder.objects.get(holder__personnummer=personnummer_for(4711))
    assert (order.state, order.decided_by.username) == ("posted", "karin.kontakt")
    assert order.card.card_number == "9752270000004711"
    letter = Letter.objects.get(order=order)
    assert (letter.tracking_id, letter.batch) == ("RR123456785SE", "20261130-01")
    assert PrintHouseEvent.objects.get(letter=letter).status == "posted"
    assert get_puk_store().puk_for(order.card).same_as(Code(PUK))

    karin = User.objects.get(username="karin.kontakt")
    sus = Forvaltning.objects.get(code="sus")
    assert karin.has_perm("organisation.approve_orders", sus)

    events = AuditEvent.objects.filter(actor__username__in=["karin.kontakt", "olle.operator"]).order_by("pk")
    assert [(e.object_type, e.object_id, e.action) for e in events] == [
        ("orders.pukorder", str(order.pk), "order_approved"),
        ("station.station", str(station.pk), "desk_login"),
    ]
    assert events[1].object_type == Station._meta.label_lower
