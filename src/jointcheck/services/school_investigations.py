"""Use cases of a school's one-week investigation (R11): open it, record checks, follow it.

Opening an investigation and recording checks need ``organisations.write`` over the school;
the progress needs ``organisations.read`` and is figures only. A check records the registry's
status of the person on the day of the check (``check-all`` for every member at once, as a
school does when the registry holds the data, or one pid); recording a person again replaces
the earlier entry. Recording reads personal data and is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from jointcheck.errors import NotFoundError
from jointcheck.organisations import (
    InvestigationProgress,
    OrganisationError,
    deadline_of,
    progress,
)
from jointcheck.registry.organisations import Organisation
from jointcheck.rules.policy import PolicyPack
from jointcheck.security.access import Permission, Principal
from jointcheck.services.audit import AuditTrail
from jointcheck.services.organisations import organisation_for, statuses
from jointcheck.storage.repositories.organisations import OrganisationRepository
from jointcheck.storage.repositories.school_investigations import (
    SchoolInvestigationRepository,
    StoredInvestigation,
)


@dataclass(frozen=True, slots=True)
class InvestigationReport:
    """An investigation and its progress as of a local day."""

    investigation: StoredInvestigation
    progress: InvestigationProgress


def _school(session: Session, principal: Principal, permission: Permission,
            code: str) -> Organisation:
    organisation = organisation_for(session, principal, permission, code)
    if organisation.type != "school":
        raise OrganisationError("not-a-school", f"{code} is a {organisation.type}, not a "
                                "school: only a school runs an investigation")
    return organisation


def _investigation(session: Session, code: str, investigation_id: int) -> StoredInvestigation:
    found = SchoolInvestigationRepository(session).get(investigation_id)
    if found is None or found.organisation != code:
        raise NotFoundError("unknown-investigation",
                            f"{code} has no investigation {investigation_id}")
    return found


def _report(session: Session, investigation: StoredInvestigation,
            today: date) -> InvestigationReport:
    members = [(m.pid, m.post)
               for m in OrganisationRepository(session).members(investigation.organisation)]
    entries = SchoolInvestigationRepository(session).entries(investigation.id)
    return InvestigationReport(investigation,
                               progress(investigation.term_start, today, members, entries,
                                        deadline=investigation.deadline))


def open_investigation(session: Session, principal: Principal, code: str, term_start: date,
                       now: datetime, today: date) -> InvestigationReport:
    """Open the investigation of the term starting on ``term_start``; return it."""
    _school(session, principal, Permission.ORGANISATIONS_WRITE, code)
    number = SchoolInvestigationRepository(session).add(
        code, term_start, deadline_of(term_start), principal.user_id, now)
    if number is None:
        raise OrganisationError("investigation-exists", f"{code} already has an investigation "
                                f"of the term starting {term_start.isoformat()}")
    return _report(session, _investigation(session, code, number), today)


def list_investigations(session: Session, principal: Principal, code: str,
                        today: date) -> list[InvestigationReport]:
    """Return a school's investigations with their progress, newest term first."""
    _school(session, principal, Permission.ORGANISATIONS_READ, code)
    return [_report(session, found, today)
            for found in SchoolInvestigationRepository(session).of_organisation(code)]


def investigation_report(session: Session, principal: Principal, code: str,
                         investigation_id: int, today: date) -> InvestigationReport:
    """Return one investigation's progress as of ``today``."""
    _school(session, principal, Permission.ORGANISATIONS_READ, code)
    return _report(session, _investigation(session, code, investigation_id), today)


def _check_day(on: date, today: date) -> None:
    if on > today:
        raise OrganisationError("bad-day", f"a check cannot be recorded for a future day "
                                f"({on.isoformat()} is after {today.isoformat()})")


def check_all(session: Session, trail: AuditTrail, principal: Principal, pack: PolicyPack,
              code: str, investigation_id: int, on: date, now: datetime,
              today: date) -> InvestigationReport:
    """Record every member of the school as checked on ``on``, with the registry's status."""
    school = _school(session, principal, Permission.ORGANISATIONS_WRITE, code)
    investigation = _investigation(session, code, investigation_id)
    _check_day(on, today)
    pids = sorted({m.pid for m in OrganisationRepository(session).members(code)})
    found = statuses(session, pack, pids, on)
    SchoolInvestigationRepository(session).record(investigation.id, found, on,
                                                  principal.user_id, now)
    trail.read(principal, "organisations.investigation.checked", code, school.street,
               {"investigation": investigation.id, "on": on.isoformat(), "people": len(found)})
    return _report(session, investigation, today)


def record_entry(session: Session, trail: AuditTrail, principal: Principal, pack: PolicyPack,
                 code: str, investigation_id: int, pid: str, on: date, now: datetime,
                 today: date) -> InvestigationReport:
    """Record one member as checked on ``on``, with the registry's status that day."""
    school = _school(session, principal, Permission.ORGANISATIONS_WRITE, code)
    investigation = _investigation(session, code, investigation_id)
    _check_day(on, today)
    if not OrganisationRepository(session).members_with_pid(code, pid):
        raise OrganisationError("not-a-member", f"{pid} is not a member of {code}")
    found = statuses(session, pack, [pid], on)
    SchoolInvestigationRepository(session).record(investigation.id, found, on,
                                                  principal.user_id, now)
    trail.read(principal, "organisations.investigation.checked", pid, school.street,
               {"investigation": investigation.id, "on": on.isoformat(),
                "status": found[pid].value})
    return _report(session, investigation, today)
