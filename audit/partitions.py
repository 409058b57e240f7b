"""The audit trail's years, on PostgreSQL: one partition per UTC year (migration 0009).

Rows are never changed or deleted (the trigger refuses it on every partition); what
retention may do is drop a whole year's partition once the year is past its period, a DDL
act that the caller records in the trail (retention.services). Next year's partition is
made ahead of time; a row that finds no year partition lands in the default one, which is
never dropped. On SQLite (the embedded default) the trail is one plain table: nothing here
applies, `partitioned()` says so.
"""

import re
from dataclasses import dataclass

from django.db import connection, transaction

TABLE = "audit_auditevent"
DEFAULT_PARTITION = f"{TABLE}_default"
_YEAR_NAME = re.compile(rf"^{TABLE}_y(\d{{4}})$")


@dataclass(frozen=True)
class YearPartition:
    year: int
    name: str


def partition_name(year: int) -> str:
    return f"{TABLE}_y{year:04d}"


def _bounds(year: int) -> str:
    """The partition bound of a UTC year, as PostgreSQL writes it back (Django's
    connections to PostgreSQL run in UTC)."""
    return f"FOR VALUES FROM ('{year:04d}-01-01 00:00:00+00') TO ('{year + 1:04d}-01-01 00:00:00+00')"


def partitioned() -> bool:
    """The trail is partitioned by year: PostgreSQL after migration audit 0009."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [TABLE])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def year_partitions() -> list[YearPartition]:
    """The partitions that hold exactly one UTC year each, oldest first. A partition with any
    other name or bound (the default one, one made by hand) is not a year and is left alone."""
    if not partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname, pg_get_expr(child.relpartbound, child.oid) FROM pg_inherits"
            " JOIN pg_class child ON child.oid = pg_inherits.inhrelid"
            " WHERE pg_inherits.inhparent = %s::regclass",
            [TABLE],
        )
        rows = cursor.fetchall()
    years = []
    for name, bound in rows:
        match = _YEAR_NAME.match(name)
        if match and bound == _bounds(int(match.group(1))):
            years.append(YearPartition(int(match.group(1)), name))
    return sorted(years, key=lambda partition: partition.year)


def rows_in(partition: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{_known(partition)}"')
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def rows_in_default(year: int | None = None) -> int:
    """The rows that found no year partition (of `year` only, if given)."""
    sql = f'SELECT COUNT(*) FROM "{DEFAULT_PARTITION}"'
    params: list[str] = []
    if year is not None:
        sql += " WHERE at >= %s::timestamptz AND at < %s::timestamptz"
        params = [f"{year:04d}-01-01 00:00:00+00", f"{year + 1:04d}-01-01 00:00:00+00"]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def prepare_year(year: int) -> bool:
    """Makes the partition of `year` if there is none; True if it was made. Not when rows of
    that year already wait in the default partition: moving them would mean deleting rows,
    which the trail never does, so they stay there (and are never dropped)."""
    with transaction.atomic():
        _lock_years()
        if year in {partition.year for partition in year_partitions()} or rows_in_default(year):
            return False
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE TABLE "{partition_name(year)}" PARTITION OF "{TABLE}" {_bounds(year)}')
        return True


def drop_year(year: int) -> int:
    """Drops the partition of `year`, the whole year at once, and returns how many events it
    held. The caller decides that the year is past its period and records the act, in the
    same transaction."""
    with transaction.atomic():
        _lock_years()
        partition = next((p for p in year_partitions() if p.year == year), None)
        if partition is None:
            raise LookupError(f"the audit trail has no partition of the year {year}")
        rows = rows_in(partition.name)
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE "{partition.name}"')
        return rows


def _lock_years() -> None:
    """One run at a time makes or drops a year (two beat runs, or beat and the command):
    held until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{TABLE} years"])


def _known(partition: str) -> str:
    """Only our own partitions' names reach SQL."""
    if partition != DEFAULT_PARTITION and not _YEAR_NAME.match(partition):
        raise ValueError(f"not a partition of the audit trail: {partition!r}")
    return partition
