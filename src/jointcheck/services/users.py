"""Use cases: create users, set passwords, log in with a password, act as a ``Principal``.

A user name is stored in one canonical form (NFKC, case-folded, trimmed): two spellings of one
login name are one user, as ``check_separate_approver`` expects. The user name is the
principal's ``user_id``, and so the actor named in the audit log.

A scope is checked twice: its shape by ``Principal`` (a street officer's scope is a street
code...) and its existence in the registry (the area, venue, organisation or resident must be
there; an industry must be one of the registry's industries).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from jointcheck.errors import AccountError, AuthenticationError, NotFoundError, PasswordError
from jointcheck.registry.organisations import INDUSTRIES
from jointcheck.security.access import SCOPE_KINDS, Permission, Principal, Role, ScopeKind
from jointcheck.security.passwords import hash_password, needs_rehash, verify_password
from jointcheck.storage.models import UserRow
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.organisations import OrganisationRepository
from jointcheck.storage.repositories.residents import ResidentRepository
from jointcheck.storage.repositories.users import UserRepository
from jointcheck.storage.repositories.venues import VenueRepository

USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")
LOGIN_FAILED = "the user name or the password is wrong"


@dataclass(frozen=True, slots=True)
class User:
    """A user as the service layer hands it out (never the password hash)."""

    id: int
    username: str
    display_name: str
    role: Role
    scope: str
    active: bool
    created_at: datetime
    has_password: bool

    def as_dict(self) -> dict[str, object]:
        """Return the user as plain JSON values."""
        return {"id": self.id, "username": self.username, "display_name": self.display_name,
                "role": str(self.role), "scope": self.scope, "active": self.active,
                "created_at": self.created_at.isoformat(), "has_password": self.has_password}


def user_of(row: UserRow) -> User:
    """Return the plain value of a stored user."""
    return User(row.id, row.username, row.display_name, Role(row.role), row.scope, row.active,
                row.created_at, row.password_hash is not None)


def normalise_username(username: str) -> str:
    """Return ``username`` in its stored form (NFKC, case-folded, without surrounding space)."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError("bad-role", f"{role!r} is not one of "
                           f"{', '.join(r.value for r in Role)}") from None


def _check_scope_exists(session: Session, role: Role, scope: str) -> None:
    kind = SCOPE_KINDS[role]
    if kind in (ScopeKind.DISTRICT, ScopeKind.STREET, ScopeKind.COMMUNITY_OR_GRID):
        found = AreaRepository(session).get(scope) is not None
    elif kind is ScopeKind.VENUE:
        found = VenueRepository(session).get(scope) is not None
    elif kind is ScopeKind.ORGANISATION:
        found = OrganisationRepository(session).get(scope) is not None
    elif kind is ScopeKind.INDUSTRY:
        found = scope in INDUSTRIES
    else:
        found = ResidentRepository(session).area_of(scope) is not None
    if not found:
        raise AccountError("unknown-scope", f"there is no {kind} {scope!r} in the registry")


def create_user(session: Session, *, username: str, display_name: str, role: str, scope: str,
                password: str | None, at: datetime) -> User:
    """Create a user with a role and scope, and a password unless it only holds API tokens."""
    name = normalise_username(username)
    if USERNAME.fullmatch(name) is None:
        raise AccountError("bad-username", "a user name is 2 to 64 letters, digits and . _ @ -, "
                           "starting with a letter or digit")
    checked_role = _role(role)
    try:
        Principal(name, checked_role, scope)
    except ValueError as exc:
        raise AccountError("bad-scope", str(exc)) from None
    _check_scope_exists(session, checked_role, scope)
    users = UserRepository(session)
    if users.by_username(name) is not None:
        raise AccountError("username-taken", f"the user name {name!r} is taken")
    password_hash = hash_password(password) if password is not None else None
    row = users.add(UserRow(username=name, display_name=display_name.strip() or name,
                            password_hash=password_hash, role=checked_role.value, scope=scope,
                            active=True, created_at=at))
    return user_of(row)


def get_user(session: Session, username: str) -> User:
    """Return the user called ``username``; raise ``NotFoundError`` if there is none."""
    row = UserRepository(session).by_username(normalise_username(username))
    if row is None:
        raise NotFoundError("unknown-user", f"there is no user {username!r}")
    return user_of(row)


def set_password(session: Session, username: str, password: str) -> None:
    """Give the user a new password (checked against the password policy)."""
    row = UserRepository(session).by_username(normalise_username(username))
    if row is None:
        raise NotFoundError("unknown-user", f"there is no user {username!r}")
    row.password_hash = hash_password(password)
    session.flush()


def authenticate(session: Session, username: str, password: str) -> User:
    """Return the active user whose password this is; raise ``AuthenticationError``."""
    row = UserRepository(session).by_username(normalise_username(username))
    stored = row.password_hash if row is not None and row.active else None
    # Unknown user, inactive user, token-only user: a dummy hash is checked all the same,
    # so the answer takes as long and says the same as for a wrong password.
    if not verify_password(stored, password) or row is None or stored is None:
        raise AuthenticationError("login-failed", LOGIN_FAILED)
    if needs_rehash(stored):
        try:
            row.password_hash = hash_password(password)
        except PasswordError:
            # An old password below today's policy still logs in; it is rehashed when the
            # user next sets one.
            return user_of(row)
        session.flush()
    return user_of(row)


def principal_for(user: User, limit: frozenset[Permission] | None = None) -> Principal:
    """Return the principal a user acts as (narrowed to ``limit`` for a limited token)."""
    return Principal(user.username, user.role, user.scope, limit)


def home_area(session: Session, role: Role, scope: str) -> str | None:
    """Return the area a user's scope lies in (None for an industry, which has no area)."""
    kind = SCOPE_KINDS[role]
    if kind in (ScopeKind.DISTRICT, ScopeKind.STREET, ScopeKind.COMMUNITY_OR_GRID):
        return scope
    if kind is ScopeKind.VENUE:
        venue = VenueRepository(session).get(scope)
        return None if venue is None else venue.street
    if kind is ScopeKind.ORGANISATION:
        organisation = OrganisationRepository(session).get(scope)
        return None if organisation is None else organisation.street
    if kind is ScopeKind.PID:
        return ResidentRepository(session).area_of(scope)
    return None
