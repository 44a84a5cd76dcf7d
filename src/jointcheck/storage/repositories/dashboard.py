"""Queries of the dashboard: residents counted by area, birth date and vaccination status; the
streets of an area; the rolled-up checks of a run of days; the dose targets touching an area.

Counts only: the resident query groups in the database and returns no pid, no name (the few
residents with a contraindication certificate in force are read by pid, for the rules to check
the certificate, and only counted).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, func, or_, select
from sqlalchemy.orm import Session

from jointcheck.credentials.model import ExemptionEntry
from jointcheck.reporting.coverage import ResidentGroup
from jointcheck.rules.policy import PolicyPack
from jointcheck.rules.status import exempt_on
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
from jointcheck.storage.repositories.status_facts import accepted_dose, exemption_entry


def _complete_series(pid: Any, pack: PolicyPack, on: date) -> Any:
    """Return the SQL condition that ``pid`` has completed a primary series under ``pack`` by
    ``on``: a dose of an accepted product numbered at least the product's series, given at
    least the product's ``days_after_complete`` before ``on`` (``vaccination.complete`` in the
    rules)."""
    products: dict[tuple[int, int], list[str]] = defaultdict(list)
    for name, product in pack.product_index.items():
        products[(product.series, product.days_after_complete)].append(name)
    ready: list[ColumnElement[bool]] = []
    for (series, days), names in sorted(products.items()):
        try:
            latest = on - timedelta(days=days)
        except OverflowError:  # before the first day there is: no dose is complete by ``on``
            continue
        ready.append(and_(VaccinationRow.product.in_(sorted(names)),
                          VaccinationRow.dose_number >= series,
                          VaccinationRow.vaccinated_on <= latest))
    return exists().where(VaccinationRow.pid == pid, VaccinationRow.vaccinated_on <= on,
                          or_(false(), *ready))


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

    def resident_groups(self, area: str, on: date, pack: PolicyPack) -> list[ResidentGroup]:
        """Return the residents of ``area`` counted by area, birth date and status on ``on``,
        read under ``pack`` as ``jointcheck.rules.status`` reads them: a first dose is a dose
        of a product the pack accepts given by ``on``; complete is the pack's primary series,
        complete by ``on``; exempt is a certificate the pack accepts, in force on ``on``.

        The doses are read in SQL; the few residents with a certificate in force are read one
        by one and their certificates checked by the rules."""
        certified = exists().where(ContraindicationRow.pid == ResidentRow.pid,
                                   ContraindicationRow.valid_from <= on,
                                   ContraindicationRow.valid_until >= on)
        flags = (select(ResidentRow.pid.label("pid"), ResidentRow.area_code.label("area"),
                        ResidentRow.birth_date.label("born"),
                        case((accepted_dose(ResidentRow.pid, pack, on), 1),
                             else_=0).label("first"),
                        case((_complete_series(ResidentRow.pid, pack, on), 1),
                             else_=0).label("complete"),
                        case((certified, 1), else_=0).label("certified"))
                 .where(within(ResidentRow.area_code, area)).subquery())
        counts: Counter[tuple[str, date, bool, bool, bool]] = Counter()
        for code, born, has_first, is_complete, count in self.session.execute(
                select(flags.c.area, flags.c.born, flags.c.first, flags.c.complete,
                       func.count())
                .where(flags.c.certified == 0)
                .group_by(flags.c.area, flags.c.born, flags.c.first, flags.c.complete)):
            counts[(code, born, bool(has_first), bool(is_complete), False)] += int(count)
        people: dict[str, tuple[str, date, bool, bool]] = {}
        certificates: dict[str, list[ExemptionEntry]] = defaultdict(list)
        for row, code, born, has_first, is_complete in self.session.execute(
                select(ContraindicationRow, flags.c.area, flags.c.born, flags.c.first,
                       flags.c.complete)
                .join(flags, flags.c.pid == ContraindicationRow.pid)
                .where(flags.c.certified == 1, ContraindicationRow.valid_from <= on,
                       ContraindicationRow.valid_until >= on)):
            people[row.pid] = (code, born, bool(has_first), bool(is_complete))
            certificates[row.pid].append(exemption_entry(row))
        for pid, (code, born, has_first, is_complete) in people.items():
            counts[(code, born, has_first, is_complete,
                    exempt_on(pack, certificates[pid], on))] += 1
        return [ResidentGroup(code, born, has_first, is_complete, is_exempt, count)
                for (code, born, has_first, is_complete, is_exempt), count in counts.items()]

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
