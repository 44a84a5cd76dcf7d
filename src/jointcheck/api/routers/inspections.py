"""Venue inspections, complaints and the compliance list (R9); case investigation (R15).

``POST /api/venues/{code}/inspections`` (``inspections.write``) records an inspection;
``GET`` lists a venue's inspections (``inspections.read``). ``POST
/api/venues/{code}/complaints`` takes a complaint from an inspector or the venue's street
office; it names no complainant. ``GET /api/inspections/compliance`` lists the venues of a
street or the district by compliance, figures and reasons only. ``GET
/api/investigations/{pid}?day=`` answers a person's vaccination and health-code status at the
end of a local day, for the health authority only, audited.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr

from jointcheck.api.deps import AuditDep, ContextDep, PrincipalDep, SessionDep
from jointcheck.api.errors import AUTH_RESPONSES
from jointcheck.checkpoint.events import iso
from jointcheck.compliance import Complaint, Inspection, VenueCompliance
from jointcheck.compliance.inspections import parse_sanction
from jointcheck.services.case_investigation import case_status
from jointcheck.services.inspections import (
    record_complaint,
    record_inspection,
    venue_compliance,
    venue_inspections,
)

router = APIRouter(prefix="/api", tags=["inspections"], responses=AUTH_RESPONSES)


class InspectionIn(BaseModel):
    """An inspection of the venue."""

    inspected_on: date = Field(description="The local day of the inspection.")
    checked_everyone: StrictBool = Field(description="Whether the venue checked every person.")
    findings: StrictStr = Field("", description="What was found; required when not everyone "
                                "was checked.")
    sanction: StrictStr = Field("none", description="none, warning, rectification-order or "
                                "suspension.")
    sanction_from: date | None = Field(None, description="First day of the sanction (a "
                                       "warning: default the inspection day).")
    sanction_until: date | None = Field(None, description="Last day of a rectification order "
                                        "or suspension.")
    visitors_per_day: StrictInt | None = Field(None, description="The inspector's estimate.")


class InspectionOut(BaseModel):
    """An inspection as stored."""

    venue: str
    inspected_on: date
    checked_everyone: bool
    findings: str
    sanction: str
    sanction_from: date | None
    sanction_until: date | None
    visitors_per_day: int | None


class ComplaintIn(BaseModel):
    """A complaint that the venue does not check; no complainant is asked for."""

    received_on: date = Field(description="The local day the complaint came in.")
    text: StrictStr


class RecordedOut(BaseModel):
    """The id of what was recorded."""

    id: int
    venue: str


class VenueComplianceOut(BaseModel):
    """A venue's figures over the window, and the reasons for concern they give."""

    venue: str
    name: str
    category: str
    street: str
    days_without_checks: int
    checks: int
    checks_per_day: float
    visitors_per_day: int | None
    failed_inspections: int
    complaints: int
    open_sanction: str | None
    reasons: list[str]


class ComplianceOut(BaseModel):
    """The venues of an area by compliance, most reasons first."""

    area: str
    day: date
    days: int
    timezone: str
    findings_since: date
    venues: list[VenueComplianceOut]


class DoseOut(BaseModel):
    """A dose given by the day."""

    product: str
    dose_number: int
    series_total: int
    date: date


class ExemptionOut(BaseModel):
    """An exemption certificate valid on the day (its reason category, never a diagnosis)."""

    certificate_id: str
    reason_category: str
    valid_from: date
    valid_until: date


class CaseStatusOut(BaseModel):
    """A person's status at the end of a local day."""

    pid: str
    area: str
    day: date
    series_complete: bool
    doses: list[DoseOut]
    exemptions: list[ExemptionOut]
    color: str
    color_since: str | None


def _inspection_out(item: Inspection) -> InspectionOut:
    return InspectionOut(venue=item.venue, inspected_on=item.inspected_on,
                         checked_everyone=item.checked_everyone, findings=item.findings,
                         sanction=item.sanction.value, sanction_from=item.sanction_from,
                         sanction_until=item.sanction_until,
                         visitors_per_day=item.visitors_per_day)


