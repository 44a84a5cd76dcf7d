"""Roles, permissions and area scopes: authorize() decides every call of the service."""

from __future__ import annotations

import pytest

from jointcheck.errors import AccessDenied, JointcheckError
from jointcheck.security.access import (
    ROLE_PERMISSIONS,
    SCOPE_KINDS,
    Permission,
    Principal,
    Role,
    Target,
    area_contains,
    authorize,
    check_separate_approver,
    colour_change_needs_approval,
    is_allowed,
    permission_matrix,
)

P = Permission

HEALTH = Principal("cdc-1", Role.HEALTH_AUTHORITY, "fz")
STREET = Principal("street-1", Role.STREET_OFFICER, "fz.s01")
GRID = Principal("grid-1", Role.GRID_WORKER, "fz.s01.c02.g03")
COMMUNITY = Principal("grid-2", Role.GRID_WORKER, "fz.s01.c02")
VENUE = Principal("venue-1", Role.VENUE_OPERATOR, "mall-7")
ORG = Principal("org-1", Role.ORG_ADMIN, "school-3")
INDUSTRY = Principal("ind-1", Role.INDUSTRY_SUPERVISOR, "catering")
INSPECTOR = Principal("insp-1", Role.INSPECTOR, "fz")
RESIDENT = Principal("res-1", Role.RESIDENT, "p1-aaaa")

RESIDENT_IN_S01 = Target(area="fz.s01.c02.g03", pid="p1-aaaa")
RESIDENT_IN_S02 = Target(area="fz.s02.c01.g01", pid="p1-bbbb")


def denied(principal: Principal, permission: Permission, target: Target) -> str:
    with pytest.raises(AccessDenied) as caught:
        authorize(principal, permission, target)
    assert caught.value.stage == "access"
    assert isinstance(caught.value, JointcheckError)
    return caught.value.code


# The three proofs issue #4 asks for.

def test_street_officer_cannot_read_another_street() -> None:
    authorize(STREET, P.REGISTRY_READ, RESIDENT_IN_S01)
    assert denied(STREET, P.REGISTRY_READ, RESIDENT_IN_S02) == "outside-scope"
    assert denied(STREET, P.CHECKS_READ, Target(area="fz.s02", venue="mall-9")) == "outside-scope"
    assert denied(STREET, P.REPORTS_READ, Target(area="fz")) == "outside-scope"


def test_venue_operator_cannot_read_the_registry() -> None:
    own_venue = Target(area="fz.s01.c02", venue="mall-7")
    for permission in (P.REGISTRY_READ, P.CHECKS_READ, P.FOLLOWUP_READ, P.SELF_READ):
        assert denied(VENUE, permission, own_venue) == "role-not-allowed"
    authorize(VENUE, P.CHECKS_UPLOAD, own_venue)
    authorize(VENUE, P.REPORTS_READ, own_venue)
    assert denied(VENUE, P.REPORTS_READ, Target(area="fz.s01.c02", venue="mall-8")) \
        == "outside-scope"
    assert ROLE_PERMISSIONS[Role.VENUE_OPERATOR] == {P.CHECKS_UPLOAD, P.CHECKS_LOOKUP,
                                                     P.REPORTS_READ}


def test_resident_sees_only_its_own_record() -> None:
    authorize(RESIDENT, P.SELF_READ, Target(area="fz.s01.c02.g03", pid="p1-aaaa"))
    authorize(RESIDENT, P.SELF_READ, Target(pid="p1-aaaa"))
    assert denied(RESIDENT, P.SELF_READ, Target(pid="p1-bbbb")) == "outside-scope"
    assert denied(RESIDENT, P.SELF_READ, Target(area="fz.s01.c02.g03")) == "outside-scope"
    assert denied(RESIDENT, P.REGISTRY_READ, Target(pid="p1-aaaa")) == "role-not-allowed"
    assert ROLE_PERMISSIONS[Role.RESIDENT] == {P.SELF_READ}


# The whole matrix, written out independently of the module: a change to either fails here.

