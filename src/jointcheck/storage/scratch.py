"""Throw-away databases for tests and benchmarks: a PostgreSQL database made and dropped."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from jointcheck.storage.db import database_url, make_engine

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def server_reachable(server_url: str | URL = DEFAULT_SERVER) -> str | None:
    """Return None if the PostgreSQL server answers, else why not."""
    engine = make_engine(server_url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return f"{exc.__class__.__name__}: {str(exc).strip().splitlines()[0]}"
    finally:
        engine.dispose()
    return None


@contextmanager
def temporary_database(server_url: str | URL = DEFAULT_SERVER,
                       prefix: str = "jointcheck_test") -> Iterator[URL]:
    """Create an empty database on the server, yield its URL, and drop it afterwards."""
    server = database_url(server_url)
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(database=name)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
