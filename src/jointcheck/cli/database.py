"""What a command that reads or writes the database shares: settings, engine, one unit of work."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from jointcheck.cli.common import usage_error
from jointcheck.config import Settings, load_settings
from jointcheck.errors import JointcheckError
from jointcheck.storage.db import make_engine, make_sessions, unit_of_work
from jointcheck.storage.migrations import head_revision, is_current

DbOption = typer.Option(None, "--db", help="Database URL (default JOINTCHECK_DATABASE_URL, "
                        "else sqlite:///var/jointcheck.db).")


def settings_or_exit() -> Settings:
    """Return the settings, turning a bad one into a usage error."""
    try:
        return load_settings()
    except ValidationError as exc:
        usage_error(f"bad settings: {exc.errors()[0]['msg']}")


def current_engine(url: str) -> Engine:
    """Return an engine on a database at the newest revision; else a usage error."""
    try:
        engine = make_engine(url)
    except (SQLAlchemyError, ValueError) as exc:
        usage_error(f"bad database URL: {exc}")
    try:
        current = is_current(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        usage_error(f"cannot open the database: {exc.__class__.__name__}: {exc}")
    if not current:
        engine.dispose()
        usage_error(f"the database is not at revision {head_revision()}; run "
                    "`jointcheck db upgrade` first")
    return engine


@contextmanager
def database_session(url: str | None, settings: Settings) -> Iterator[Session]:
    """Yield one session on a database at the newest revision; commit once at the end."""
    engine = current_engine(url or settings.database_url)
    try:
        with unit_of_work(make_sessions(engine)) as session:
            yield session
    except SQLAlchemyError as exc:
        usage_error(f"database error: {exc.__class__.__name__}: {exc}")
    finally:
        engine.dispose()


@contextmanager
def refusing_session(url: str | None, settings: Settings) -> Iterator[Session]:
    """As ``database_session``, with a refusal (``JointcheckError``) made a usage error."""
    try:
        with database_session(url, settings) as session:
            yield session
    except JointcheckError as exc:
        usage_error(f"{exc.message} ({exc.code})")


def cli_actor() -> str:
    """Return the audit actor of a command: ``cli:<the operating system's user>``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        # No user name in the environment or the password database (a bare container).
        name = "unknown"
    return f"cli:{name}"
