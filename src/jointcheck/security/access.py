"""Roles, permissions and scopes: who may do what, and where. Every endpoint calls ``authorize``.

A user acts as a ``Principal``: a user id, one role, and a scope whose kind the role fixes
(``SCOPE_KINDS``). ``authorize(principal, permission, target)`` lets a call through only when
the role holds the permission (else ``role-not-allowed``) and the target lies inside the scope
(else ``outside-scope``). Area codes are dotted paths (``fz``, ``fz.s01``, ``fz.s01.c02``,
``fz.s01.c02.g03``); a scope contains itself and its descendants, on whole segments, so
``fz.s01`` does not contain ``fz.s011``. A target that does not say where it is (no area, no
venue...) is outside every scope: a forgotten field denies rather than grants.

The matrix (``permission_matrix()`` renders it for the README)::

    role                 scope         permissions
    health-authority     district      everything except checks.upload, checks.lookup,
                                       inspections.write and self.read
    street-officer       street        registry.read, checks.read, reports.read, followup.read,
                                       followup.write, organisations.read, inspections.read,
                                       targets.read
    grid-worker          community or  registry.read, followup.read, followup.write,
                         grid          reports.read, targets.read
    venue-operator       venue         checks.upload, checks.lookup, reports.read
    org-admin            organisation  organisations.read, organisations.write, reports.read
    industry-supervisor  industry      reports.read
    inspector            district      inspections.read, inspections.write, reports.read
    resident             own pid       self.read

The least-privilege choices, on purpose:

- ``reports.read`` is aggregates only (counts, coverage, compliance rates), never people. It
  is all a venue operator reads (its own venue's counts) and all an industry supervisor reads
  (the organisations of its industry), so neither can read the registry or a person.
- ``checks.read`` (check events, with the identities of registered people) stays with the
  street office and the health authority; a venue uploads its checks but does not read back
  who was registered at its door.
- ``checks.lookup`` lets a venue's operator check a person without a smartphone by identity
  number at the door: the answer is the decision only, as a scan gives, and each lookup is
  audited. A checkpoint token carries it only where it was issued with it.
- A resident holds ``self.read`` only, and only with its own pid.
- Setting a health-code colour (``health-code.set-color``) and approving a red or yellow
  change (``health-code.approve``) are both the health authority's, but never the same user's
  for one change: ``check_separate_approver``.
- ``cases.investigate`` (a person's vaccination and health-code status at a past date, for a
  case investigation, R15) is the health authority's alone: ``registry.read`` is held by
  street and grid workers too, and a medical history is more than they need.
- The health authority does not record inspections (the inspector does) nor upload checks (a
  checkpoint does), so a record says who really did it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from jointcheck.errors import AccessDenied


class Role(StrEnum):
    """The roles of the service's users."""

    HEALTH_AUTHORITY = "health-authority"
    STREET_OFFICER = "street-officer"
    GRID_WORKER = "grid-worker"
    VENUE_OPERATOR = "venue-operator"
    ORG_ADMIN = "org-admin"
    INDUSTRY_SUPERVISOR = "industry-supervisor"
    INSPECTOR = "inspector"
    RESIDENT = "resident"


class Permission(StrEnum):
    """What a call does; every endpoint names exactly one."""

    REGISTRY_READ = "registry.read"
    REGISTRY_WRITE = "registry.write"
    REGISTRY_IMPORT = "registry.import"
    CREDENTIALS_ISSUE = "credentials.issue"
    HEALTH_CODE_SET_COLOR = "health-code.set-color"
    HEALTH_CODE_APPROVE = "health-code.approve"
    KEYS_MANAGE = "keys.manage"
    CHECKPOINTS_MANAGE = "checkpoints.manage"
    USERS_MANAGE = "users.manage"
    CHECKS_UPLOAD = "checks.upload"
    CHECKS_LOOKUP = "checks.lookup"
    CHECKS_READ = "checks.read"
    REPORTS_READ = "reports.read"
    FOLLOWUP_READ = "followup.read"
    FOLLOWUP_WRITE = "followup.write"
    ORGANISATIONS_READ = "organisations.read"
    ORGANISATIONS_WRITE = "organisations.write"
    INSPECTIONS_READ = "inspections.read"
    INSPECTIONS_WRITE = "inspections.write"
    TARGETS_READ = "targets.read"
    TARGETS_WRITE = "targets.write"
    AUDIT_READ = "audit.read"
    SELF_READ = "self.read"
    POLICY_PUBLISH = "policy.publish"
    CASES_INVESTIGATE = "cases.investigate"


