"""Indexes for finding employees by the start of a name or by HSA-id, whatever the case.

The queue's search and the on-behalf search ask `UPPER(first_name) LIKE UPPER('anna%')`
(Django's istartswith) and `UPPER(hsa_id) = UPPER(…)` (iexact): plain indexes on the
columns do not serve those. Expression indexes with text_pattern_ops (which serves a
prefix LIKE in any collation) do. PostgreSQL only: on SQLite, the embedded default with
demo-sized data, this migration does nothing.
"""

from django.db import migrations

INDEXES = {
    "employee_first_name_upper": "UPPER(first_name) text_pattern_ops",
    "employee_last_name_upper": "UPPER(last_name) text_pattern_ops",
    "employee_hsa_id_upper": "UPPER(hsa_id)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, expression in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON organisation_employee ({expression})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("organisation", "0002_contact_person_email_preference")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
