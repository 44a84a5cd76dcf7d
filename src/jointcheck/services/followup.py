"""Use cases of follow-up (R7): refresh an area's cases, list its worklist, read a case,
record an outcome, count the funnel.

Who counts as vaccinated, exempt and eligible is the policy pack's reading
(``jointcheck.rules.status``, the one organisations use). A refresh (``followup.write``
over the area) first closes every open case of the area that the registry settles today:
a dose of a product the pack accepts closes it as ``vaccinated``, failing that a
contraindication certificate the pack accepts in force closes it as
``exemption-presented``, both by ``system``; a dose of a product the pack does not accept
closes nothing. It then opens a case for each resident of the area who is ``unvaccinated``
under the pack (or younger, unvaccinated and registered at a venue's door) and has no case,
or whose latest case closed as ``exemption-presented`` (the exemption has lapsed). A case
closed as ``vaccinated`` or ``moved-away`` is never followed by a new one from a refresh (a
door-to-door survey may open one). Running it twice opens and closes nothing the second
time; a person has at most one open case.

The worklist is ordered and limited in SQL (open before closed, band, birth date); only the
cases of the last age group that reaches the limit are ordered further in Python.

The worklist and a case show a person's name, phone and address (``followup.read``; each
read is audited). The funnel reads figures only (``followup.read`` or ``reports.read``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from jointcheck.errors import AccessDenied, NotFoundError
from jointcheck.followup import (
    CLOSING,
    CaseFacts,
    FollowupError,
    Funnel,
    Priority,
    assess,
    band_bounds,
    check_note,
    check_outcome,
    days_since_eligible,
    funnel,
    order_key,
    parse_outcome,
    parse_status_filter,
)
from jointcheck.registry.ages import age_on, born_by
from jointcheck.rules.policy import PolicyPack
from jointcheck.security.access import Permission, Principal, Target, authorize
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.services.audit import AuditTrail
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.followup import (
    Contact,
    FollowupRepository,
    StoredCase,
    StoredOutcome,
)

MAX_LIMIT = 1000
"""Most items of one worklist page."""


def local_day(pack: PolicyPack, now: datetime, today: date | None = None) -> date:
    """Return the district's ``today`` when the caller gives it (the API and the CLI take it
    from the settings' zone, ``JOINTCHECK_TIMEZONE``), else the local day of ``now`` in the
    policy's time zone."""
    return today if today is not None else now.astimezone(pack.timezone).date()


def policy_start(pack: PolicyPack) -> date:
    """Return the first local day the policy is in force."""
    return pack.valid_from.astimezone(pack.timezone).date()


def _known_area(session: Session, area: str) -> None:
    if AreaRepository(session).get(area) is None:
        raise NotFoundError("unknown-area", f"the area {area} is not in the registry")


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What a refresh did in an area, and how many cases are open there now."""

    area: str
    opened: int
    closed: int
    open: int

    def as_dict(self) -> dict[str, Any]:
        """Return the result as the CLI's ``--json`` and the API show it."""
        return {"area": self.area, "opened": self.opened, "closed": self.closed,
                "open": self.open}


def refresh(session: Session, principal: Principal, area: str, pack: PolicyPack,
            now: datetime, today: date | None = None) -> RefreshResult:
    """Close the cases of ``area`` whose person has a dose record; open the missing ones."""
    authorize(principal, Permission.FOLLOWUP_WRITE, Target(area=area))
    _known_area(session, area)
    today = local_day(pack, now, today)
    repository = FollowupRepository(session)
    closed = repository.close_settled(area, today, now, pack)
    candidates = repository.candidates(area, born_by(today, pack.eligible_from), today, pack)
    opened = repository.open_cases(candidates, today, now)
    return RefreshResult(area, opened, closed, repository.count_open(area))


