"""The ``db`` fixture: every integration test runs on SQLite (a temp file) and PostgreSQL.

PostgreSQL is the server on 127.0.0.1:5432 (user ``postgres``, trust auth; override with
``JOINTCHECK_TEST_PG``); each test gets a fresh database ``jointcheck_test_<random>``,
migrated with ``migrate(url)`` and dropped afterwards. When the server is unreachable the
PostgreSQL tests skip with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from jointcheck.config import RegistryKeys
from jointcheck.registry.areas import Area
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.storage.db import SessionFactory, make_engine, make_sessions, unit_of_work
from jointcheck.storage.migrations import migrate
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.scratch import DEFAULT_SERVER, server_reachable, temporary_database

PG_SERVER = os.environ.get("JOINTCHECK_TEST_PG", DEFAULT_SERVER)
AT = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")
AREAS = ("fz", "fz.s01", "fz.s01.c01", "fz.s01.c01.g01", "fz.s01.c02", "fz.s02",
         "fz.s02.c01")


@dataclass
class Database:
    """A migrated, empty test database."""

    url: URL
    engine: Engine
    sessions: SessionFactory

    @property
    def backend(self) -> str:
        return self.url.get_backend_name()

    def session(self) -> Session:
        """Return a plain session (the test closes it or uses ``unit_of_work``)."""
        return self.sessions()


@pytest.fixture(scope="session")
def pg_problem() -> str | None:
    problem = server_reachable(PG_SERVER)
    if problem is not None and os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL at {PG_SERVER} is unreachable under CI: {problem}")
    return problem


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """Yield the URL of an empty database of each kind (not migrated)."""
    if request.param == "sqlite":
        yield make_url(f"sqlite:///{tmp_path / 'test.db'}")
        return
    pg_problem = request.getfixturevalue("pg_problem")
    if pg_problem is not None:
        pytest.skip(f"PostgreSQL at {PG_SERVER} is unreachable ({pg_problem}); "
                    "the SQLite runs cover the same code")
    with temporary_database(PG_SERVER) as url:
        yield url


@pytest.fixture
def db(db_url: URL) -> Iterator[Database]:
    """Yield a migrated database of each kind."""
    migrate(db_url)
    engine = make_engine(db_url)
    try:
        yield Database(db_url, engine, make_sessions(engine))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def keys() -> RegistryKeys:
    return RegistryKeys(b"k" * 32, FieldCipher({1: b"f" * 32}, 1))


@pytest.fixture
def areas(db: Database) -> Database:
    """Return ``db`` with the test areas stored."""
    with unit_of_work(db.sessions) as session:
        AreaRepository(session).upsert(Area.of(code, code.upper()) for code in AREAS)
    return db


def write(path: Path, text: str) -> Path:
    """Write ``text`` (dedented lines) to ``path`` and return it."""
    path.write_text("\n".join(line.strip() for line in text.strip().splitlines()) + "\n",
                    encoding="utf-8")
    return path
