"""Use cases of the door-to-door survey (R8): record a household, report coverage per grid.

A grid worker (``followup.write`` over the grid) records a household: the grid, the local
day, the address label (encrypted at rest) and each member by identity number (stored as
the registry's pseudonymous id) with the status the household reported. Every member must
be a resident of the registry whose area lies within the worker's scope: an unknown identity
number, or one of a resident filed outside that scope, refuses the whole form with the same
``unknown-person`` error naming the item (so the answer tells nothing about people outside
the worker's area), and nothing is stored. A member reported unvaccinated or partly
vaccinated who is ``unvaccinated`` today under the policy pack (of eligible age, no dose of
an accepted product, no accepted contraindication in force: ``jointcheck.rules.status``, as
follow-up and organisations read it) and has no open case gets a case (source ``survey``) in
the area the registry files the person under, whatever became of an earlier case. Recording
is audited. "Today" (the default day of a form and the day statuses are read on) is the
district's, given by the caller. The coverage reads figures only (``followup.read`` or
``reports.read``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from jointcheck.config import RegistryKeys
from jointcheck.errors import AccessDenied, NotFoundError
from jointcheck.followup import (
    FOLLOWED_UP,
    FollowupError,
    GridCoverage,
    Source,
    coverage,
    parse_household,
)
from jointcheck.registry.areas import AreaLevel
from jointcheck.rules.policy import PolicyPack
from jointcheck.rules.status import Status, status_of
from jointcheck.security.access import Permission, Principal, Target, authorize
from jointcheck.security.pseudonym import normalise_id_number, pseudonymise
from jointcheck.services.audit import AuditTrail
from jointcheck.services.followup import authorize_figures, local_day
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.followup import Candidate, FollowupRepository


@dataclass(frozen=True, slots=True)
class SurveyResult:
    """The stored household's id, its members and the cases it opened."""

    survey_id: int
    members: int
    cases_opened: int

    def as_dict(self) -> dict[str, Any]:
        """Return the result as the CLI's ``--json`` and the API show it."""
        return {"survey_id": self.survey_id, "members": self.members,
                "cases_opened": self.cases_opened}


def _member_in_scope(principal: Principal, area: str) -> bool:
    """Tell whether the registry area of a member lies within ``principal``'s scope."""
    try:
        authorize(principal, Permission.FOLLOWUP_WRITE, Target(area=area))
    except AccessDenied:
        return False
    return True


def record_survey(session: Session, trail: AuditTrail, principal: Principal, document: Any,
                  keys: RegistryKeys, pack: PolicyPack, now: datetime,
                  today: date | None = None) -> SurveyResult:
    """Check and store a household form; open the cases it calls for."""
    authorize(principal, Permission.FOLLOWUP_WRITE, Target(area=principal.scope))
    today = local_day(pack, now, today)
    household = parse_household(document, today, normalise_id_number)
    authorize(principal, Permission.FOLLOWUP_WRITE, Target(area=household.area))
    found = AreaRepository(session).get(household.area)
    if found is None:
        raise NotFoundError("unknown-area", f"the area {household.area} is not in the registry")
    if found.level is not AreaLevel.GRID:
        raise FollowupError("bad-area", f"area: a survey is of a grid, not of the "
                            f"{found.level} {household.area}")
    pids = [pseudonymise(member.id_number, keys.pseudonym_key) for member in household.members]
    repository = FollowupRepository(session)
    people = repository.people(pids)
    for index, pid in enumerate(pids):
        person = people.get(pid)
        if person is None or not _member_in_scope(principal, person.area):
            raise FollowupError("unknown-person", f"members[{index}]: no resident of your "
                                "area has this identity number")
    survey_id = repository.add_survey(household.area, household.on, household.address,
                                      household.members, pids, keys.cipher,
                                      principal.user_id, now)
    to_open: dict[str, Candidate] = {}
    for member, pid in zip(household.members, pids, strict=True):
        person = people[pid]
        if member.status in FOLLOWED_UP and not person.open_case \
                and status_of(pack, person.facts, today) is Status.UNVACCINATED:
            to_open[pid] = Candidate(pid, person.area, Source.SURVEY)
    opened = repository.open_cases(to_open.values(), today, now)
    trail.record(principal, "followup.survey", None, household.area,
                 {"survey": survey_id, "members": len(pids), "cases_opened": opened})
    return SurveyResult(survey_id, len(pids), opened)


def survey_coverage(session: Session, principal: Principal, area: str) -> list[GridCoverage]:
    """Return per grid within ``area`` the households surveyed and members by status."""
    authorize_figures(principal, area)
    if AreaRepository(session).get(area) is None:
        raise NotFoundError("unknown-area", f"the area {area} is not in the registry")
    repository = FollowupRepository(session)
    return coverage(repository.households(area), repository.members_by_status(area))


def coverage_dict(area: str, grids: list[GridCoverage]) -> dict[str, Any]:
    """Return a coverage as the CLI's ``--json`` and the API show it."""
    return {"area": area, "grids": [{"area": g.area, "households": g.households,
                                     "members": g.members, "by_status": dict(g.by_status)}
                                    for g in grids]}
