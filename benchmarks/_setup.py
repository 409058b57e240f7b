"""Shared set-up for the benchmarks: a fresh PostgreSQL database of their own and Django."""

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def django_on_fresh_database(name, **env):
    """Point Django at a new, empty, migrated PostgreSQL database `name`."""
    import psycopg

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rsportal.settings")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    os.environ.update(env)
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