def close_dosed_cases(session: Session, pids: Collection[str], today: date, now: datetime,
                      pack: PolicyPack) -> int:
    """Close the open cases of ``pids`` (the people a vaccination import wrote records of)
    that the registry settles under ``pack``, the caller's policy; return how many."""
    if not pids:
        return 0
    return FollowupRepository(session).close_settled(None, today, now, pack, pids=pids)


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A case as a worker sees it: the person, the order's facts and reasons, the state."""

    case: StoredCase
    contact: Contact
    age: int
    days_since_eligible: int
    vulnerable_visits: int
    priority: Priority

    def as_dict(self) -> dict[str, Any]:
        """Return the item as the CLI's ``--json`` and the API show it."""
        c, person = self.case, self.contact
        return {"case_id": c.id, "pid": c.pid, "name": person.name, "phone": person.phone,
                "address": person.address, "birth_year": c.birth_date.year, "age": self.age,
                "area": c.area, "source": c.source.value, "priority": self.priority.band,
                "reasons": list(self.priority.reasons),
                "days_since_eligible": self.days_since_eligible,
                "vulnerable_visits": self.vulnerable_visits, "status": c.status.value,
                "last_outcome": c.last_outcome.value if c.last_outcome is not None else None,
                "last_outcome_on": _iso(c.last_outcome_on), "opened_on": c.opened_on.isoformat()}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _facts(case: StoredCase, visits: int, pack: PolicyPack, today: date) -> CaseFacts:
    return CaseFacts(case.id, age_on(case.birth_date, today),
                     days_since_eligible(case.birth_date, pack.eligible_from,
                                         policy_start(pack), today), visits, case.source)


def _items(session: Session, cases: list[StoredCase], limit: int, cipher: FieldCipher,
           pack: PolicyPack, today: date) -> list[WorkItem]:
    """Order ``cases``, keep the first ``limit`` and decrypt the contacts of those only."""
    repository = FollowupRepository(session)
    visits = repository.vulnerable_visits([case.pid for case in cases])
    keyed = []
    for case in cases:
        facts = _facts(case, visits.get(case.pid, 0), pack, today)
        priority = assess(facts)
        keyed.append(((case.status.value != "open", *order_key(facts, priority)),
                      case, facts, priority))
    keyed.sort(key=lambda entry: entry[0])
    chosen = keyed[:limit]
    contacts = repository.contacts([case.pid for _, case, _, _ in chosen], cipher)
    return [WorkItem(case, contacts[case.pid], facts.age, facts.days_since_eligible,
                     facts.vulnerable_visits, priority) for _, case, facts, priority in chosen]


def _first_cases(session: Session, area: str, status: str, limit: int, pack: PolicyPack,
                 today: date) -> list[StoredCase]:
    """Return the cases of the worklist's first ``limit`` items, and the ties ``_items``
    still orders: rows come in (open first, band, birth date) order, so the whole group of
    one status, band and age that holds the ``limit``-th case is read, and nothing after."""
    bounds = band_bounds(pack.eligible_from, policy_start(pack), today)
    chosen: list[StoredCase] = []
    last_group: tuple[int, int, int] | None = None
    for closed, band, case in FollowupRepository(session).ordered_cases(area, status, bounds):
        group = (closed, band, age_on(case.birth_date, today))
        if len(chosen) >= limit and group != last_group:
            break
        chosen.append(case)
        last_group = group
    return chosen


@dataclass(frozen=True, slots=True)
class Worklist:
    """An area's cases in the order to work them (open before closed)."""

    area: str
    items: list[WorkItem]

    def as_dict(self) -> dict[str, Any]:
        """Return the worklist as the CLI's ``--json`` and the API show it."""
        return {"area": self.area, "items": [item.as_dict() for item in self.items]}


def worklist(session: Session, trail: AuditTrail, principal: Principal, area: str,
             status: str, limit: int, cipher: FieldCipher, pack: PolicyPack,
             now: datetime, today: date | None = None) -> Worklist:
    """Return the cases of ``area`` with ``status`` (open, closed, all) by priority; audited."""
    authorize(principal, Permission.FOLLOWUP_READ, Target(area=area))
    chosen = parse_status_filter(status)
    if not 1 <= limit <= MAX_LIMIT:
        raise FollowupError("bad-limit", f"the limit is 1 to {MAX_LIMIT}, not {limit}")
    _known_area(session, area)
    today = local_day(pack, now, today)
    items = _items(session, _first_cases(session, area, chosen, limit, pack, today), limit,
                   cipher, pack, today)
    trail.read(principal, "followup.worklist", None, area,
               {"status": chosen, "items": len(items)})
    return Worklist(area, items)


