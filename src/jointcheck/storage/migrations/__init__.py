"""Alembic migrations, kept inside the package so an installed jointcheck can migrate.

``migrate(url)`` upgrades a database to the newest revision; ``jointcheck db upgrade`` calls
it. Revision ids name what they add (``0001_registry``); later ones add users, tokens, the
audit log, health-code status and check events.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from jointcheck.storage.db import make_engine

HERE = Path(__file__).resolve().parent


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic configuration that runs this package's scripts on ``engine``."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["engine"] = engine
    return config


def migrate(url: str | URL | Engine, revision: str = "head") -> None:
    """Upgrade the database at ``url`` (or behind an engine) to ``revision``."""
    engine = url if isinstance(url, Engine) else make_engine(url)
    try:
        command.upgrade(alembic_config(engine), revision)
    finally:
        if engine is not url:
            engine.dispose()


def downgrade(url: str | URL | Engine, revision: str) -> None:
    """Downgrade the database at ``url`` to ``revision`` (``base`` drops every table)."""
    engine = url if isinstance(url, Engine) else make_engine(url)
    try:
        command.downgrade(alembic_config(engine), revision)
    finally:
        if engine is not url:
            engine.dispose()


def head_revision() -> str:
    """Return the newest revision of the scripts."""
    head = ScriptDirectory(str(HERE)).get_current_head()
    if head is None:
        raise RuntimeError("no migration scripts found")
    return head


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or None if it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_current(engine: Engine) -> bool:
    """Tell whether the database is at the newest revision."""
    return current_revision(engine) == head_revision()