EXPECTED: dict[Role, set[str]] = {
    Role.HEALTH_AUTHORITY: {
        "registry.read", "registry.write", "registry.import", "credentials.issue",
        "health-code.set-color", "health-code.approve", "keys.manage", "checkpoints.manage",
        "users.manage", "checks.read", "reports.read", "followup.read", "followup.write",
        "organisations.read", "organisations.write", "inspections.read", "targets.read",
        "targets.write", "audit.read", "policy.publish", "cases.investigate"},
    Role.STREET_OFFICER: {
        "registry.read", "checks.read", "reports.read", "followup.read", "followup.write",
        "organisations.read", "inspections.read", "targets.read"},
    Role.GRID_WORKER: {
        "registry.read", "followup.read", "followup.write", "reports.read", "targets.read"},
    Role.VENUE_OPERATOR: {"checks.upload", "checks.lookup", "reports.read"},
    Role.ORG_ADMIN: {"organisations.read", "organisations.write", "reports.read"},
    Role.INDUSTRY_SUPERVISOR: {"reports.read"},
    Role.INSPECTOR: {"inspections.read", "inspections.write", "reports.read"},
    Role.RESIDENT: {"self.read"},
}

# A target inside each sample principal's scope, carrying every field it could be checked on.
INSIDE: dict[Role, tuple[Principal, Target]] = {
    Role.HEALTH_AUTHORITY: (HEALTH, Target(area="fz.s02.c01")),
    Role.STREET_OFFICER: (STREET, Target(area="fz.s01.c09")),
    Role.GRID_WORKER: (GRID, Target(area="fz.s01.c02.g03")),
    Role.VENUE_OPERATOR: (VENUE, Target(area="fz.s01.c02", venue="mall-7")),
    Role.ORG_ADMIN: (ORG, Target(area="fz.s01", organisation="school-3", industry="education")),
    Role.INDUSTRY_SUPERVISOR: (INDUSTRY, Target(area="fz.s03", organisation="noodles-1",
                                                industry="catering")),
    Role.INSPECTOR: (INSPECTOR, Target(area="fz.s04", venue="bar-2")),
    Role.RESIDENT: (RESIDENT, Target(area="fz.s01.c02.g03", pid="p1-aaaa")),
}


def test_matrix_is_as_documented() -> None:
    assert {role: {str(p) for p in perms} for role, perms in ROLE_PERMISSIONS.items()} \
        == EXPECTED
    assert set(ROLE_PERMISSIONS) == set(Role) == set(SCOPE_KINDS)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_authorize_follows_the_matrix(role: Role, permission: Permission) -> None:
    principal, target = INSIDE[role]
    if permission in EXPECTED[role]:
        authorize(principal, permission, target)
        assert is_allowed(principal, permission, target)
    else:
        assert denied(principal, permission, target) == "role-not-allowed"
        assert not is_allowed(principal, permission, target)


def test_every_permission_has_a_holder() -> None:
    held = set().union(*ROLE_PERMISSIONS.values())
    assert held == set(Permission)


def test_least_privilege_choices() -> None:
    # Aggregates only for venues and industries; nobody but a checkpoint uploads checks;
    # inspections are recorded by inspectors; only the health authority reads the audit log.
    for role in (Role.VENUE_OPERATOR, Role.INDUSTRY_SUPERVISOR, Role.ORG_ADMIN, Role.INSPECTOR,
                 Role.RESIDENT):
        assert P.REGISTRY_READ not in ROLE_PERMISSIONS[role]
        assert P.CHECKS_READ not in ROLE_PERMISSIONS[role]
    assert [r for r in Role if P.CHECKS_UPLOAD in ROLE_PERMISSIONS[r]] == [Role.VENUE_OPERATOR]
    assert [r for r in Role if P.INSPECTIONS_WRITE in ROLE_PERMISSIONS[r]] == [Role.INSPECTOR]
    assert [r for r in Role if P.AUDIT_READ in ROLE_PERMISSIONS[r]] == [Role.HEALTH_AUTHORITY]
    assert [r for r in Role if P.SELF_READ in ROLE_PERMISSIONS[r]] == [Role.RESIDENT]


# Scopes.

