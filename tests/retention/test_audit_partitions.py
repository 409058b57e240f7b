"""The audit trail on PostgreSQL: partitioned by UTC year (migration audit 0009), still
append-only on every partition, and thinned only by dropping whole years past the period,
each drop recorded in the trail. No row is ever changed or deleted."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from audit import partitions
from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import record
from retention import services
from retention.models import RetentionRun
from retention.policy import Kind
from tests.factories import PukOrderFactory

pytestmark = pytest.mark.services

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def event_at(clock, moment, order):
    clock.set(moment)
    return record(AuditAction.ORDER_APPROVED, order, reason=f"at {moment:%Y-%m-%d %H:%M}")


def all_rows():
    return {row["id"]: row for row in AuditEvent.objects.values()}


def refuses_change(table, pk):
    """The database refuses to UPDATE and to DELETE the row `pk` of `table`."""
    for sql in [f"UPDATE {table} SET reason = 'changed' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"]:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
    return True


def test_the_trail_is_partitioned_by_year_with_a_default_and_each_partition_refuses_changes(postgresql, card, clock):
    assert partitions.partitioned()
    this_year = datetime.now(UTC).year
    years = [p.year for p in partitions.year_partitions()]
    assert {this_year, this_year + 1} <= set(years)

    order = PukOrderFactory(card=card)
    now_event = record(AuditAction.ORDER_APPROVED, order, reason="ok")
    outside = event_at(clock, datetime(1999, 6, 1, tzinfo=UTC), order)  # no year partition: the default one
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM audit_auditevent WHERE id IN (%s, %s) ORDER BY id",
            [now_event.pk, outside.pk],
        )
        placed = [row[0] for row in cursor.fetchall()]
    assert placed == [partitions.partition_name(this_year), partitions.DEFAULT_PARTITION]

    # Through the table and straight on each partition alike.
    assert refuses_change("audit_auditevent", now_event.pk)
    assert refuses_change(partitions.partition_name(this_year), now_event.pk)
    assert refuses_change(partitions.DEFAULT_PARTITION, outside.pk)
    assert AuditEvent.objects.get(pk=now_event.pk).reason == "ok"

    # A year's partition made later has the trigger too.
    assert partitions.prepare_year(2040)
    later = event_at(clock, datetime(2040, 3, 1, tzinfo=UTC), order)
    assert refuses_change(partitions.partition_name(2040), later.pk)


def test_retention_drops_only_whole_years_past_the_period_and_records_each(postgresql, card, clock):
    order = PukOrderFactory(card=card)
    for year in (2014, 2015, 2016):
        partitions.prepare_year(year)
    events = {
        "2014": event_at(clock, datetime(2014, 6, 1, tzinfo=UTC), order),
        "2015-last": event_at(clock, datetime(2015, 12, 31, 23, 59, 59, tzinfo=UTC), order),
        # Older than ten years on NOW, but its year is not: kept with the whole of 2016.
        "2016-first": event_at(clock, datetime(2016, 1, 1, 0, 0, 30, tzinfo=UTC), order),
        "2016-late": event_at(clock, datetime(2016, 12, 31, tzinfo=UTC), order),
        # No year partition: in the default one, never dropped.
        "2001": event_at(clock, datetime(2001, 1, 1, tzinfo=UTC), order),
        "recent": event_at(clock, NOW - timedelta(days=1), order),
    }
    before = all_rows()

    clock.set(NOW)
    dry = services.carry_out(now=NOW, dry_run=True)
    assert dry.audit_years == [2014, 2015]
    assert dry.outcomes[Kind.AUDIT].counts["events"] == 2
    assert all_rows() == before and {p.year for p in partitions.year_partitions()} >= {2014, 2015, 2016}

    report = services.carry_out(now=NOW)

    assert report.audit_years == [2014, 2015]
    assert {p.year for p in partitions.year_partitions()}.isdisjoint({2014, 2015})
    after = all_rows()
    gone = {events["2014"].pk, events["2015-last"].pk}
    assert set(before) - set(after) == gone
    # Every other row is there as it was, to the last field.
    assert {pk: row for pk, row in after.items() if pk in before} == {
        pk: row for pk, row in before.items() if pk not in gone
    }
    assert "events outside a year partition" in report.outcomes[Kind.AUDIT].note

    run = RetentionRun.objects.get()
    assert run.audit_years_removed == [2014, 2015]
    removed = AuditEvent.objects.filter(action=AuditAction.AUDIT_YEAR_REMOVED).order_by("pk")
    assert [(e.object_id, e.data["year"], e.data["events"]) for e in removed] == [
        (str(run.pk), 2014, 1),
        (str(run.pk), 2015, 1),
    ]
    carried_out = AuditEvent.objects.get(action=AuditAction.RETENTION_CARRIED_OUT)
    assert carried_out.data["audit_years_removed"] == [2014, 2015]

    # Run again: nothing more to drop, nothing recorded.
    again = services.carry_out(now=NOW + timedelta(hours=1))
    assert again.audit_years == [] and RetentionRun.objects.count() == 1

    # 2016 goes when its last moment is ten years old: on new year's day 2027, UTC.
    new_year = datetime(2027, 1, 1, tzinfo=UTC)
    clock.set(new_year)
    assert services.carry_out(now=new_year).audit_years == [2016]
    assert events["2001"].pk in all_rows() and events["recent"].pk in all_rows()


def test_the_next_years_partition_is_made_ahead(postgresql, clock):
    later = datetime(2031, 7, 1, tzinfo=UTC)
    clock.set(later)
    services.carry_out(now=later)
    assert {2031, 2032} <= {p.year for p in partitions.year_partitions()}


@pytest.mark.django_db(transaction=True)
def test_the_migration_rolls_back_to_one_table_and_forward_again_keeping_every_row_and_the_trigger(postgresql, card):
    order = PukOrderFactory(card=card)
    first = record(AuditAction.ORDER_APPROVED, order, reason="before")
    before = all_rows()
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("audit", "0008_retention_actions")])
        assert not partitions.partitioned()
        assert all_rows() == before
        assert refuses_change("audit_auditevent", first.pk)
        second = record(AuditAction.ORDER_APPROVED, order, reason="in between")
        assert second.pk > first.pk
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert partitions.partitioned()
    assert set(all_rows()) == {first.pk, second.pk}
    assert refuses_change("audit_auditevent", second.pk)
    third = record(AuditAction.ORDER_APPROVED, order, reason="after")
    assert third.pk > second.pk
