"""``/api/dashboard``: the aggregate figures of the operations dashboard (counts only).

``GET /api/dashboard/coverage?area=`` gives an area's coverage by street and age group on a
day; ``GET /api/dashboard/checks?area=&days=`` the checks by outcome on each of the last days
(from the daily roll-ups, for a district or a street); ``GET /api/dashboard/targets?area=``
the dose targets touching the area that the caller may read; ``GET
/api/dashboard/streets?area=`` the area's streets by name. All need ``reports.read`` over
the area but the targets, which need ``targets.read``. Days are the district's local
days; "today" is the clock's, in the district's time zone.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query
from pydantic import BaseModel

from jointcheck.api.deps import ContextDep, PrincipalDep, SessionDep, district_today
from jointcheck.api.errors import AUTH_RESPONSES, documented
from jointcheck.api.routers.checks import PackDep
from jointcheck.services.dashboard import (
    area_coverage,
    area_streets,
    checks_series,
    visible_targets,
)

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"], responses=AUTH_RESPONSES)
AREA_ERRORS = (documented(400, "The area is not an area code (`bad-area`)")
               | documented(404, "The area is not registered (`unknown-area`)"))


class AgeGroupOut(BaseModel):
    """One age group of a street: residents, with a first dose, complete series, exempt."""

    group: str
    residents: int
    first_dose: int
    complete: int
    exempt: int


class StreetCoverageOut(BaseModel):
    """A street's coverage by age group."""

    street: str
    name: str
    age_groups: list[AgeGroupOut]


class CoverageOut(BaseModel):
    """An area's coverage by street and age group on a local day."""

    area: str
    on: date
    streets: list[StreetCoverageOut]


class DayChecksOut(BaseModel):
    """A local day's checks by outcome; ``rolled_up`` is false for a day not computed yet."""

    day: date
    by_outcome: dict[str, int]
    rolled_up: bool


class ChecksOut(BaseModel):
    """An area's checks by outcome per local day, oldest first."""

    area: str
    days: list[DayChecksOut]


class StreetOut(BaseModel):
    """A street's code and name."""

    street: str
    name: str


class StreetsOut(BaseModel):
    """The streets of an area (for a community or grid: the street it lies in)."""

    area: str
    streets: list[StreetOut]


class TargetSummaryOut(BaseModel):
    """A dose target's area, size and period and the streets it was split to."""

    id: int
    area: str
    doses: int
    start: date
    end: date
    streets: list[str]


class TargetsOut(BaseModel):
    """The dose targets touching an area that the caller may read."""

    area: str
    targets: list[TargetSummaryOut]


@router.get("/coverage", response_model=CoverageOut, responses=AREA_ERRORS)
def coverage(principal: PrincipalDep, session: SessionDep, context: ContextDep, pack: PackDep,
             area: str = Query(description="A district, street or community code."),
             on: date | None = Query(None, description="The local day; default today.")
             ) -> CoverageOut:
    """Return the area's coverage by street and age group (``reports.read``)."""
    found = area_coverage(session, principal, area,
                          on if on is not None else district_today(context), pack)
    return CoverageOut.model_validate(found.as_dict())


@router.get("/checks", response_model=ChecksOut, responses=AREA_ERRORS | documented(
    400, "Days outside 1 to 92 (`bad-days`) or an area below a street (`bad-area-level`)"))
def checks(principal: PrincipalDep, session: SessionDep, context: ContextDep,
           area: str = Query(description="A district or street code."),
           days: int = Query(14, description="How many days, ending with `until` (1 to 92)."),
           until: date | None = Query(None, description="The last local day; default today.")
           ) -> ChecksOut:
    """Return the area's checks by outcome per local day (``reports.read``)."""
    found = checks_series(session, principal, area,
                          until if until is not None else district_today(context), days)
    return ChecksOut.model_validate(found.as_dict())


@router.get("/streets", response_model=StreetsOut, responses=AREA_ERRORS)
def streets(principal: PrincipalDep, session: SessionDep,
            area: str = Query(description="A district, street or community code.")
            ) -> StreetsOut:
    """List the streets of the area, for choosing a street's report (``reports.read``)."""
    found = area_streets(session, principal, area)
    return StreetsOut(area=area, streets=[StreetOut(street=code, name=name)
                                          for code, name in found.items()])


@router.get("/targets", response_model=TargetsOut, responses=AREA_ERRORS)
def targets(principal: PrincipalDep, session: SessionDep,
            area: str = Query(description="A district or street code.")) -> TargetsOut:
    """List the dose targets touching the area that the caller may read (``targets.read``)."""
    found = visible_targets(session, principal, area)
    return TargetsOut(area=area, targets=[TargetSummaryOut(
        id=item.id, area=item.area, doses=item.doses, start=item.start, end=item.end,
        streets=list(item.streets)) for item in found])
