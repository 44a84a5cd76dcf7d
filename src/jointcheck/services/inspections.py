"""Use cases of venue inspections (R9): record an inspection, take a complaint, list venues by
compliance for a street or the district.

An inspector (``inspections.write``) records inspections. A complaint about a venue that does
not check may be taken down by anyone holding ``inspections.write`` or by the street office of
the venue's street (street officers hold ``inspections.read`` over their street); it names no
complainant. The compliance list needs ``inspections.read`` over the area and reads only
figures: check counts per local day (``check_counts``), failed inspections, complaints and the
sanctions running, never a person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from jointcheck.compliance import (
    Complaint,
    Inspection,
    InspectionError,
    VenueCompliance,
    VenueFacts,
    rank_venues,
)
from jointcheck.errors import NotFoundError
from jointcheck.registry.venues import Venue
from jointcheck.security.access import Permission, Principal, Role, Target, authorize
from jointcheck.services.check_events import day_window
from jointcheck.storage.repositories.inspections import InspectionRepository
from jointcheck.storage.repositories.venues import VenueRepository

MAX_DAYS = 92
"""Longest window of a compliance list, in days."""
FINDINGS_DAYS = 365
"""How far back failed inspections and complaints count, in days."""


@dataclass(frozen=True, slots=True)
class ComplianceList:
    """The venues of an area by compliance over ``days`` local days ending on ``day``."""

    area: str
    day: date
    days: int
    findings_since: date
    venues: list[VenueCompliance]


def _venue(session: Session, code: str) -> Venue:
    venue = VenueRepository(session).get(code)
    if venue is None:
        raise NotFoundError("unknown-venue", f"the venue {code} is not registered")
    return venue


def venue_street(session: Session, code: str) -> str:
    """Return the street of a venue; raise ``NotFoundError`` (``unknown-venue``)."""
    return _venue(session, code).street


def record_inspection(session: Session, principal: Principal, inspection: Inspection,
                      now: datetime) -> int:
    """Store an inspection of a venue by ``principal``; return its id."""
    authorize(principal, Permission.INSPECTIONS_WRITE, Target(area=principal.scope))
    venue = _venue(session, inspection.venue)
    authorize(principal, Permission.INSPECTIONS_WRITE, Target(area=venue.street))
    if inspection.inspected_on > now.date() + timedelta(days=1):
        raise InspectionError("bad-day", "an inspection cannot be recorded for a future day")
    return InspectionRepository(session).add_inspection(inspection, principal.user_id, now)


def _complaint_permission(principal: Principal) -> Permission:
    if principal.role is Role.STREET_OFFICER:
        return Permission.INSPECTIONS_READ
    return Permission.INSPECTIONS_WRITE


def record_complaint(session: Session, principal: Principal, complaint: Complaint,
                     now: datetime) -> int:
    """Store a complaint that a venue does not check, taken down by ``principal``."""
    permission = _complaint_permission(principal)
    authorize(principal, permission, Target(area=principal.scope))
    venue = _venue(session, complaint.venue)
    authorize(principal, permission, Target(area=venue.street))
    if complaint.received_on > now.date() + timedelta(days=1):
        raise InspectionError("bad-day", "a complaint cannot be received on a future day")
    return InspectionRepository(session).add_complaint(complaint, principal.user_id,
                                                       str(principal.role), now)


def _days_with_checks(rows: list[tuple[str, datetime, int]],
                      timezone: ZoneInfo) -> tuple[dict[str, set[date]], dict[str, int]]:
    days: dict[str, set[date]] = defaultdict(set)
    totals: dict[str, int] = defaultdict(int)
    for venue, hour, count in rows:
        days[venue].add(hour.astimezone(timezone).date())
        totals[venue] += count
    return days, totals


def venue_compliance(session: Session, principal: Principal, area: str, day: date, days: int,
                     timezone: ZoneInfo) -> ComplianceList:
    """List the venues of ``area`` by compliance over ``days`` local days ending on ``day``."""
    authorize(principal, Permission.INSPECTIONS_READ, Target(area=area))
    if not 1 <= days <= MAX_DAYS:
        raise InspectionError("bad-day", f"the window is 1 to {MAX_DAYS} days, not {days}")
    first = day - timedelta(days=days - 1)
    start, _ = day_window(first, timezone)
    _, end = day_window(day, timezone)
    since = day - timedelta(days=FINDINGS_DAYS - 1)
    repository = InspectionRepository(session)
    checked_days, totals = _days_with_checks(repository.hourly_checks(area, start, end),
                                             timezone)
    failed = repository.failed_inspections(area, since, day)
    complaints = repository.complaints(area, since, day)
    sanctions = repository.open_sanctions(area, day)
    visitors = repository.visitors_per_day(area, day)
    facts = [VenueFacts(venue.code, venue.name, venue.category, venue.street, days,
                        days - len(checked_days.get(venue.code, ())), totals.get(venue.code, 0),
                        visitors.get(venue.code), failed.get(venue.code, 0),
                        complaints.get(venue.code, 0), sanctions.get(venue.code))
             for venue in repository.venues_in(area)]
    return ComplianceList(area, day, days, since, rank_venues(facts))


def venue_inspections(session: Session, principal: Principal, code: str) -> list[Inspection]:
    """Return a venue's inspections, newest first."""
    authorize(principal, Permission.INSPECTIONS_READ, Target(area=principal.scope))
    venue = _venue(session, code)
    authorize(principal, Permission.INSPECTIONS_READ, Target(area=venue.street))
    return InspectionRepository(session).inspections_of(code)
