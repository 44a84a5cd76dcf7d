"""ORM models, one module per domain; importing this package registers every table."""

from __future__ import annotations

from jointcheck.storage.models.areas import AreaRow
from jointcheck.storage.models.base import Base
from jointcheck.storage.models.organisations import MembershipRow, OrganisationRow
from jointcheck.storage.models.people import ContraindicationRow, ResidentRow, VaccinationRow
from jointcheck.storage.models.venues import CheckpointRow, VenueRow

__all__ = [
    "AreaRow",
    "Base",
    "CheckpointRow",
    "ContraindicationRow",
    "MembershipRow",
    "OrganisationRow",
    "ResidentRow",
    "VaccinationRow",
    "VenueRow",
]
