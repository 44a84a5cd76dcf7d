"""ORM models, one module per domain; importing this package registers every table."""

from __future__ import annotations

from jointcheck.storage.models.access import ApiTokenRow, AuditAnchorRow, AuditLogRow, UserRow
from jointcheck.storage.models.areas import AreaRow
from jointcheck.storage.models.base import Base
from jointcheck.storage.models.checks import CheckCountRow, CheckReceiptRow, RegistrationRow
from jointcheck.storage.models.credentials import (
    ColorChangeRow,
    HealthCodeStatusRow,
    IssuedCredentialRow,
)
from jointcheck.storage.models.followup import (
    FollowupCaseRow,
    FollowupOutcomeRow,
    SurveyMemberRow,
    SurveyRow,
)
from jointcheck.storage.models.inspections import ComplaintRow, InspectionRow
from jointcheck.storage.models.organisations import MembershipRow, OrganisationRow
from jointcheck.storage.models.people import ContraindicationRow, ResidentRow, VaccinationRow
from jointcheck.storage.models.reports import DailyStreetCheckRow, DailyStreetTotalRow
from jointcheck.storage.models.school_investigations import (
    InvestigationEntryRow,
    SchoolInvestigationRow,
)
from jointcheck.storage.models.targets import DoseTargetRow, DoseTargetShareRow
from jointcheck.storage.models.venues import CheckpointRow, VenueRow

__all__ = [
    "ApiTokenRow",
    "AreaRow",
    "AuditAnchorRow",
    "AuditLogRow",
    "Base",
    "CheckCountRow",
    "CheckReceiptRow",
    "CheckpointRow",
    "ColorChangeRow",
    "ComplaintRow",
    "ContraindicationRow",
    "DailyStreetCheckRow",
    "DailyStreetTotalRow",
    "DoseTargetRow",
    "DoseTargetShareRow",
    "FollowupCaseRow",
    "FollowupOutcomeRow",
    "HealthCodeStatusRow",
    "InspectionRow",
    "InvestigationEntryRow",
    "IssuedCredentialRow",
    "MembershipRow",
    "OrganisationRow",
    "RegistrationRow",
    "ResidentRow",
    "SchoolInvestigationRow",
    "SurveyMemberRow",
    "SurveyRow",
    "UserRow",
    "VaccinationRow",
    "VenueRow",
]
