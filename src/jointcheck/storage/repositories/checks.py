"""Queries of check receipts, hourly counts and registrations.

Counting once rests on two statements that SQLite and PostgreSQL both run, through
SQLAlchemy's dialect inserts: receipts go in with ``INSERT ... ON CONFLICT DO NOTHING
RETURNING event_id``, which returns only the rows this transaction really inserted, and only
those are added to the counts with ``INSERT ... ON CONFLICT DO UPDATE SET count = count +
excluded.count``. On PostgreSQL a second transaction inserting the same event id waits for the
first to end and then inserts nothing; SQLite has one writer at a time. Rows are written in
sorted key order, so two uploads that overlap lock the same rows in the same order and cannot
deadlock.

Registrations are encrypted here, on the way in, each field bound to
``registration/<event id>/<field>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    DateTime,
    Integer,
    String,
    bindparam,
    delete,
    func,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.storage.models import CheckCountRow, CheckReceiptRow, RegistrationRow
from jointcheck.storage.repositories._chunks import chunked, table_of
from jointcheck.storage.repositories._sql import upsert_insert
from jointcheck.storage.types import UTCDateTime

ENCRYPTED = ("name", "id_number", "phone")


def context(event_id: str, field: str) -> str:
    """Return the associated data that binds a registration's ciphertext to its row."""
    return f"registration/{event_id}/{field}"


class CountKey(NamedTuple):
    """What a count is kept by: venue, UTC hour, outcome and basis."""

    venue: str
    hour: datetime
    outcome: str
    basis: str


class Receipt(NamedTuple):
    """A counted event as the server remembers it: venue, UTC hour and outcome."""

    event_id: str
    venue: str
    hour: datetime
    outcome: str


@dataclass(frozen=True, slots=True)
class HourCount:
    """One line of a venue's counts."""

    hour: datetime
    outcome: str
    basis: str
    count: int


@dataclass(frozen=True, slots=True)
class RegistrationValues:
    """A registration to store, in clear; ``registration_row`` encrypts it."""

    event_id: str
    venue: str
    registered_at: datetime
    checked_hour: datetime
    outcome: str
    pid: str
    name: str
    id_number: str
    phone: str
    reason: str
    purge_after: datetime


def registration_row(values: RegistrationValues, cipher: FieldCipher,
                     received_at: datetime) -> dict[str, Any]:
    """Return the column values of a registration, personal fields encrypted."""
    clear = {"name": values.name, "id_number": values.id_number, "phone": values.phone}
    encrypted = {f"{field}_enc": cipher.encrypt(clear[field], context(values.event_id, field))
                 for field in ENCRYPTED}
    return encrypted | {
        "event_id": values.event_id, "venue_code": values.venue,
        "registered_at": values.registered_at, "checked_hour": values.checked_hour,
        "outcome": values.outcome, "pid": values.pid, "reason": values.reason,
        "purge_after": values.purge_after, "received_at": received_at}


def _array(name: str, values: Sequence[Any], item: TypeEngine[Any]) -> BindParameter[Any]:
    return bindparam(name, list(values), type_=postgresql.ARRAY(item))


