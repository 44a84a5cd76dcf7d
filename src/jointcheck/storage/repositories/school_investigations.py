"""Queries of school investigations and their entries.

Both are written with SQLAlchemy's dialect inserts (``ON CONFLICT``), on SQLite and
PostgreSQL alike, so that two requests at the same time do not fail on a unique key.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from jointcheck.organisations import Status
from jointcheck.storage.models import InvestigationEntryRow, SchoolInvestigationRow
from jointcheck.storage.repositories._chunks import chunked, table_of
from jointcheck.storage.repositories._sql import upsert_insert


class StoredInvestigation(NamedTuple):
    """An investigation as stored."""

    id: int
    organisation: str
    term_start: date
    deadline: date
    opened_by: str
    opened_at: datetime


def _investigation(row: SchoolInvestigationRow) -> StoredInvestigation:
    return StoredInvestigation(row.id, row.organisation_code, row.term_start, row.deadline,
                               row.opened_by, row.opened_at)


class SchoolInvestigationRepository:
    """School investigations by organisation, and the entries of each."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _insert(self, model: Any) -> postgresql.Insert | sqlite.Insert:
        return upsert_insert(self.session, model)

    def add(self, organisation: str, term_start: date, deadline: date, opened_by: str,
            at: datetime) -> int | None:
        """Store an investigation; return its id, or None when the organisation already has
        one of that term (also when another transaction stored it meanwhile:
        ``ON CONFLICT DO NOTHING``)."""
        table = table_of(SchoolInvestigationRow)
        statement = self._insert(SchoolInvestigationRow).values(
            organisation_code=organisation, term_start=term_start, deadline=deadline,
            opened_by=opened_by, opened_at=at,
        ).on_conflict_do_nothing(index_elements=["organisation_code", "term_start"])
        return self.session.execute(statement.returning(table.c.id)).scalar()

    def get(self, investigation_id: int) -> StoredInvestigation | None:
        """Return investigation ``investigation_id``, or None."""
        row = self.session.get(SchoolInvestigationRow, investigation_id)
        return _investigation(row) if row is not None else None

    def of_organisation(self, organisation: str) -> list[StoredInvestigation]:
        """Return an organisation's investigations, newest term first."""
        rows = self.session.scalars(
            select(SchoolInvestigationRow)
            .where(SchoolInvestigationRow.organisation_code == organisation)
            .order_by(SchoolInvestigationRow.term_start.desc(), SchoolInvestigationRow.id))
        return [_investigation(row) for row in rows]

    def entries(self, investigation_id: int) -> dict[str, Status]:
        """Return the status recorded for each checked pid."""
        rows = self.session.execute(
            select(InvestigationEntryRow.pid, InvestigationEntryRow.status)
            .where(InvestigationEntryRow.investigation_id == investigation_id))
        return {pid: Status(status) for pid, status in rows}

    def record(self, investigation_id: int, checked: Mapping[str, Status], on: date,
               by: str, at: datetime) -> None:
        """Record that the pids were checked on ``on`` with their statuses; a pid checked
        before gets its entry replaced (the latest check wins).

        ``INSERT ... ON CONFLICT (investigation_id, pid) DO UPDATE``, in pid order: two
        checks of one school at the same time both succeed, the one committed last wins.
        """
        rows = [{"investigation_id": investigation_id, "pid": pid, "checked_on": on,
                 "status": status.value, "recorded_by": by, "recorded_at": at}
                for pid, status in sorted(checked.items())]
        if not rows:
            return
        insert = self._insert(InvestigationEntryRow)
        statement = insert.on_conflict_do_update(
            index_elements=["investigation_id", "pid"],
            set_={"checked_on": insert.excluded.checked_on, "status": insert.excluded.status,
                  "recorded_by": insert.excluded.recorded_by,
                  "recorded_at": insert.excluded.recorded_at})
        for batch in chunked(rows):
            self.session.execute(statement, batch)
