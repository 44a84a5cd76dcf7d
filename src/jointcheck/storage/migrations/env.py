"""Alembic's environment: runs on the engine that ``migrate`` hands over (online only)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from jointcheck.storage.db import make_engine
from jointcheck.storage.models import Base

config = context.config


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if isinstance(engine, Engine):
        return engine
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("run migrations through jointcheck.storage.migrations.migrate(url)")
    return make_engine(url)


def run_migrations_online() -> None:
    """Run the migrations in one transaction on the engine's connection."""
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("jointcheck migrates online only")
run_migrations_online()
