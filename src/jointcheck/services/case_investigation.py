"""Case investigation (R15): a person's vaccination and health-code status at a given date.

For the health authority only (``cases.investigate``), and every answer appends an audit entry
(``investigation.case.read``) in the same transaction. The status is as of the end of the
given local day of the district: the doses given on or before that day, the exemption
certificates valid on it, and the colour of the health code after the last change applied
before the day ended (green where none was). It answers the factual question only (SPEC §2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from jointcheck.compliance import InspectionError
from jointcheck.errors import NotFoundError
from jointcheck.registry.people import Contraindication, VaccinationRecord
from jointcheck.security.access import Permission, Principal, Target, authorize
from jointcheck.services.audit import AuditTrail
from jointcheck.services.check_events import day_window
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.credentials import HealthCodeRepository
from jointcheck.storage.repositories.residents import (
    ContraindicationRepository,
    ResidentRepository,
)
from jointcheck.storage.repositories.vaccinations import VaccinationRepository

DEFAULT_COLOR = "green"


@dataclass(frozen=True, slots=True)
class CaseStatus:
    """What was true of a person at the end of ``day``."""

    pid: str
    area: str
    day: date
    doses: list[VaccinationRecord]
    exemptions: list[Contraindication]
    color: str
    color_since: datetime | None

    @property
    def series_complete(self) -> bool:
        """Tell whether a dose completing a primary series was given by the day."""
        return any(dose.dose_number >= dose.series_total for dose in self.doses)

    @property
    def last_dose_on(self) -> date | None:
        """Return the day of the latest dose given by the day, if any."""
        return max((dose.date for dose in self.doses), default=None)


def _color_at(session: Session, pid: str, end: datetime) -> tuple[str, datetime | None]:
    applied = [change for change in HealthCodeRepository(session).history(pid)
               if change.status == "applied" and change.decided_at is not None
               and change.decided_at < end]
    if not applied:
        return DEFAULT_COLOR, None
    last = max(applied, key=lambda change: (change.decided_at or end, change.id))
    return last.to_color, last.decided_at


def district_area(session: Session) -> str:
    """Return the code of the district (the one top-level area); raise ``NotFoundError``."""
    tops = sorted(code for code in AreaRepository(session).codes() if "." not in code)
    if len(tops) != 1:
        raise NotFoundError("unknown-area", "the registry holds no single district area "
                            f"(found {len(tops)})")
    return tops[0]


def case_status(session: Session, trail: AuditTrail, principal: Principal, pid: str,
                day: date, *, timezone: ZoneInfo) -> CaseStatus:
    """Return a person's vaccination and health-code status at the end of local ``day``."""
    authorize(principal, Permission.CASES_INVESTIGATE, Target(area=principal.scope, pid=pid))
    area = ResidentRepository(session).area_of(pid)
    if area is None:
        raise NotFoundError("unknown-resident", "no resident has this pseudonymous id")
    authorize(principal, Permission.CASES_INVESTIGATE, Target(area=area, pid=pid))
    if day > trail.clock.now().astimezone(timezone).date():
        raise InspectionError("bad-day", f"{day.isoformat()} has not come yet")
    _, end = day_window(day, timezone)
    doses = sorted((dose for dose in VaccinationRepository(session).for_person(pid)
                    if dose.date <= day), key=lambda dose: (dose.date, dose.dose_number))
    exemptions = ContraindicationRepository(session).for_person(pid, valid_on=day)
    color, since = _color_at(session, pid, end)
    trail.read(principal, "investigation.case.read", pid, area, {"day": day.isoformat()})
    return CaseStatus(pid, area, day, doses, exemptions, color, since)
