"""Real databases for tests: a throw-away PostgreSQL database, or SQLite in a temp dir."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_problem() -> str | None:
    """None when PostgreSQL answers; else why not. Only a failed connection counts as
    "not there": any other error (a missing driver, a bug) is raised, never hidden."""
    import psycopg

    try:
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", connect_timeout=3):
            return None
    except psycopg.OperationalError as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def postgres_available() -> bool:
    return postgres_problem() is None


@contextmanager
def temporary_postgres():
    import psycopg

    name = f"dikta_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres",
                         autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres",
                             autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database_url(kind: str):
    """The URL for a test app: None (the embedded SQLite default in the data directory) or
    a throw-away PostgreSQL database."""
    if kind == "sqlite":
        yield None
    else:
        with temporary_postgres() as url:
            yield url
