"""Queries of inspections, complaints, and the facts a venue compliance list is built from.

An area is a street or the district: the venues whose street is the area or lies inside it.
Every query here takes the area and returns one figure per venue, so a list of 5,000 venues is
a handful of grouped queries, not one per venue.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from jointcheck.compliance.inspections import Complaint, Inspection, Sanction
from jointcheck.registry.venues import Venue
from jointcheck.storage.models import CheckCountRow, ComplaintRow, InspectionRow, VenueRow
from jointcheck.storage.repositories._sql import within

_SEVERITY = {Sanction.RECTIFICATION_ORDER.value: 1, Sanction.SUSPENSION.value: 2}


def _within(area: str) -> ColumnElement[bool]:
    return within(VenueRow.street_code, area)


def _inspection(row: InspectionRow) -> Inspection:
    return Inspection(row.venue_code, row.inspected_on, row.checked_everyone, row.findings,
                      Sanction(row.sanction), row.sanction_from, row.sanction_until,
                      row.visitors_per_day)


class InspectionRepository:
    """Inspections and complaints of venues, and per-venue figures over an area."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_inspection(self, inspection: Inspection, inspector: str, at: datetime) -> int:
        """Store an inspection; return its id."""
        row = InspectionRow(
            venue_code=inspection.venue, inspected_on=inspection.inspected_on,
            checked_everyone=inspection.checked_everyone, findings=inspection.findings,
            sanction=inspection.sanction.value, sanction_from=inspection.sanction_from,
            sanction_until=inspection.sanction_until,
            visitors_per_day=inspection.visitors_per_day, inspector=inspector, recorded_at=at)
        self.session.add(row)
        self.session.flush()
        return row.id

    def add_complaint(self, complaint: Complaint, user: str, role: str, at: datetime) -> int:
        """Store a complaint; return its id."""
        row = ComplaintRow(venue_code=complaint.venue, received_on=complaint.received_on,
                           text=complaint.text, recorded_by=user, recorded_role=role,
                           recorded_at=at)
        self.session.add(row)
        self.session.flush()
        return row.id

    def inspections_of(self, venue: str) -> list[Inspection]:
        """Return a venue's inspections, newest first."""
        query = (select(InspectionRow).where(InspectionRow.venue_code == venue)
                 .order_by(InspectionRow.inspected_on.desc(), InspectionRow.id.desc()))
        return [_inspection(row) for row in self.session.scalars(query)]

    def venues_in(self, area: str) -> list[Venue]:
        """Return the venues of a street or of the district, by code."""
        query = select(VenueRow).where(_within(area)).order_by(VenueRow.code)
        return [Venue(row.code, row.name, row.category, row.street_code, row.operator_code)
                for row in self.session.scalars(query)]

    def hourly_checks(self, area: str, start: datetime,
                      end: datetime) -> list[tuple[str, datetime, int]]:
        """Return (venue, UTC hour, checks) for the area's venues and hours in [start, end)."""
        query = (select(CheckCountRow.venue_code, CheckCountRow.hour,
                        func.sum(CheckCountRow.count))
                 .join(VenueRow, VenueRow.code == CheckCountRow.venue_code)
                 .where(_within(area), CheckCountRow.hour >= start, CheckCountRow.hour < end)
                 .group_by(CheckCountRow.venue_code, CheckCountRow.hour))
        return [(venue, hour, int(total)) for venue, hour, total in self.session.execute(query)]

    def failed_inspections(self, area: str, since: date, until: date) -> dict[str, int]:
        """Return per venue the inspections in [since, until] that found not everyone checked."""
        query = (select(InspectionRow.venue_code, func.count())
                 .join(VenueRow, VenueRow.code == InspectionRow.venue_code)
                 .where(_within(area), InspectionRow.checked_everyone.is_(False),
                        InspectionRow.inspected_on >= since, InspectionRow.inspected_on <= until)
                 .group_by(InspectionRow.venue_code))
        return {venue: int(count) for venue, count in self.session.execute(query)}

    def complaints(self, area: str, since: date, until: date) -> dict[str, int]:
        """Return per venue the complaints received in [since, until]."""
        query = (select(ComplaintRow.venue_code, func.count())
                 .join(VenueRow, VenueRow.code == ComplaintRow.venue_code)
                 .where(_within(area), ComplaintRow.received_on >= since,
                        ComplaintRow.received_on <= until)
                 .group_by(ComplaintRow.venue_code))
        return {venue: int(count) for venue, count in self.session.execute(query)}

    def open_sanctions(self, area: str, day: date) -> dict[str, str]:
        """Return per venue the strictest rectification order or suspension running on ``day``."""
        query = (select(InspectionRow.venue_code, InspectionRow.sanction)
                 .join(VenueRow, VenueRow.code == InspectionRow.venue_code)
                 .where(_within(area), InspectionRow.sanction.in_(list(_SEVERITY)),
                        InspectionRow.sanction_from <= day, InspectionRow.sanction_until >= day))
        found: dict[str, str] = {}
        for venue, sanction in self.session.execute(query):
            if _SEVERITY[sanction] > _SEVERITY.get(found.get(venue, ""), 0):
                found[venue] = sanction
        return found

    def visitors_per_day(self, area: str, until: date) -> dict[str, int]:
        """Return per venue the visitors a day estimated by its latest inspection to say so."""
        query = (select(InspectionRow.venue_code, InspectionRow.visitors_per_day)
                 .join(VenueRow, VenueRow.code == InspectionRow.venue_code)
                 .where(_within(area), InspectionRow.visitors_per_day.is_not(None),
                        InspectionRow.inspected_on <= until)
                 .order_by(InspectionRow.inspected_on, InspectionRow.id))
        return {venue: visitors for venue, visitors in self.session.execute(query)
                if visitors is not None}
