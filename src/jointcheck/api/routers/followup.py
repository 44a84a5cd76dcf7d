"""Follow-up of unvaccinated residents (R7) and the door-to-door survey (R8).

``POST /api/followup/refresh`` opens and closes the cases of an area (``followup.write``);
``GET /api/followup/worklist`` lists them by priority and ``GET /api/followup/cases/{id}``
shows one with its outcomes (``followup.read``, audited: they show people); ``POST
/api/followup/cases/{id}/outcomes`` records an outcome (``followup.write``). ``GET
/api/followup/funnel`` counts cases per stage and ``GET /api/followup/surveys`` the survey's
coverage per grid (figures only: ``followup.read`` or ``reports.read``); ``POST
/api/followup/surveys`` records a household (``followup.write``). Eligibility follows the
district's policy pack; "today" is the district's (``JOINTCHECK_TIMEZONE``, as ``/api/me``
shows it), so a form's default day is the day the checks use.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, StrictStr

from jointcheck.api.deps import AuditDep, ContextDep, PrincipalDep, SessionDep, district_today
from jointcheck.api.errors import AUTH_RESPONSES
from jointcheck.api.routers.checks import PackDep
from jointcheck.services.followup import (
    case_detail,
    followup_funnel,
    funnel_dict,
    record_outcome,
    refresh,
    worklist,
)
from jointcheck.services.surveys import coverage_dict, record_survey, survey_coverage

router = APIRouter(prefix="/api/followup", tags=["followup"], responses=AUTH_RESPONSES)


class RefreshIn(BaseModel):
    """The area whose cases to refresh."""

    area: StrictStr = Field(description="A district, street, community or grid code.",
                            examples=["fz.s01"])


class RefreshOut(BaseModel):
    """What the refresh did, and how many cases are open in the area now."""

    area: str
    opened: int
    closed: int
    open: int


class OutcomeIn(BaseModel):
    """An outcome of a case."""

    outcome: StrictStr = Field(description="contacted, policy-explained, appointment-booked, "
                               "vaccinated, exemption-presented, declined, moved-away or "
                               "unreachable; vaccinated, exemption-presented and "
                               "moved-away close the case.")
    on: date = Field(description="The local day of the contact (not in the future, not "
                     "before the case opened or its last outcome).")
    note: StrictStr | None = Field(None, description="A short note (at most 200 characters).")


class MemberIn(BaseModel):
    """A member of the household."""

    id_number: StrictStr
    status: StrictStr = Field(description="vaccinated, partly-vaccinated, unvaccinated, "
                              "exempt, not-eligible or away, as the household reports it.")
    note: StrictStr | None = None


class SurveyIn(BaseModel):
    """A household visited door to door."""

    area: StrictStr = Field(description="The grid.", examples=["fz.s01.c01.g01"])
    on: date = Field(description="The local day of the visit.")
    address: StrictStr = Field(description="The address label (encrypted at rest).")
    members: list[MemberIn]


class SurveyOut(BaseModel):
    """The stored household, its members and the cases it opened."""

    survey_id: int
    members: int
    cases_opened: int


class ItemOut(BaseModel):
    """A case as a worker sees it; ``priority`` is a band (1 first) with its ``reasons``."""

    case_id: int
    pid: str
    name: str
    phone: str
    address: str
    birth_year: int
    age: int
    area: str
    source: Literal["registration", "registry", "survey"]
    priority: int
    reasons: list[str]
    days_since_eligible: int
    vulnerable_visits: int
    status: Literal["open", "closed"]
    last_outcome: str | None
    last_outcome_on: date | None
    opened_on: date


class WorklistOut(BaseModel):
    """An area's cases in the order to work them (open before closed)."""

    area: str
    items: list[ItemOut]


class OutcomeOut(BaseModel):
    """An outcome of a case."""

    outcome: str
    on: date
    worker: str
    note: str | None


class CaseOut(ItemOut):
    """A case and its outcomes, oldest first."""

    outcomes: list[OutcomeOut]


class FunnelOut(BaseModel):
    """Cases of an area per stage, each counted once at its latest outcome."""

    area: str
    total: int
    open: int
    closed: int
    stages: dict[str, int]


class GridOut(BaseModel):
    """One grid's survey figures."""

    area: str
    households: int
    members: int
    by_status: dict[str, int]


class CoverageOut(BaseModel):
    """The survey's coverage per grid within an area."""

    area: str
    grids: list[GridOut]


@router.post("/refresh", response_model=RefreshOut)
def post_refresh(body: RefreshIn, principal: PrincipalDep, session: SessionDep,
                 context: ContextDep, pack: PackDep) -> dict[str, Any]:
    """Close the area's cases whose person has a dose record; open the missing ones."""
    return refresh(session, principal, body.area, pack, context.clock.now(),
                   district_today(context)).as_dict()


@router.get("/worklist", response_model=WorklistOut)
def get_worklist(principal: PrincipalDep, session: SessionDep, context: ContextDep,
                 audit: AuditDep, pack: PackDep,
                 area: str = Query(description="A district, street, community or grid."),
                 status: str = Query("open", description="open, closed or all."),
                 limit: int = Query(200, description="Most items (1 to 1000).")
                 ) -> dict[str, Any]:
    """List the area's cases by priority, with the reasons (audited)."""
    return worklist(session, audit, principal, area, status, limit, context.keys.cipher, pack,
                    context.clock.now(), district_today(context)).as_dict()


@router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(case_id: int, principal: PrincipalDep, session: SessionDep, context: ContextDep,
             audit: AuditDep, pack: PackDep) -> dict[str, Any]:
    """Return a case with its outcomes (audited)."""
    return case_detail(session, audit, principal, case_id, context.keys.cipher, pack,
                       context.clock.now(), district_today(context)).as_dict()


@router.post("/cases/{case_id}/outcomes", response_model=CaseOut)
def post_outcome(case_id: int, body: OutcomeIn, principal: PrincipalDep, session: SessionDep,
                 context: ContextDep, audit: AuditDep, pack: PackDep) -> dict[str, Any]:
    """Record an outcome of a case; return the case."""
    return record_outcome(session, audit, principal, case_id, body.outcome, body.on,
                          body.note, context.keys.cipher, pack, context.clock.now(),
                          district_today(context)).as_dict()


@router.get("/funnel", response_model=FunnelOut)
def get_funnel(principal: PrincipalDep, session: SessionDep,
               area: str = Query(description="A district, street, community or grid.")
               ) -> dict[str, Any]:
    """Count the area's cases per stage (each at its latest outcome); figures only."""
    return funnel_dict(area, followup_funnel(session, principal, area))


@router.post("/surveys", response_model=SurveyOut, status_code=201)
def post_survey(body: SurveyIn, principal: PrincipalDep, session: SessionDep,
                context: ContextDep, audit: AuditDep, pack: PackDep) -> dict[str, Any]:
    """Record a household visited door to door; open the cases it calls for."""
    document = body.model_dump(mode="json", exclude_none=True)
    return record_survey(session, audit, principal, document, context.keys, pack,
                         context.clock.now(), district_today(context)).as_dict()


@router.get("/surveys", response_model=CoverageOut)
def get_surveys(principal: PrincipalDep, session: SessionDep,
                area: str = Query(description="A district, street, community or grid.")
                ) -> dict[str, Any]:
    """Return the survey's coverage per grid: households, members by reported status."""
    return coverage_dict(area, survey_coverage(session, principal, area))
