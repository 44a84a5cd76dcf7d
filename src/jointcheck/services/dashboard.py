"""Use cases of the operations dashboard: coverage by street and age group, checks by outcome
per day, and the dose targets touching an area.

Each needs ``reports.read`` (targets: ``targets.read``) over the area asked for. The answers
are counts only, never a person, so they are not audited reads of personal data. Checks are
rolled up per street (``services/daily_reports.py``), so their series is for a district or a
street; a community has none of its own.

Services never commit: the request or command commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from jointcheck.errors import InputError, NotFoundError
from jointcheck.reporting.coverage import (
    MAX_DAYS,
    DayOutcomes,
    StreetCoverage,
    checks_by_day,
    coverage_by_street,
    day_range,
)
from jointcheck.reporting.daily import OUTCOMES
from jointcheck.rules.policy import PolicyPack
from jointcheck.security.access import (
    Permission,
    Principal,
    Target,
    authorize,
    is_allowed,
    is_area_code,
)
from jointcheck.storage.repositories.dashboard import DashboardRepository, TargetSummary


@dataclass(frozen=True, slots=True)
class AreaCoverage:
    """The coverage of an area's streets by age group on a day."""

    area: str
    on: date
    streets: list[StreetCoverage]

    def as_dict(self) -> dict[str, Any]:
        return {"area": self.area, "on": self.on.isoformat(),
                "streets": [street.as_dict() for street in self.streets]}


@dataclass(frozen=True, slots=True)
class ChecksSeries:
    """An area's checks by outcome on each of a run of local days."""

    area: str
    days: list[DayOutcomes]

    def as_dict(self) -> dict[str, Any]:
        return {"area": self.area, "days": [day.as_dict() for day in self.days]}


def _registered_area(repository: DashboardRepository, principal: Principal, area: str,
                     permission: Permission) -> str:
    if not is_area_code(area):
        raise InputError("bad-area", f"{area!r} is not an area code such as fz.s01")
    authorize(principal, permission, Target(area=area))
    row = repository.area(area)
    if row is None:
        raise NotFoundError("unknown-area", f"{area} is not a registered area")
    return row.level


def area_coverage(session: Session, principal: Principal, area: str, on: date,
                  pack: PolicyPack) -> AreaCoverage:
    """Return the coverage of ``area``'s streets by age group on the local day ``on``, read
    under ``pack`` (``jointcheck.rules.status``: first dose and complete series of the products
    it accepts, certificates it accepts)."""
    repository = DashboardRepository(session)
    _registered_area(repository, principal, area, Permission.REPORTS_READ)
    streets = repository.streets(area)
    return AreaCoverage(area, on, coverage_by_street(repository.resident_groups(area, on, pack),
                                                     streets, on))


def checks_series(session: Session, principal: Principal, area: str, last: date,
                  days: int) -> ChecksSeries:
    """Return the checks by outcome of ``area`` (a district or street) on ``days`` local days
    ending with ``last``; a day not rolled up yet says so."""
    if not 1 <= days <= MAX_DAYS:
        raise InputError("bad-days", f"days is from 1 to {MAX_DAYS}, not {days}")
    repository = DashboardRepository(session)
    level = _registered_area(repository, principal, area, Permission.REPORTS_READ)
    if level not in ("district", "street"):
        raise InputError("bad-area-level", "checks are rolled up per street: ask for a "
                         f"district or a street, not the {level} {area}")
    wanted = day_range(last, days)
    streets = list(repository.streets(area))
    return ChecksSeries(area, checks_by_day(
        wanted, repository.checks_by_day(streets, wanted[0], wanted[-1]),
        repository.rolled_up_days(streets, wanted[0], wanted[-1]), OUTCOMES))


def area_streets(session: Session, principal: Principal, area: str) -> dict[str, str]:
    """Return the streets that ``area`` is, contains or lies in (code -> name), for a reader
    with ``reports.read`` over ``area``."""
    repository = DashboardRepository(session)
    _registered_area(repository, principal, area, Permission.REPORTS_READ)
    return repository.streets(area)


def visible_targets(session: Session, principal: Principal, area: str) -> list[TargetSummary]:
    """Return the dose targets touching ``area`` that ``principal`` may read, in whole or in
    some street's share, newest period first."""
    repository = DashboardRepository(session)
    _registered_area(repository, principal, area, Permission.TARGETS_READ)
    return [target for target in repository.targets_touching(area)
            if is_allowed(principal, Permission.TARGETS_READ, Target(area=target.area))
            or any(is_allowed(principal, Permission.TARGETS_READ, Target(area=street))
                   for street in target.streets)]
