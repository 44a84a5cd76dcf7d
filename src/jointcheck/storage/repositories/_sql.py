"""SQL helpers shared by the repositories: an area and what lies inside it, and the
dialect's ``INSERT`` that knows ``ON CONFLICT``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from jointcheck.storage.repositories._chunks import table_of


def within(column: Any, area: str) -> ColumnElement[bool]:
    """Return the condition that the area code in ``column`` is ``area`` or lies inside it
    (a code starting with ``area`` and a dot; ``%`` and ``_`` in codes match themselves)."""
    return or_(column == area, column.startswith(area + ".", autoescape=True))


def upsert_insert(session: Session, model: Any) -> postgresql.Insert | sqlite.Insert:
    """Return an ``INSERT`` into the table of ``model`` in the session's dialect, whose
    ``on_conflict_do_nothing`` / ``on_conflict_do_update`` PostgreSQL and SQLite both run."""
    table = table_of(model)
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