def _compliance_out(item: VenueCompliance) -> VenueComplianceOut:
    facts = item.facts
    return VenueComplianceOut(
        venue=facts.code, name=facts.name, category=facts.category, street=facts.street,
        days_without_checks=facts.days_without_checks, checks=facts.checks,
        checks_per_day=round(facts.checks_per_day, 2), visitors_per_day=facts.visitors_per_day,
        failed_inspections=facts.failed_inspections, complaints=facts.complaints,
        open_sanction=facts.open_sanction, reasons=list(item.reasons))


@router.post("/venues/{code}/inspections", response_model=RecordedOut, status_code=201)
def post_inspection(code: str, body: InspectionIn, principal: PrincipalDep,
                    session: SessionDep, context: ContextDep) -> RecordedOut:
    """Record an inspection of a venue (``inspections.write``)."""
    inspection = Inspection(code, body.inspected_on, body.checked_everyone, body.findings,
                            parse_sanction(body.sanction), body.sanction_from,
                            body.sanction_until, body.visitors_per_day)
    number = record_inspection(session, principal, inspection, context.clock.now())
    return RecordedOut(id=number, venue=code)


@router.get("/venues/{code}/inspections", response_model=list[InspectionOut])
def get_inspections(code: str, principal: PrincipalDep,
                    session: SessionDep) -> list[InspectionOut]:
    """List a venue's inspections, newest first (``inspections.read``)."""
    return [_inspection_out(item) for item in venue_inspections(session, principal, code)]


@router.post("/venues/{code}/complaints", response_model=RecordedOut, status_code=201)
def post_complaint(code: str, body: ComplaintIn, principal: PrincipalDep, session: SessionDep,
                   context: ContextDep) -> RecordedOut:
    """Record a complaint that a venue does not check (inspector or the street office)."""
    number = record_complaint(session, principal, Complaint(code, body.received_on, body.text),
                              context.clock.now())
    return RecordedOut(id=number, venue=code)


@router.get("/inspections/compliance", response_model=ComplianceOut)
def get_compliance(principal: PrincipalDep, session: SessionDep, context: ContextDep,
                   area: str = Query(description="A street or the district."),
                   day: date | None = Query(None, description="The last local day of the "
                                            "window; default today."),
                   days: int = Query(7, description="Days in the window (1 to 92).")
                   ) -> ComplianceOut:
    """List the venues of an area by compliance (``inspections.read``)."""
    zone = context.settings.timezone
    last = day if day is not None else context.clock.now().astimezone(zone).date()
    found = venue_compliance(session, principal, area, last, days, zone)
    return ComplianceOut(area=area, day=last, days=days, timezone=str(zone),
                         findings_since=found.findings_since,
                         venues=[_compliance_out(item) for item in found.venues])


@router.get("/investigations/{pid}", response_model=CaseStatusOut)
def get_case_status(pid: str, principal: PrincipalDep, session: SessionDep,
                    context: ContextDep, audit: AuditDep,
                    day: date = Query(description="The local day of the district.")
                    ) -> CaseStatusOut:
    """Return a person's vaccination and health-code status at a day (audited)."""
    status = case_status(session, audit, principal, pid, day,
                         timezone=context.settings.timezone)
    return CaseStatusOut(
        pid=pid, area=status.area, day=day, series_complete=status.series_complete,
        doses=[DoseOut(product=dose.product, dose_number=dose.dose_number,
                       series_total=dose.series_total, date=dose.date)
               for dose in status.doses],
        exemptions=[ExemptionOut(certificate_id=item.certificate_id,
                                 reason_category=item.reason_category,
                                 valid_from=item.valid_from, valid_until=item.valid_until)
                    for item in status.exemptions],
        color=status.color,
        color_since=iso(status.color_since) if status.color_since is not None else None)
