"""Queries of vaccination records, written in batches for imports of millions of rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from jointcheck.registry.people import VaccinationRecord
from jointcheck.storage.models import VaccinationRow
from jointcheck.storage.repositories._chunks import chunked, copy_rows, distinct, table_of

RecordKey = tuple[str, str, int, date]
"""What makes a record unique: pid, product, dose number, date."""


class StoredDetail(NamedTuple):
    """The stored row id and the fields a re-import may change."""

    id: int
    series_total: int
    site: str
    lot: str


class VaccinationRepository:
    """Vaccination records by person."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def existing(self, pids: Sequence[str]) -> dict[RecordKey, StoredDetail]:
        """Return every stored record of ``pids`` by its unique key."""
        found: dict[RecordKey, StoredDetail] = {}
        columns = (VaccinationRow.pid, VaccinationRow.product, VaccinationRow.dose_number,
                   VaccinationRow.vaccinated_on, VaccinationRow.id, VaccinationRow.series_total,
                   VaccinationRow.site, VaccinationRow.lot)
        for batch in chunked(distinct(pids)):
            for pid, product, dose, day, row_id, total, site, lot in self.session.execute(
                    select(*columns).where(VaccinationRow.pid.in_(batch))):
                found[(pid, product, dose, day)] = StoredDetail(row_id, total, site, lot)
        return found

    def insert_many(self, rows: list[dict[str, Any]]) -> None:
        """Insert rows (column name to value): COPY on PostgreSQL, else one executemany."""
        if not rows:
            return
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            copy_rows(connection, table_of(VaccinationRow), rows)
        else:
            self.session.execute(insert(table_of(VaccinationRow)), rows)

    def update_many(self, rows: list[dict[str, Any]]) -> None:
        """Update stored records; each row carries its ``id``."""
        if rows:
            self.session.execute(update(VaccinationRow), rows)

    def for_person(self, pid: str) -> list[VaccinationRecord]:
        """Return the records of ``pid`` in date order."""
        rows = self.session.scalars(select(VaccinationRow).where(VaccinationRow.pid == pid)
                                    .order_by(VaccinationRow.vaccinated_on,
                                              VaccinationRow.dose_number))
        return [VaccinationRecord(row.pid, row.product, row.dose_number, row.series_total,
                                  row.vaccinated_on, row.site, row.lot) for row in rows]

    def count(self) -> int:
        """Return the number of records."""
        return self.session.scalar(select(func.count()).select_from(VaccinationRow)) or 0
