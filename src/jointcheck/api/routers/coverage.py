"""Coverage of organisations and industries for their supervisors (R12, R14).

``reports.read`` over the organisation (its industry for an industry supervisor, its street
for a street office, itself for its admin). Figures only, ordered by code or name, never by
rate: no score or ranking of a company (SPEC §2, declined).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from jointcheck.api.deps import ContextDep, PrincipalDep, SessionDep
from jointcheck.api.errors import AUTH_RESPONSES
from jointcheck.api.routers.checks import PackDep
from jointcheck.api.routers.organisations import OnQuery, local_today
from jointcheck.organisations import Coverage
from jointcheck.services.organisations import coverage_by_industry, coverage_by_organisation

router = APIRouter(prefix="/api", tags=["organisations"], responses=AUTH_RESPONSES)


class FiguresOut(BaseModel):
    """Coverage figures: distinct members and how many are in each status."""

    members: int
    complete: int
    partial: int
    unvaccinated: int
    exempt: int
    not_eligible: int
    complete_rate: float | None


class OrganisationCoverageOut(FiguresOut):
    """An organisation's coverage."""

    code: str
    name: str
    industry: str


class CoverageOut(BaseModel):
    """Coverage per organisation, by code."""

    on: date
    organisations: list[OrganisationCoverageOut]


class IndustryCoverageOut(FiguresOut):
    """An industry's coverage (a person in two of its organisations counts once)."""

    industry: str
    service_industry: bool
    organisations: int


class IndustriesOut(BaseModel):
    """Coverage per industry, by name."""

    on: date
    industries: list[IndustryCoverageOut]


def _figures(coverage: Coverage) -> dict[str, Any]:
    return {"members": coverage.members, "complete": coverage.complete,
            "partial": coverage.partial, "unvaccinated": coverage.unvaccinated,
            "exempt": coverage.exempt, "not_eligible": coverage.not_eligible,
            "complete_rate": coverage.complete_rate}



@router.get("/coverage/organisations", response_model=CoverageOut)
def get_coverage_organisations(principal: PrincipalDep, session: SessionDep,
                               context: ContextDep, pack: PackDep,
                               industry: str | None = Query(None),
                               street: str | None = Query(None),
                               on: date | None = OnQuery) -> CoverageOut:
    """Return coverage figures per organisation, by code (``reports.read``)."""
    day = on or local_today(context)
    found = coverage_by_organisation(session, principal, pack, day, industry, street)
    return CoverageOut(on=day, organisations=[OrganisationCoverageOut(
        code=c.organisation.code, name=c.organisation.name, industry=c.organisation.industry,
        **_figures(c.coverage)) for c in found])


@router.get("/coverage/industries", response_model=IndustriesOut)
def get_coverage_industries(principal: PrincipalDep, session: SessionDep, context: ContextDep,
                            pack: PackDep, on: date | None = OnQuery) -> IndustriesOut:
    """Return coverage figures per industry, by name (``reports.read``)."""
    day = on or local_today(context)
    found = coverage_by_industry(session, principal, pack, day)
    return IndustriesOut(on=day, industries=[IndustryCoverageOut(
        industry=c.industry, service_industry=c.service_industry,
        organisations=c.organisations, **_figures(c.coverage)) for c in found])
