"""Venue compliance (R9): inspections, sanctions and complaints as values, and venues ranked by
the facts the district holds about them. Figures and reasons only, never a score of a person."""

from __future__ import annotations

from jointcheck.compliance.inspections import (
    Complaint,
    Inspection,
    InspectionError,
    Sanction,
)
from jointcheck.compliance.venues import (
    REASONS,
    VenueCompliance,
    VenueFacts,
    assess_venue,
    rank_venues,
)

__all__ = [
    "REASONS",
    "Complaint",
    "Inspection",
    "InspectionError",
    "Sanction",
    "VenueCompliance",
    "VenueFacts",
    "assess_venue",
    "rank_venues",
]
