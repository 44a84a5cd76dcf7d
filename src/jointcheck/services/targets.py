"""Use cases of dose targets (R13): assign a target to an area and split it to its streets;
report a target's progress and forecast.

A target is assigned from above: ``targets.write`` over the area (the district's health
authority). The area is a district or a street; its doses go to the streets in it, in
proportion to each street's eligible unvaccinated residents in the registry on the first
day of the period, or by hand. "Eligible unvaccinated" is the policy pack's reading that
follow-up and organisations use (``jointcheck.rules.status``): aged
at least ``eligible_from``, no dose of a product the pack accepts, no contraindication
certificate the pack accepts (institution level, reason) in force. It is counted in SQL,
except for the residents left with a certificate in force, whose certificates the rules
check (on the 20,000-resident demo district on SQLite: 0.50 s for the district's
streets, against 0.32 s for a plain count of any dose and any certificate, which took out
29 residents whose product or certificate the pack does not accept). The report reads the
vaccination records:
the doses given on each local day of the period to residents of the area (a dose record
carries its local day), per street and in all; a dose imported late is counted as soon as it
is stored. The report needs ``targets.read``: over the target's area for the whole target, or
over some of its streets for those streets' shares alone (a street office sees its street).
Figures only, never a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from jointcheck.errors import AccessDenied, NotFoundError
from jointcheck.registry.ages import born_by
from jointcheck.registry.areas import AreaLevel
from jointcheck.rules.policy import PolicyPack
from jointcheck.security.access import Permission, Principal, Target, authorize, is_allowed
from jointcheck.security.audit_chain import JsonValue
from jointcheck.services.audit import AuditTrail
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.targets import StoredShare, StoredTarget, TargetRepository
from jointcheck.targets import (
    Progress,
    SplitMethod,
    TargetError,
    TargetSpec,
    check_manual_split,
    progress,
    split_proportional,
)

__all__ = [
    "StreetProgress",
    "TargetReport",
    "born_by",
    "progress_dict",
    "set_target",
    "target_area",
    "target_report",
]


def _streets(session: Session, area: str) -> list[str]:
    found = AreaRepository(session).get(area)
    if found is None:
        raise NotFoundError("unknown-area", f"the area {area} is not in the registry")
    if found.level not in (AreaLevel.DISTRICT, AreaLevel.STREET):
        raise TargetError("bad-area", f"a target is assigned to a district or a street, "
                          f"not to the {found.level} {area}")
    streets = TargetRepository(session).streets_in(area)
    if not streets:
        raise TargetError("bad-area", f"the area {area} has no streets to split to")
    return streets


def set_target(session: Session, trail: AuditTrail, principal: Principal, spec: TargetSpec,
               method: SplitMethod, pack: PolicyPack,
               manual: Mapping[str, int] | None = None) -> int:
    """Store a target assigned by ``principal`` with its split to streets; return its id.

    ``manual`` holds the shares of a split by hand (they must sum to the doses); a
    proportional split weighs the streets by their eligible unvaccinated residents under
    ``pack`` (its ``eligible_from``, its accepted products and exemptions). The
    assignment and its split (figures per street, never a person) go to the audit log as
    ``targets.assigned``, in the same transaction; the trail's clock dates both.
    """
    authorize(principal, Permission.TARGETS_WRITE, Target(area=spec.area))
    streets = _streets(session, spec.area)
    repository = TargetRepository(session)
    weights: dict[str, int] | None = None
    if method is SplitMethod.MANUAL:
        shares = check_manual_split(spec.doses, manual or {}, streets)
    elif manual:
        raise TargetError("bad-split", "a proportional split takes no shares by hand")
    else:
        weights = repository.eligible_unvaccinated(
            streets, born_by(spec.start, pack.eligible_from), spec.start, pack)
        shares = split_proportional(spec.doses, weights)
    now = trail.clock.now()
    target_id = repository.add(spec.area, spec.doses, spec.start, spec.end, method.value,
                               None if weights is None else pack.eligible_from, shares, weights,
                               principal.user_id, now)
    detail: dict[str, JsonValue] = {
        "target": target_id, "doses": spec.doses, "start": spec.start.isoformat(),
        "end": spec.end.isoformat(), "split": method.value,
        "eligible_from": None if weights is None else pack.eligible_from,
        "shares": {street: int(count) for street, count in sorted(shares.items())}}
    trail.record(principal, "targets.assigned", str(target_id), spec.area, detail)
    return target_id


@dataclass(frozen=True, slots=True)
class StreetProgress:
    """One street's share of a target and its progress."""

    share: StoredShare
    progress: Progress