class CheckRepository:
    """Receipts, counts and registrations of check events."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _insert(self, model: Any) -> postgresql.Insert | sqlite.Insert:
        return upsert_insert(self.session, model)

    def add_receipts(self, receipts: Sequence[Receipt], received_at: datetime) -> set[str]:
        """Store the receipts not stored yet; return the event ids this call inserted."""
        if not receipts:
            return set()
        if self.session.get_bind().dialect.name == "postgresql":
            return self._add_receipts_postgresql(receipts, received_at)
        # One instant of receipt for the whole statement, bound once rather than per row.
        statement = sqlite.insert(table_of(CheckReceiptRow)).values(
            received_at=literal(received_at, UTCDateTime)).on_conflict_do_nothing(
            index_elements=["event_id"]).returning(table_of(CheckReceiptRow).c.event_id)
        rows = [{"event_id": r.event_id, "venue_code": r.venue, "hour": r.hour,
                 "outcome": r.outcome} for r in sorted(receipts, key=lambda r: r.event_id)]
        inserted: set[str] = set()
        for batch in chunked(rows):
            inserted.update(self.session.execute(statement, batch).scalars())
        return inserted

    def _add_receipts_postgresql(self, receipts: Sequence[Receipt],
                                 received_at: datetime) -> set[str]:
        # PostgreSQL's fast path: the rows as four arrays, unnested by the server, in one
        # short statement. A multi-row VALUES of thousands of parameters costs the driver
        # more to build and parse than the server takes to insert it.
        table = table_of(CheckReceiptRow)
        columns = list(zip(*((r.event_id, r.venue, r.hour, r.outcome) for r in receipts),
                           strict=True))
        source = func.unnest(
            _array("event_ids", columns[0], String()), _array("venues", columns[1], String()),
            _array("hours", columns[2], DateTime(timezone=True)),
            _array("outcomes", columns[3], String()),
        ).table_valued("event_id", "venue_code", "hour", "outcome").render_derived()
        rows = select(source.c.event_id, source.c.venue_code, source.c.hour, source.c.outcome,
                      literal(received_at, UTCDateTime)).order_by(source.c.event_id)
        statement = postgresql.insert(table).from_select(
            ["event_id", "venue_code", "hour", "outcome", "received_at"], rows
        ).on_conflict_do_nothing(index_elements=["event_id"]).returning(table.c.event_id)
        return set(self.session.execute(statement).scalars())

    def add_counts(self, counts: Mapping[CountKey, int]) -> None:
        """Add ``counts`` to the stored counts (a new key starts at its count)."""
        ordered = [(key, count) for key, count in sorted(counts.items()) if count > 0]
        if not ordered:
            return
        if self.session.get_bind().dialect.name != "postgresql":
            insert = sqlite.insert(table_of(CheckCountRow))
            self.session.execute(insert.on_conflict_do_update(
                index_elements=["venue_code", "hour", "outcome", "basis"],
                set_={"count": table_of(CheckCountRow).c.count + insert.excluded.count}),
                [{"venue_code": key.venue, "hour": key.hour, "outcome": key.outcome,
                  "basis": key.basis, "count": count} for key, count in ordered])
            return
        # PostgreSQL: arrays unnested by the server, as for the receipts.
        source = func.unnest(
            _array("venues", [k.venue for k, _ in ordered], String()),
            _array("hours", [k.hour for k, _ in ordered], DateTime(timezone=True)),
            _array("outcomes", [k.outcome for k, _ in ordered], String()),
            _array("bases", [k.basis for k, _ in ordered], String()),
            _array("counts", [c for _, c in ordered], Integer()),
        ).table_valued("venue_code", "hour", "outcome", "basis", "count").render_derived()
        rows = select(*source.c).order_by(*list(source.c)[:4])
        statement = postgresql.insert(table_of(CheckCountRow)).from_select(
            list(source.c.keys()), rows)
        self.session.execute(statement.on_conflict_do_update(
            index_elements=["venue_code", "hour", "outcome", "basis"],
            set_={"count": table_of(CheckCountRow).c.count + statement.excluded.count}))

    def receipts(self, event_ids: Iterable[str]) -> dict[str, Receipt]:
        """Return the stored receipts among ``event_ids``, by event id."""
        found: dict[str, Receipt] = {}
        for batch in chunked(sorted(set(event_ids))):
            rows = self.session.execute(
                select(CheckReceiptRow.event_id, CheckReceiptRow.venue_code,
                       CheckReceiptRow.hour, CheckReceiptRow.outcome)
                .where(CheckReceiptRow.event_id.in_(batch)))
            found.update((row.event_id, Receipt(*row)) for row in rows)
        return found

    def add_registrations(self, rows: Sequence[dict[str, Any]]) -> set[str]:
        """Store registrations made by ``registration_row`` unless stored; return the new ids."""
        if not rows:
            return set()
        statement = self._insert(RegistrationRow).on_conflict_do_nothing(
            index_elements=["event_id"]).returning(table_of(RegistrationRow).c.event_id)
        inserted: set[str] = set()
        for batch in chunked(sorted(rows, key=lambda row: str(row["event_id"]))):
            inserted.update(self.session.execute(statement, batch).scalars())
        return inserted

    def purge_registrations(self, now: datetime) -> int:
        """Delete the registrations whose ``purge_after`` is at or before ``now``; count them."""
        result = self.session.execute(
            delete(RegistrationRow).where(RegistrationRow.purge_after <= now)
            .execution_options(synchronize_session=False))
        return int(getattr(result, "rowcount", 0) or 0)

    def purge_receipts(self, before: datetime) -> int:
        """Delete the receipts of hours before ``before`` that no registration still needs."""
        kept = select(RegistrationRow.event_id)
        result = self.session.execute(
            delete(CheckReceiptRow).where(CheckReceiptRow.hour < before,
                                          CheckReceiptRow.event_id.not_in(kept))
            .execution_options(synchronize_session=False))
        return int(getattr(result, "rowcount", 0) or 0)

    def hourly_counts(self, venue: str, start: datetime, end: datetime) -> list[HourCount]:
        """Return a venue's counts for the hours from ``start`` up to (not including) ``end``."""
        rows = self.session.execute(
            select(CheckCountRow.hour, CheckCountRow.outcome, CheckCountRow.basis,
                   CheckCountRow.count)
            .where(CheckCountRow.venue_code == venue, CheckCountRow.hour >= start,
                   CheckCountRow.hour < end)
            .order_by(CheckCountRow.hour, CheckCountRow.outcome, CheckCountRow.basis))
        return [HourCount(*row) for row in rows]

    def total_counted(self, venue: str | None = None) -> int:
        """Return the number of events counted, at one venue if given."""
        query = select(func.coalesce(func.sum(CheckCountRow.count), 0))
        if venue is not None:
            query = query.where(CheckCountRow.venue_code == venue)
        return int(self.session.scalar(query) or 0)
