"""Set a resident's health-code colour: with a reason, an actor, and for red or yellow a second
user who approves; every step audited, and the history readable by the resident.

A colour that keeps people out of shops, transport and work is a power that can be abused
(officials have turned people's codes red to stop them travelling). So a change to or from red
or yellow is only a request until another user, allowed to approve in that area, approves it;
the resident sees who asked, who approved, when and why.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from jointcheck.credentials.model import CodeColor
from jointcheck.errors import JointcheckError
from jointcheck.security.access import (
    Permission,
    Principal,
    Target,
    authorize,
    check_separate_approver,
    colour_change_needs_approval,
)
from jointcheck.services.audit import AuditTrail
from jointcheck.storage.repositories.credentials import ColorChange, HealthCodeRepository
from jointcheck.storage.repositories.residents import ResidentRepository

MIN_REASON = 4


class HealthCodeError(JointcheckError, ValueError):
    """A colour change that cannot be made (no such resident or request, no reason, no change)."""

    stage = "health-code"


def resident_target(session: Session, pid: str) -> Target:
    """Return the access target of a resident; raise ``HealthCodeError`` if there is none."""
    area = ResidentRepository(session).area_of(pid)
    if area is None:
        raise HealthCodeError("resident-unknown", "no resident has this pseudonymous id")
    return Target(area=area, pid=pid)


def require_role(actor: Principal, permission: Permission) -> None:
    """Raise ``AccessDenied`` unless the actor's role (and token) holds ``permission`` at all.

    Called before a lookup, so that a caller who may not act learns nothing, not even whether
    a resident or a request exists. A target at the actor's own scope is inside it by
    definition, so only the role and the token's limit are checked.
    """
    own = actor.scope
    authorize(actor, permission, Target(area=own, venue=own, organisation=own, industry=own,
                                         pid=own))


def authorized_target(session: Session, actor: Principal, permission: Permission,
                      pid: str) -> Target:
    """Return resident ``pid``'s target once ``actor`` may do ``permission`` on it.

    The role comes first, and a resident's own pid before the lookup: a resident learns
    nothing about other pids, not even that they exist.
    """
    if actor.role == "resident":
        authorize(actor, permission, Target(pid=pid))
    else:
        require_role(actor, permission)
    target = resident_target(session, pid)
    authorize(actor, permission, target)
    return target


def request_color_change(session: Session, trail: AuditTrail, actor: Principal, pid: str,
                         color: str, reason: str) -> ColorChange:
    """Ask to set a resident's colour; applied at once only where no second user is needed."""
    target = authorized_target(session, actor, Permission.HEALTH_CODE_SET_COLOR, pid)
    new = _color(color)
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise HealthCodeError("reason-missing", "a colour change needs a reason the resident "
                              "can read")
    codes = HealthCodeRepository(session)
    old = codes.color_of(pid)
    if old == new:
        raise HealthCodeError("no-change", f"the health code is already {new}")
    at = trail.clock.now()
    change_id = codes.add_change(pid, old, new, reason, actor.user_id, str(actor.role), at)
    trail.record(actor, "health-code.color.requested", pid, target.area,
                 {"change": change_id, "from": old, "to": new, "reason": reason})
    if not colour_change_needs_approval(old, new):
        _apply(codes, trail, actor, change_id, pid, new, target.area, None)
    found = codes.get_change(change_id)
    assert found is not None
    return found


def approve_color_change(session: Session, trail: AuditTrail, approver: Principal,
                         change_id: int, note: str | None = None) -> ColorChange:
    """Approve a pending request as a second user; the colour changes now."""
    codes, change, target = _pending(session, approver, change_id)
    check_separate_approver(change.requested_by, approver, target=target)
    current = codes.color_of(change.pid, for_update=True)
    if current != change.from_color:
        # Another change was applied since this one was asked for: approving it now would
        # apply a step the requester never saw, from a colour that is no longer there.
        raise HealthCodeError("change-stale", f"request {change_id} was made from "
                              f"{change.from_color}, but the code is {current} now")
    _apply(codes, trail, approver, change.id, change.pid, change.to_color, target.area, note)
    found = codes.get_change(change_id)
    assert found is not None
    return found


def reject_color_change(session: Session, trail: AuditTrail, approver: Principal,
                        change_id: int, note: str) -> ColorChange:
    """Reject a pending request; the colour stays as it is."""
    codes, change, target = _pending(session, approver, change_id)
    authorize(approver, Permission.HEALTH_CODE_APPROVE, target)
    codes.decide(change.id, "rejected", approver.user_id, trail.clock.now(), note)
    trail.record(approver, "health-code.color.rejected", change.pid, target.area,
                 {"change": change.id, "note": note})
    found = codes.get_change(change_id)
    assert found is not None
    return found


def color_history(session: Session, trail: AuditTrail, reader: Principal,
                  pid: str) -> tuple[str, list[ColorChange]]:
    """Return a resident's colour and every change with its reason (the resident reads this)."""
    permission = Permission.SELF_READ if reader.role == "resident" else Permission.REGISTRY_READ
    target = authorized_target(session, reader, permission, pid)
    codes = HealthCodeRepository(session)
    trail.read(reader, "health-code.history.read", pid, target.area)
    return codes.color_of(pid), codes.history(pid)


def _color(text: str) -> str:
    try:
        return CodeColor(text).value
    except ValueError:
        raise HealthCodeError("color-unknown", f"{text!r} is not green, yellow or red") from None


def _pending(session: Session, approver: Principal,
             change_id: int) -> tuple[HealthCodeRepository, ColorChange, Target]:
    require_role(approver, Permission.HEALTH_CODE_APPROVE)
    codes = HealthCodeRepository(session)
    change = codes.get_change(change_id, for_update=True)
    if change is None:
        raise HealthCodeError("change-unknown", f"no colour change request {change_id}")
    if change.status != "pending":
        raise HealthCodeError("change-decided", f"request {change_id} is already {change.status}")
    return codes, change, resident_target(session, change.pid)


def _apply(codes: HealthCodeRepository, trail: AuditTrail, by: Principal, change_id: int,
           pid: str, color: str, area: str | None, note: str | None) -> None:
    at: datetime = trail.clock.now()
    codes.decide(change_id, "applied", by.user_id, at, note)
    codes.apply(change_id, pid, color, at)
    trail.record(by, "health-code.color.applied", pid, area, {"change": change_id, "to": color})