@pytest.mark.parametrize(("scope", "code", "inside"), [
    ("fz", "fz", True),
    ("fz", "fz.s01.c02.g03", True),
    ("fz.s01", "fz.s01", True),
    ("fz.s01", "fz.s01.c02", True),
    ("fz.s01", "fz.s011", False),          # a sibling whose code starts the same
    ("fz.s01", "fz.s011.c01", False),
    ("fz.s01", "fz.s0", False),
    ("fz.s01", "fz", False),               # the parent is not inside
    ("fz.s01", "fz.s02.c01", False),
    ("fz.s01", "gz.s01", False),
    ("fz.s01", "fz.s01.", False),          # malformed codes are never inside
    ("fz.s01", "fz.s01..c01", False),
    ("fz.s01", "fz.s01.c01.g01.x01", False),
    ("fz.s01", "FZ.S01", False),
    ("fz.s01", "fz.s01\n", False),
    ("fz.s01", "", False),
    ("fz.s01", "fz.s01/../s02", False),
    ("fz.s01", "fz.s01.c02\x00", False),
])
def test_area_containment(scope: str, code: str, inside: bool) -> None:
    assert area_contains(scope, code) is inside
    role = Role.HEALTH_AUTHORITY if "." not in scope else Role.STREET_OFFICER
    principal = Principal("s", role, scope)
    assert is_allowed(principal, P.REGISTRY_READ, Target(area=code)) is inside


def test_grid_worker_reads_only_its_grid_or_community() -> None:
    authorize(GRID, P.REGISTRY_READ, Target(area="fz.s01.c02.g03", pid="p1-x"))
    assert denied(GRID, P.REGISTRY_READ, Target(area="fz.s01.c02.g04")) == "outside-scope"
    assert denied(GRID, P.REPORTS_READ, Target(area="fz.s01.c02")) == "outside-scope"
    authorize(COMMUNITY, P.REPORTS_READ, Target(area="fz.s01.c02"))
    authorize(COMMUNITY, P.FOLLOWUP_WRITE, Target(area="fz.s01.c02.g04", pid="p1-y"))
    assert denied(COMMUNITY, P.FOLLOWUP_READ, Target(area="fz.s01.c03")) == "outside-scope"
    assert denied(COMMUNITY, P.REPORTS_READ, Target(area="fz.s01")) == "outside-scope"


def test_industry_supervisor_sees_only_its_industry_in_aggregate() -> None:
    authorize(INDUSTRY, P.REPORTS_READ, Target(organisation="noodles-1", industry="catering"))
    assert denied(INDUSTRY, P.REPORTS_READ, Target(organisation="bank-1", industry="finance")) \
        == "outside-scope"
    assert denied(INDUSTRY, P.ORGANISATIONS_READ,
                  Target(organisation="noodles-1", industry="catering")) == "role-not-allowed"


def test_org_admin_sees_only_its_organisation() -> None:
    authorize(ORG, P.ORGANISATIONS_WRITE, Target(organisation="school-3", pid="p1-t"))
    assert denied(ORG, P.ORGANISATIONS_READ, Target(organisation="school-4")) == "outside-scope"


def test_health_authority_and_inspector_stay_in_their_district() -> None:
    authorize(HEALTH, P.KEYS_MANAGE, Target(area="fz"))
    authorize(HEALTH, P.REGISTRY_READ, RESIDENT_IN_S02)
    assert denied(HEALTH, P.REGISTRY_READ, Target(area="gz.s01")) == "outside-scope"
    assert denied(INSPECTOR, P.INSPECTIONS_WRITE, Target(area="gz.s01", venue="bar-2")) \
        == "outside-scope"


@pytest.mark.parametrize("principal", [HEALTH, STREET, GRID, VENUE, ORG, INDUSTRY, INSPECTOR,
                                       RESIDENT])
def test_a_target_that_does_not_say_where_is_outside_every_scope(principal: Principal) -> None:
    permission = min(ROLE_PERMISSIONS[principal.role])
    assert denied(principal, permission, Target()) == "outside-scope"


