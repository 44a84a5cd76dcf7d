"""A school's one-week investigation of its staff, students and students' families (R11).

Opening an investigation and recording checks need ``organisations.write`` over the school
(recording reads personal data and is audited); reading the progress needs
``organisations.read`` and gives figures only.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, StrictStr

from jointcheck.api.deps import AuditDep, ContextDep, PrincipalDep, SessionDep
from jointcheck.api.errors import AUTH_RESPONSES
from jointcheck.api.routers.checks import PackDep
from jointcheck.api.routers.organisations import local_today
from jointcheck.organisations import InvestigationProgress
from jointcheck.services.school_investigations import (
    InvestigationReport,
    check_all,
    investigation_report,
    list_investigations,
    open_investigation,
    record_entry,
)

router = APIRouter(prefix="/api", tags=["organisations"], responses=AUTH_RESPONSES)


class InvestigationIn(BaseModel):
    """The first day of the term."""

    term_start: date


class GroupOut(BaseModel):
    """A group's members, those checked, and the checked by status."""

    total: int
    checked: int
    by_status: dict[str, int]


class InvestigationOut(BaseModel):
    """An investigation's progress as of today."""

    id: int
    organisation: str
    term_start: date
    deadline: date
    today: date
    days_left: int
    overdue: bool
    complete: bool
    groups: dict[str, GroupOut]


class InvestigationsOut(BaseModel):
    """A school's investigations, newest term first."""

    investigations: list[InvestigationOut]


class CheckAllIn(BaseModel):
    """The day of the check."""

    on: date


class EntryIn(BaseModel):
    """A member checked on a day."""

    pid: StrictStr
    on: date



def _investigation(report: InvestigationReport) -> InvestigationOut:
    found: InvestigationProgress = report.progress
    return InvestigationOut(
        id=report.investigation.id, organisation=report.investigation.organisation,
        term_start=found.term_start, deadline=found.deadline, today=found.today,
        days_left=found.days_left, overdue=found.overdue, complete=found.complete,
        groups={name: GroupOut(total=g.total, checked=g.checked, by_status=g.by_status)
                for name, g in found.groups.items()})


@router.post("/organisations/{code}/investigations", response_model=InvestigationOut,
             status_code=201)
def post_investigation(code: str, body: InvestigationIn, principal: PrincipalDep,
                       session: SessionDep, context: ContextDep) -> InvestigationOut:
    """Open a school's investigation of a term (``organisations.write``)."""
    return _investigation(open_investigation(session, principal, code, body.term_start,
                                             context.clock.now(), local_today(context)))


@router.get("/organisations/{code}/investigations", response_model=InvestigationsOut)
def get_investigations(code: str, principal: PrincipalDep, session: SessionDep,
                       context: ContextDep) -> InvestigationsOut:
    """List a school's investigations with their progress."""
    found = list_investigations(session, principal, code, local_today(context))
    return InvestigationsOut(investigations=[_investigation(r) for r in found])


@router.get("/organisations/{code}/investigations/{investigation_id}",
            response_model=InvestigationOut)
def get_investigation(code: str, investigation_id: int, principal: PrincipalDep,
                      session: SessionDep, context: ContextDep) -> InvestigationOut:
    """Return an investigation's progress, deadline and whether it is overdue."""
    return _investigation(investigation_report(session, principal, code, investigation_id,
                                               local_today(context)))


@router.post("/organisations/{code}/investigations/{investigation_id}/check-all",
             response_model=InvestigationOut)
def post_check_all(code: str, investigation_id: int, body: CheckAllIn,
                   principal: PrincipalDep, session: SessionDep, context: ContextDep,
                   audit: AuditDep, pack: PackDep) -> InvestigationOut:
    """Record every member as checked on a day, with the registry's status (audited)."""
    return _investigation(check_all(session, audit, principal, pack, code, investigation_id,
                                    body.on, context.clock.now(), local_today(context)))


@router.post("/organisations/{code}/investigations/{investigation_id}/entries",
             response_model=InvestigationOut)
def post_entry(code: str, investigation_id: int, body: EntryIn, principal: PrincipalDep,
               session: SessionDep, context: ContextDep, audit: AuditDep,
               pack: PackDep) -> InvestigationOut:
    """Record one member as checked on a day (audited); a second record replaces the first."""
    return _investigation(record_entry(session, audit, principal, pack, code,
                                       investigation_id, body.pid, body.on,
                                       context.clock.now(), local_today(context)))


