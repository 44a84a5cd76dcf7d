"""Engines and the unit of work: one commit per request or command, rollback on error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from jointcheck.errors import InputError

SessionFactory = sessionmaker[Session]


def database_url(url: str | URL) -> URL:
    """Return ``url`` parsed, with ``postgresql://`` meaning the psycopg 3 driver; a text
    that is not a database URL is refused (``bad-database-url``)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError("bad-database-url", f"{url!r} is not a database URL (for example "
                         "sqlite:///var/jointcheck.db or postgresql://user@host/db)") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL, **options: Any) -> Engine:
    """Return an engine for ``url``; SQLite gets its folder, foreign keys ON and WAL."""
    parsed = database_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, **options)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **options)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_sessions(engine: Engine) -> SessionFactory:
    """Return the session factory of ``engine`` (objects stay readable after commit)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(sessions: SessionFactory) -> Iterator[Session]:
    """Yield a session; commit once when the block ends, roll back if it raises."""
    session = sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