def test_a_scope_is_never_matched_by_an_empty_field() -> None:
    assert denied(VENUE, P.REPORTS_READ, Target(venue="")) == "outside-scope"
    assert denied(RESIDENT, P.SELF_READ, Target(pid="P1-AAAA")) == "outside-scope"


@pytest.mark.parametrize(("role", "scope"), [
    (Role.STREET_OFFICER, "fz"),              # a street officer's scope is a street
    (Role.STREET_OFFICER, "fz.s01.c02"),
    (Role.GRID_WORKER, "fz.s01"),             # a grid worker's is a community or a grid
    (Role.HEALTH_AUTHORITY, "fz.s01"),        # the health authority's is a district
    (Role.INSPECTOR, "fz.s01"),
    (Role.STREET_OFFICER, "fz.S01"),
    (Role.VENUE_OPERATOR, ""),
    (Role.RESIDENT, "  "),
])
def test_principal_refuses_a_scope_of_the_wrong_kind(role: Role, scope: str) -> None:
    with pytest.raises(ValueError, match="scope"):
        Principal("u", role, scope)


def test_principal_needs_a_user_and_a_known_role() -> None:
    with pytest.raises(ValueError):
        Principal(" ", Role.RESIDENT, "p1-a")
    with pytest.raises(ValueError):
        Principal("u", "superuser", "fz")  # type: ignore[arg-type]


def test_a_checkpoint_token_is_narrower_than_its_role() -> None:
    checkpoint = Principal("token-0123", Role.VENUE_OPERATOR, "mall-7",
                           limit=frozenset({P.CHECKS_UPLOAD}))
    own_venue = Target(area="fz.s01.c02", venue="mall-7")
    authorize(checkpoint, P.CHECKS_UPLOAD, own_venue)
    assert denied(checkpoint, P.REPORTS_READ, own_venue) == "role-not-allowed"
    # A limit never widens the role.
    wide = Principal("token-0124", Role.VENUE_OPERATOR, "mall-7",
                     limit=frozenset({P.REGISTRY_READ}))
    assert denied(wide, P.REGISTRY_READ, own_venue) == "role-not-allowed"


# Separation of duties.

def test_colour_change_needs_a_second_user() -> None:
    second = Principal("cdc-2", Role.HEALTH_AUTHORITY, "fz")
    check_separate_approver(HEALTH, second)
    check_separate_approver(HEALTH, second, target=Target(area="fz.s01.c02.g03", pid="p1-a"))
    for same in (HEALTH, Principal("CDC-1 ", Role.HEALTH_AUTHORITY, "fz")):
        with pytest.raises(AccessDenied) as caught:
            check_separate_approver(HEALTH, same)
        assert caught.value.code == "same-approver"


def test_approver_must_be_allowed_to_approve_there() -> None:
    with pytest.raises(AccessDenied) as caught:
        check_separate_approver(HEALTH, STREET)
    assert caught.value.code == "role-not-allowed"
    elsewhere = Principal("gz-1", Role.HEALTH_AUTHORITY, "gz")
    with pytest.raises(AccessDenied) as caught:
        check_separate_approver(HEALTH, elsewhere, target=Target(area="fz.s01", pid="p1-a"))
    assert caught.value.code == "outside-scope"


@pytest.mark.parametrize(("old", "new", "needed"), [
    ("green", "red", True), ("green", "yellow", True), ("red", "green", True),
    ("yellow", "red", True), (None, "red", True), (None, "green", False),
    ("green", "green", False), ("red", "red", False),
])
def test_which_colour_changes_need_approval(old: str | None, new: str, needed: bool) -> None:
    assert colour_change_needs_approval(old, new) is needed


def test_permission_matrix_renders_every_role_and_permission() -> None:
    table = permission_matrix()
    lines = table.splitlines()
    assert len(lines) == 3 + len(Permission)
    assert all(role in lines[0] for role in Role)
    venue_column = 1 + list(Role).index(Role.VENUE_OPERATOR)
    for line in lines[3:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        permission = Permission(cells[0].strip("`"))
        for column, role in enumerate(Role, start=1):
            assert (cells[column] == "yes") == (permission in EXPECTED[role])
        if permission is P.REGISTRY_READ:
            assert cells[venue_column] == ""
