"""Queries of the dashboard: residents counted by area, birth date and vaccination status; the
streets of an area; the rolled-up checks of a run of days; the dose targets touching an area.

Counts only: the resident query groups in the database and returns no pid, no name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from jointcheck.reporting.coverage import ResidentGroup
from jointcheck.storage.models import (
    AreaRow,
    ContraindicationRow,
    DailyStreetCheckRow,
    DailyStreetTotalRow,
    DoseTargetRow,
    DoseTargetShareRow,
    ResidentRow,
    VaccinationRow,
)
from jointcheck.storage.repositories._sql import within


@dataclass(frozen=True, slots=True)
class TargetSummary:
    """A dose target's area, size and period, and the streets it was split to."""

    id: int
    area: str
    doses: int
    start: date
    end: date
    streets: tuple[str, ...]


class DashboardRepository:
    """The aggregate queries behind the dashboard's charts."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def area(self, code: str) -> AreaRow | None:
        """Return the registered area ``code``, or None."""
        return self.session.get(AreaRow, code)

    def streets(self, area: str) -> dict[str, str]:
        """Return the streets that ``area`` is, contains, or lies in: code -> name."""
        segments = area.split(".")
        street = ".".join(segments[:2]) if len(segments) >= 2 else None
        query = select(AreaRow.code, AreaRow.name).where(AreaRow.level == "street")
        query = query.where(AreaRow.code == street) if street is not None else \
            query.where(within(AreaRow.code, area))
        return {code: name for code, name in self.session.execute(query.order_by(AreaRow.code))}

    def resident_groups(self, area: str, on: date) -> list[ResidentGroup]:
        """Return the residents of ``area`` counted by area, birth date and status on ``on``."""
        doses = (select(VaccinationRow.pid.label("pid"),
                        func.max(case((VaccinationRow.dose_number >= VaccinationRow.series_total,
                                       1), else_=0)).label("complete"))
                 .where(VaccinationRow.vaccinated_on <= on)
                 .group_by(VaccinationRow.pid).subquery())
        exempt = (select(ContraindicationRow.pid.label("pid"))
                  .where(ContraindicationRow.valid_from <= on,
                         ContraindicationRow.valid_until >= on)
                  .group_by(ContraindicationRow.pid).subquery())
        first = case((doses.c.pid.is_not(None), 1), else_=0)
        complete = func.coalesce(doses.c.complete, 0)
        exempted = case((exempt.c.pid.is_not(None), 1), else_=0)
        rows = self.session.execute(
            select(ResidentRow.area_code, ResidentRow.birth_date, first, complete, exempted,
                   func.count())
            .select_from(ResidentRow)
            .outerjoin(doses, doses.c.pid == ResidentRow.pid)
            .outerjoin(exempt, exempt.c.pid == ResidentRow.pid)
            .where(within(ResidentRow.area_code, area))
            .group_by(ResidentRow.area_code, ResidentRow.birth_date, first, complete, exempted))
        return [ResidentGroup(code, born, bool(has_first), bool(is_complete), bool(is_exempt),
                              int(count))
                for code, born, has_first, is_complete, is_exempt, count in rows]

    def checks_by_day(self, streets: Sequence[str], first: date,
                      last: date) -> list[tuple[date, str, int]]:
        """Return the rolled-up checks of ``streets`` from ``first`` to ``last``: (day, outcome,
        count)."""
        if not streets:
            return []
        rows = self.session.execute(
            select(DailyStreetCheckRow.day, DailyStreetCheckRow.outcome,
                   func.sum(DailyStreetCheckRow.count))
            .where(DailyStreetCheckRow.street_code.in_(streets),
                   DailyStreetCheckRow.day >= first, DailyStreetCheckRow.day <= last)
            .group_by(DailyStreetCheckRow.day, DailyStreetCheckRow.outcome))
        return [(day, outcome, int(count)) for day, outcome, count in rows]

    def rolled_up_days(self, streets: Sequence[str], first: date, last: date) -> set[date]:
        """Return the days from ``first`` to ``last`` the roll-up computed for ``streets``."""
        if not streets:
            return set()
        return set(self.session.scalars(
            select(DailyStreetTotalRow.day).where(
                DailyStreetTotalRow.street_code.in_(streets),
                DailyStreetTotalRow.day >= first, DailyStreetTotalRow.day <= last)
            .group_by(DailyStreetTotalRow.day)))

    def targets_touching(self, area: str) -> list[TargetSummary]:
        """Return the targets of ``area``, of areas inside it, and of areas it lies in."""
        segments = area.split(".")
        ancestors = [".".join(segments[:n]) for n in range(1, len(segments))]
        rows = self.session.execute(
            select(DoseTargetRow.id, DoseTargetRow.area_code, DoseTargetRow.doses,
                   DoseTargetRow.start_on, DoseTargetRow.end_on)
            .where(or_(within(DoseTargetRow.area_code, area),
                       DoseTargetRow.area_code.in_(ancestors)))
            .order_by(DoseTargetRow.start_on.desc(), DoseTargetRow.id.desc())).all()
        shares: dict[int, list[str]] = {}
        if rows:
            for target_id, street in self.session.execute(
                    select(DoseTargetShareRow.target_id, DoseTargetShareRow.street_code)
                    .where(DoseTargetShareRow.target_id.in_([row[0] for row in rows]))
                    .order_by(DoseTargetShareRow.street_code)):
                shares.setdefault(target_id, []).append(street)
        return [TargetSummary(target_id, code, doses, start, end,
                              tuple(shares.get(target_id, [])))
                for target_id, code, doses, start, end in rows]