class ScopeKind(StrEnum):
    """What a role's scope names."""

    DISTRICT = "district"
    STREET = "street"
    COMMUNITY_OR_GRID = "community or grid"
    VENUE = "venue"
    ORGANISATION = "organisation"
    INDUSTRY = "industry"
    PID = "own pid"


P = Permission
ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    # Listed one by one rather than "all but": a permission added later is nobody's until
    # someone decides whose it is.
    Role.HEALTH_AUTHORITY: frozenset({
        P.REGISTRY_READ, P.REGISTRY_WRITE, P.REGISTRY_IMPORT, P.CREDENTIALS_ISSUE,
        P.HEALTH_CODE_SET_COLOR, P.HEALTH_CODE_APPROVE, P.KEYS_MANAGE, P.CHECKPOINTS_MANAGE,
        P.USERS_MANAGE, P.CHECKS_READ, P.REPORTS_READ, P.FOLLOWUP_READ, P.FOLLOWUP_WRITE,
        P.ORGANISATIONS_READ, P.ORGANISATIONS_WRITE, P.INSPECTIONS_READ, P.TARGETS_READ,
        P.TARGETS_WRITE, P.AUDIT_READ, P.POLICY_PUBLISH, P.CASES_INVESTIGATE}),
    Role.STREET_OFFICER: frozenset({
        P.REGISTRY_READ, P.CHECKS_READ, P.REPORTS_READ, P.FOLLOWUP_READ, P.FOLLOWUP_WRITE,
        P.ORGANISATIONS_READ, P.INSPECTIONS_READ, P.TARGETS_READ}),
    Role.GRID_WORKER: frozenset({
        P.REGISTRY_READ, P.FOLLOWUP_READ, P.FOLLOWUP_WRITE, P.REPORTS_READ, P.TARGETS_READ}),
    Role.VENUE_OPERATOR: frozenset({P.CHECKS_UPLOAD, P.CHECKS_LOOKUP, P.REPORTS_READ}),
    Role.ORG_ADMIN: frozenset({P.ORGANISATIONS_READ, P.ORGANISATIONS_WRITE, P.REPORTS_READ}),
    Role.INDUSTRY_SUPERVISOR: frozenset({P.REPORTS_READ}),
    Role.INSPECTOR: frozenset({P.INSPECTIONS_READ, P.INSPECTIONS_WRITE, P.REPORTS_READ}),
    Role.RESIDENT: frozenset({P.SELF_READ}),
}
del P

SCOPE_KINDS: Mapping[Role, ScopeKind] = {
    Role.HEALTH_AUTHORITY: ScopeKind.DISTRICT,
    Role.STREET_OFFICER: ScopeKind.STREET,
    Role.GRID_WORKER: ScopeKind.COMMUNITY_OR_GRID,
    Role.VENUE_OPERATOR: ScopeKind.VENUE,
    Role.ORG_ADMIN: ScopeKind.ORGANISATION,
    Role.INDUSTRY_SUPERVISOR: ScopeKind.INDUSTRY,
    Role.INSPECTOR: ScopeKind.DISTRICT,
    Role.RESIDENT: ScopeKind.PID,
}

# The same segments as the registry's area codes; kept here so that the access check depends
# on nothing but itself.
AREA_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,15}(?:\.[a-z0-9][a-z0-9_-]{0,15}){0,3}")
_AREA_DEPTHS: Mapping[ScopeKind, tuple[int, ...]] = {
    ScopeKind.DISTRICT: (1,), ScopeKind.STREET: (2,), ScopeKind.COMMUNITY_OR_GRID: (3, 4),
}


def is_area_code(code: str) -> bool:
    """Tell whether ``code`` is a well-formed dotted area code of one to four segments."""
    return AREA_CODE.fullmatch(code) is not None


def area_contains(scope: str, code: str) -> bool:
    """Tell whether area ``code`` is ``scope`` or lies inside it (on whole segments)."""
    if not is_area_code(scope) or not is_area_code(code):
        return False
    return code == scope or code.startswith(scope + ".")