@dataclass(frozen=True, slots=True)
class TargetReport:
    """A target as of a local day: the whole (``None`` for a reader who sees only some of
    its streets) and each street the reader may see."""

    target: StoredTarget
    today: date
    overall: Progress | None
    streets: list[StreetProgress]

    def as_dict(self) -> dict[str, Any]:
        """Return the report as the CLI's ``--json`` and the API show it."""
        t = self.target
        return {"id": t.id, "area": t.area, "doses": t.doses, "start": t.start.isoformat(),
                "end": t.end.isoformat(), "split": t.split, "eligible_from": t.eligible_from,
                "assigned_by": t.assigned_by, "created_at": t.created_at.isoformat(),
                "today": self.today.isoformat(),
                "progress": None if self.overall is None else progress_dict(self.overall),
                "streets": [{"street": s.share.street, "doses": s.share.doses,
                             "eligible_unvaccinated": s.share.eligible_unvaccinated,
                             "progress": progress_dict(s.progress)} for s in self.streets]}


def progress_dict(result: Progress) -> dict[str, Any]:
    """Return a progress as plain JSON values."""
    return {"phase": result.phase.value, "given": result.given,
            "remaining": result.remaining, "percent": round(result.percent, 2),
            "rate": None if result.rate is None else round(result.rate, 2),
            "required_rate": (None if result.required_rate is None
                              else round(result.required_rate, 2)),
            "forecast": result.forecast, "will_meet": result.will_meet,
            "days": [{"day": d.day.isoformat(), "doses": d.doses, "cumulative": d.cumulative}
                     for d in result.days]}


def _visible(principal: Principal, target: StoredTarget) -> tuple[bool, list[StoredShare]]:
    try:
        authorize(principal, Permission.TARGETS_READ, Target(area=target.area))
    except AccessDenied as denied:
        shares = [s for s in target.shares
                  if is_allowed(principal, Permission.TARGETS_READ, Target(area=s.street))]
        if not shares:
            raise denied from None
        return False, shares
    return True, target.shares


def target_area(session: Session, target_id: int) -> str:
    """Return the area of target ``target_id`` (for the command line, which acts as the
    health authority of that area's district); raise ``NotFoundError``."""
    target = TargetRepository(session).get(target_id)
    if target is None:
        raise NotFoundError("unknown-target", f"there is no dose target {target_id}")
    return target.area


def target_report(session: Session, principal: Principal, target_id: int,
                  today: date) -> TargetReport:
    """Return the progress of target ``target_id`` as of the local day ``today``."""
    authorize(principal, Permission.TARGETS_READ, Target(area=principal.scope))
    repository = TargetRepository(session)
    target = repository.get(target_id)
    if target is None:
        raise NotFoundError("unknown-target", f"there is no dose target {target_id}")
    whole, shares = _visible(principal, target)
    doses = repository.doses_by_street_day(target.area, target.start, target.end)
    by_street: dict[str, dict[date, int]] = {}
    total: dict[date, int] = {}
    for (street, day), count in doses.items():
        by_street.setdefault(street, {})[day] = count
        total[day] = total.get(day, 0) + count
    streets = [StreetProgress(share, progress(share.doses, target.start, target.end,
                                              by_street.get(share.street, {}), today))
               for share in shares]
    overall = progress(target.doses, target.start, target.end, total, today) if whole else None
    return TargetReport(target, today, overall, streets)