@dataclass(frozen=True, slots=True)
class CaseDetail:
    """A case as a worklist item, and its outcomes oldest first."""

    item: WorkItem
    outcomes: list[StoredOutcome]

    def as_dict(self) -> dict[str, Any]:
        """Return the case as the CLI's ``--json`` and the API show it."""
        return self.item.as_dict() | {"outcomes": [
            {"outcome": o.outcome.value, "on": o.on.isoformat(), "worker": o.worker,
             "note": o.note} for o in self.outcomes]}


def _case_in_scope(session: Session, principal: Principal, permission: Permission,
                   case_id: int) -> StoredCase:
    authorize(principal, permission, Target(area=principal.scope))
    repository = FollowupRepository(session)
    area = repository.area_of(case_id)
    if area is None:
        raise NotFoundError("unknown-case", f"there is no follow-up case {case_id}")
    authorize(principal, permission, Target(area=area))
    found = repository.get(case_id)
    assert found is not None
    return found


def _detail(session: Session, case: StoredCase, cipher: FieldCipher, pack: PolicyPack,
            today: date) -> CaseDetail:
    (item,) = _items(session, [case], 1, cipher, pack, today)
    return CaseDetail(item, FollowupRepository(session).outcomes(case.id))


def case_detail(session: Session, trail: AuditTrail, principal: Principal, case_id: int,
                cipher: FieldCipher, pack: PolicyPack, now: datetime,
                today: date | None = None) -> CaseDetail:
    """Return case ``case_id`` with its outcomes; audited."""
    case = _case_in_scope(session, principal, Permission.FOLLOWUP_READ, case_id)
    trail.read(principal, "followup.case", case.pid, case.area, {"case": case.id})
    return _detail(session, case, cipher, pack, local_day(pack, now, today))


def record_outcome(session: Session, trail: AuditTrail, principal: Principal, case_id: int,
                   outcome: str, on: date, note: str | None, cipher: FieldCipher,
                   pack: PolicyPack, now: datetime, today: date | None = None) -> CaseDetail:
    """Record an outcome of case ``case_id`` by ``principal``; return the case; audited."""
    case = _case_in_scope(session, principal, Permission.FOLLOWUP_WRITE, case_id)
    chosen = parse_outcome(outcome)
    text = check_note(note)
    today = local_day(pack, now, today)
    check_outcome(chosen, on, today=today, opened_on=case.opened_on,
                  last_on=case.last_outcome_on, status=case.status)
    if not FollowupRepository(session).add_outcome(case.id, chosen, on, principal.user_id,
                                                   text, now, closes=chosen in CLOSING):
        raise FollowupError("case-closed", "the case was closed meanwhile; no outcome can "
                            "be added")
    trail.record(principal, "followup.outcome", case.pid, case.area,
                 {"case": case.id, "outcome": chosen.value})
    updated = FollowupRepository(session).get(case.id)
    assert updated is not None
    return _detail(session, updated, cipher, pack, today)


def authorize_figures(principal: Principal, area: str) -> None:
    """Let ``principal`` read follow-up figures of ``area`` with ``followup.read`` or
    ``reports.read``; raise ``AccessDenied``."""
    try:
        authorize(principal, Permission.FOLLOWUP_READ, Target(area=area))
    except AccessDenied as denied:
        if denied.code != "role-not-allowed":
            raise
        authorize(principal, Permission.REPORTS_READ, Target(area=area))


def followup_funnel(session: Session, principal: Principal, area: str) -> Funnel:
    """Count the cases of ``area`` per stage (latest outcome); figures only."""
    authorize_figures(principal, area)
    _known_area(session, area)
    return funnel(FollowupRepository(session).stage_counts(area))


def funnel_dict(area: str, result: Funnel) -> dict[str, Any]:
    """Return a funnel as the CLI's ``--json`` and the API show it."""
    return {"area": area, "total": result.total, "open": result.open,
            "closed": result.closed, "stages": dict(result.stages)}
