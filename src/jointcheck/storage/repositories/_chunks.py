"""Helpers of the repositories: long ``IN`` lists in chunks, a model's table, COPY."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Table

T = TypeVar("T")
IN_LIMIT = 2000


def chunked(items: Iterable[T], size: int = IN_LIMIT) -> Iterator[list[T]]:
    """Yield lists of at most ``size`` items."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def distinct(items: Sequence[T]) -> list[T]:
    """Return ``items`` without repeats, in first-seen order."""
    return list(dict.fromkeys(items))


def table_of(model: Any) -> Table:
    """Return the table of a mapped class (for Core bulk statements on the hot path)."""
    return cast(Table, model.__table__)


def copy_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Write ``rows`` into ``table`` with PostgreSQL's COPY, in the session's transaction.

    The fast path of bulk inserts on PostgreSQL (several times an executemany); the values
    are written as the driver adapts them, so instants must already be aware (the import
    checks that once per run). SQLite takes the plain executemany.
    """
    columns = list(rows[0])
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])
