"""Queries of dose targets: store and read a target with its shares; the registry's eligible
unvaccinated residents per street; the doses given per street and local day of a period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from jointcheck.credentials.model import ExemptionEntry
from jointcheck.registry.areas import street_of
from jointcheck.rules.policy import PolicyPack
from jointcheck.rules.status import exempt_on
from jointcheck.storage.models import (
    AreaRow,
    ContraindicationRow,
    DoseTargetRow,
    DoseTargetShareRow,
    ResidentRow,
    VaccinationRow,
)
from jointcheck.storage.repositories._sql import within
from jointcheck.storage.repositories.status_facts import accepted_dose, exemption_entry


@dataclass(frozen=True, slots=True)
class StoredShare:
    """One street's share of a stored target."""

    street: str
    doses: int
    eligible_unvaccinated: int | None


@dataclass(frozen=True, slots=True)
class StoredTarget:
    """A stored target with its streets' shares, by street code."""

    id: int
    area: str
    doses: int
    start: date
    end: date
    split: str
    eligible_from: int | None
    assigned_by: str
    created_at: datetime
    shares: list[StoredShare]


class TargetRepository:
    """Dose targets, their shares, and the registry figures they are computed from."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def streets_in(self, area: str) -> list[str]:
        """Return the codes of the streets that are ``area`` or lie inside it."""
        return list(self.session.scalars(
            select(AreaRow.code).where(AreaRow.level == "street", within(AreaRow.code, area))
            .order_by(AreaRow.code)))

    def eligible_unvaccinated(self, streets: Sequence[str], born_by: date, on: date,
                              pack: PolicyPack) -> dict[str, int]:
        """Count per street the residents born on or before ``born_by`` who are not
        vaccinated and not exempt on ``on`` under ``pack`` (``jointcheck.rules.status``, as
        follow-up and organisations read it): no dose of a product the pack accepts given by
        ``on`` (in SQL), and no certificate the pack accepts in force (the few residents left
        with a certificate in force are checked by the rules)."""
        dosed = accepted_dose(ResidentRow.pid, pack, on)
        in_force = (ContraindicationRow.pid == ResidentRow.pid,
                    ContraindicationRow.valid_from <= on, ContraindicationRow.valid_until >= on)
        counts: dict[str, int] = {}
        for street in streets:
            unvaccinated = (within(ResidentRow.area_code, street),
                            ResidentRow.birth_date <= born_by, ~dosed)
            total = self.session.scalar(select(func.count()).select_from(ResidentRow)
                                        .where(*unvaccinated)) or 0
            certificates: dict[str, list[ExemptionEntry]] = defaultdict(list)
            for row in self.session.scalars(select(ContraindicationRow)
                                            .join(ResidentRow, and_(*in_force))
                                            .where(*unvaccinated)):
                certificates[row.pid].append(exemption_entry(row))
            counts[street] = total - sum(exempt_on(pack, entries, on)
                                         for entries in certificates.values())
        return counts

    def doses_by_street_day(self, area: str, start: date,
                            end: date) -> dict[tuple[str, date], int]:
        """Return the doses given from ``start`` to ``end`` to residents of ``area``, by the
        resident's street and the day of the dose."""
        rows = self.session.execute(
            select(ResidentRow.area_code, VaccinationRow.vaccinated_on, func.count())
            .join(ResidentRow, ResidentRow.pid == VaccinationRow.pid)
            .where(within(ResidentRow.area_code, area), VaccinationRow.vaccinated_on >= start,
                   VaccinationRow.vaccinated_on <= end)
            .group_by(ResidentRow.area_code, VaccinationRow.vaccinated_on))
        doses: dict[tuple[str, date], int] = defaultdict(int)
        for area_code, day, count in rows:
            if area_code.count(".") >= 1:  # a resident filed at district level has no street
                doses[(street_of(area_code), day)] += count
        return dict(doses)

    def add(self, area: str, doses: int, start: date, end: date, split: str,
            eligible_from: int | None, shares: Mapping[str, int],
            weights: Mapping[str, int] | None, assigned_by: str, at: datetime) -> int:
        """Store a target and its shares; return its id."""
        row = DoseTargetRow(area_code=area, doses=doses, start_on=start, end_on=end,
                            split=split, eligible_from=eligible_from, assigned_by=assigned_by,
                            created_at=at)
        self.session.add(row)
        self.session.flush()
        self.session.add_all(
            DoseTargetShareRow(target_id=row.id, street_code=street, doses=share,
                               eligible_unvaccinated=None if weights is None
                               else weights.get(street, 0))
            for street, share in shares.items())
        self.session.flush()
        return row.id

    def get(self, target_id: int) -> StoredTarget | None:
        """Return the target with ``target_id`` and its shares, or None."""
        row = self.session.get(DoseTargetRow, target_id)
        if row is None:
            return None
        shares = self.session.scalars(select(DoseTargetShareRow).where(
            DoseTargetShareRow.target_id == target_id).order_by(DoseTargetShareRow.street_code))
        return StoredTarget(row.id, row.area_code, row.doses, row.start_on, row.end_on,
                            row.split, row.eligible_from, row.assigned_by, row.created_at,
                            [StoredShare(s.street_code, s.doses, s.eligible_unvaccinated)
                             for s in shares])
