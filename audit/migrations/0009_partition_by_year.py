"""On PostgreSQL the audit trail becomes a table partitioned by year, so that retention can
drop a whole year once it is past its period (retention.services, docs/retention.md)
without ever changing or deleting a row: the trigger of 0003 refuses UPDATE and DELETE on
every partition as it did on the table.

The table is rebuilt: a partitioned twin is made (same columns, same identity), a partition
per UTC year from the oldest event's to next year's plus a default one for anything
outside them, every row is copied with its id, the old table is dropped and the twin takes
its name, its sequence, its indexes and foreign key (the same names) and the trigger. The
primary key becomes (id, at), as PostgreSQL asks the partition key to be in it; the id
stays unique by its sequence. It holds an exclusive lock while it copies: migrate in the
upgrade's stop (README, "Upgrading"). Rolled back, the same is done the other way: one
plain table again, every row and id kept.

SQLite (the embedded default) has no partitions: there the trail stays one plain table,
and retention leaves it whole.
"""

from django.db import migrations

TABLE = "audit_auditevent"
TRIGGER = f"""
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""


def _one(cursor, sql, params=()):
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def _is_partitioned(cursor):
    return _one(cursor, "SELECT relkind FROM pg_class WHERE oid = %s::regclass", [TABLE]) == "p"


def _definitions(cursor):
    """The table's indexes (but its primary key) and foreign keys, as SQL that makes them again."""
    cursor.execute(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s AND indexname <> %s",
        [TABLE, f"{TABLE}_pkey"],
    )
    # A partitioned table's own index reads "ON ONLY": made again, it should reach every partition.
    indexes = [row[0].replace(" ON ONLY ", " ON ") for row in cursor.fetchall()]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [TABLE],
    )
    foreign_keys = [f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}' for name, definition in cursor]
    return indexes, foreign_keys


def _next_id(cursor):
    """What the sequence would hand out next: above every id, and above what it handed out."""
    sequence = _one(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
    last_value, is_called = cursor.fetchone()
    highest = _one(cursor, f"SELECT COALESCE(MAX(id), 0) FROM {TABLE}")
    return max(highest, last_value if is_called else last_value - 1) + 1


def _rebuild(cursor, *, partitioned):
    indexes, foreign_keys = _definitions(cursor)
    next_id = _next_id(cursor)
    twin = f"{TABLE}_rebuilt"
    cursor.execute(
        f"CREATE TABLE {twin} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING IDENTITY)"
        + (" PARTITION BY RANGE (at)" if partitioned else "")
    )
    if partitioned:
        cursor.execute(
            f"SELECT EXTRACT(YEAR FROM MIN(at) AT TIME ZONE 'UTC')::int, EXTRACT(YEAR FROM NOW() AT TIME ZONE 'UTC')::int"
            f" FROM {TABLE}"
        )
        oldest, this_year = cursor.fetchone()
        for year in range(min(oldest or this_year, this_year), this_year + 2):
            cursor.execute(
                f"CREATE TABLE {TABLE}_y{year:04d} PARTITION OF {twin}"
                f" FOR VALUES FROM ('{year:04d}-01-01 00:00:00+00') TO ('{year + 1:04d}-01-01 00:00:00+00')"
            )
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {twin} DEFAULT")
    # The columns are the same, in the same order (LIKE); the ids are copied as they are.
    cursor.execute(f"INSERT INTO {twin} SELECT * FROM {TABLE}")
    copied = _one(cursor, f"SELECT COUNT(*) FROM {twin}")
    assert copied == _one(cursor, f"SELECT COUNT(*) FROM {TABLE}"), "every audit event is copied"
    # Its trigger, indexes, key and sequence go with it (the partitions too, rolling back).
    cursor.execute(f"DROP TABLE {TABLE}")
    cursor.execute(f"ALTER TABLE {twin} RENAME TO {TABLE}")
    sequence = _one(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {TABLE}_id_seq")
    cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [TABLE, next_id])
    key = "id, at" if partitioned else "id"
    cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY ({key})")
    for sql in indexes + foreign_keys:
        cursor.execute(sql)
    # On the partitioned table, PostgreSQL puts it on every partition, those made later too.
    cursor.execute(TRIGGER)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if not _is_partitioned(cursor):
            _rebuild(cursor, partitioned=True)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if _is_partitioned(cursor):
            _rebuild(cursor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("audit", "0008_retention_actions")]
    operations = [migrations.RunPython(forwards, backwards)]