@dataclass(frozen=True, slots=True)
class Principal:
    """The user a call acts for: id, role, and the scope the role's ``ScopeKind`` names.

    ``limit`` narrows the role's permissions for one credential: a checkpoint's API token acts
    as its venue's operator but with ``{checks.upload}`` only, so a token lifted from a
    scanner cannot read the venue's reports.
    """

    user_id: str
    role: Role
    scope: str
    limit: frozenset[Permission] | None = None

    def __post_init__(self) -> None:
        if not self.user_id.strip():
            raise ValueError("a principal needs a user id")
        kind = SCOPE_KINDS[Role(self.role)]
        depths = _AREA_DEPTHS.get(kind)
        if depths is not None:
            if not is_area_code(self.scope) or self.scope.count(".") + 1 not in depths:
                raise ValueError(f"a {self.role}'s scope is a {kind} area code, "
                                 f"not {self.scope!r}")
        elif not self.scope.strip():
            raise ValueError(f"a {self.role}'s scope is a {kind}")


@dataclass(frozen=True, slots=True)
class Target:
    """What a call reads or changes: where it is and whose it is, as far as that applies."""

    area: str | None = None
    venue: str | None = None
    organisation: str | None = None
    industry: str | None = None
    pid: str | None = None


def _in_scope(principal: Principal, target: Target) -> bool:
    kind = SCOPE_KINDS[principal.role]
    if kind in _AREA_DEPTHS:
        return target.area is not None and area_contains(principal.scope, target.area)
    named = {
        ScopeKind.VENUE: target.venue,
        ScopeKind.ORGANISATION: target.organisation,
        ScopeKind.INDUSTRY: target.industry,
        ScopeKind.PID: target.pid,
    }[kind]
    return named is not None and named == principal.scope


def _require_permission(principal: Principal, permission: Permission) -> None:
    if permission not in ROLE_PERMISSIONS[principal.role]:
        raise AccessDenied("role-not-allowed",
                           f"a {principal.role} may not do {permission}")
    if principal.limit is not None and permission not in principal.limit:
        raise AccessDenied("role-not-allowed",
                           f"this credential of user {principal.user_id} may not do {permission}")


def authorize(principal: Principal, permission: Permission, target: Target) -> None:
    """Return if ``principal`` may do ``permission`` on ``target``; raise ``AccessDenied``."""
    _require_permission(principal, permission)
    if not _in_scope(principal, target):
        raise AccessDenied("outside-scope",
                           f"this lies outside the {SCOPE_KINDS[principal.role]} "
                           f"{principal.scope} of user {principal.user_id}")


def is_allowed(principal: Principal, permission: Permission, target: Target) -> bool:
    """Tell whether ``authorize`` would let the call through (for menus, not for guarding)."""
    try:
        authorize(principal, permission, target)
    except AccessDenied:
        return False
    return True


def check_separate_approver(actor: Principal | str, approver: Principal, *,
                            target: Target | None = None) -> None:
    """Raise ``AccessDenied`` unless another user, allowed to approve, approves ``actor``'s change.

    User ids are compared without regard to case or surrounding spaces, so that one person
    under two spellings of one login name is still one person. With ``target`` the approver's
    scope is checked as well.
    """
    actor_id = actor if isinstance(actor, str) else actor.user_id  # a stored request's user id
    if actor_id.strip().casefold() == approver.user_id.strip().casefold():
        raise AccessDenied("same-approver",
                           "a red or yellow colour change needs a second user to approve it")
    _require_permission(approver, Permission.HEALTH_CODE_APPROVE)
    if target is not None:
        authorize(approver, Permission.HEALTH_CODE_APPROVE, target)


def colour_change_needs_approval(old: str | None, new: str) -> bool:
    """Tell whether setting a health code from ``old`` to ``new`` needs a second user."""
    return old != new and bool({old, new} & {"red", "yellow"})


def permission_matrix() -> str:
    """Return the role and permission matrix as a Markdown table (permissions by role)."""
    roles = list(Role)
    header = "| permission | " + " | ".join(roles) + " |"
    rule = "|---|" + "---|" * len(roles)
    scope_row = "| *scope* | " + " | ".join(SCOPE_KINDS[r] for r in roles) + " |"
    rows = [
        "| `" + permission + "` | "
        + " | ".join("yes" if permission in ROLE_PERMISSIONS[r] else "" for r in roles) + " |"
        for permission in Permission
    ]
    return "\n".join([header, rule, scope_row, *rows]) + "\n"
