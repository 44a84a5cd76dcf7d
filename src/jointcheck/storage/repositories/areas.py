"""Queries of the area hierarchy."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jointcheck.registry.areas import Area, AreaLevel
from jointcheck.storage.models import AreaRow


def _area(row: AreaRow) -> Area:
    return Area(row.code, row.name, AreaLevel(row.level), row.parent_code)


class AreaRepository:
    """Areas by code; containment by code prefix."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, area: Area) -> None:
        """Add ``area`` (its parent must exist already)."""
        self.session.add(AreaRow(code=area.code, name=area.name, level=area.level.value,
                                 parent_code=area.parent))
        self.session.flush()

    def upsert(self, areas: Iterable[Area]) -> tuple[int, int]:
        """Add new areas and rename changed ones, parents first; return (written, unchanged)."""
        written = unchanged = 0
        for area in sorted(areas, key=lambda a: a.code.count(".")):
            row = self.session.get(AreaRow, area.code)
            if row is None:
                self.session.add(AreaRow(code=area.code, name=area.name,
                                         level=area.level.value, parent_code=area.parent))
                written += 1
            elif row.name != area.name:
                row.name = area.name
                written += 1
            else:
                unchanged += 1
            self.session.flush()
        return written, unchanged

    def get(self, code: str) -> Area | None:
        """Return the area with ``code``, or None."""
        row = self.session.get(AreaRow, code)
        return _area(row) if row is not None else None

    def codes(self) -> set[str]:
        """Return the code of every area."""
        return set(self.session.scalars(select(AreaRow.code)))

    def within(self, scope: str) -> list[Area]:
        """Return ``scope`` and every area inside it, by code."""
        rows = self.session.scalars(select(AreaRow).where(
            or_(AreaRow.code == scope, AreaRow.code.startswith(scope + ".", autoescape=True)))
            .order_by(AreaRow.code))
        return [_area(row) for row in rows]

    def children(self, code: str) -> list[Area]:
        """Return the areas directly inside ``code``."""
        rows = self.session.scalars(select(AreaRow).where(AreaRow.parent_code == code)
                                    .order_by(AreaRow.code))
        return [_area(row) for row in rows]
