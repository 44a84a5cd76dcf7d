"""Use cases: issue, authenticate and revoke tokens (``jct_<token id>_<secret>``).

Two kinds share one format and one table: an ``api`` token is issued to a user (a checkpoint, a
script), lives until revoked or until its optional expiry, and may be narrowed to some of the
role's permissions; a ``session`` token is issued at a password login and expires after the
settings' session length. The text of a token is returned once, when it is issued; only the
SHA-256 of its secret is stored.

Every failure to authenticate a presented token says the same (``token-invalid``) whether the
id is unknown, the secret wrong, the token revoked or its user deactivated, so that a guess
learns nothing; only an expired token says so (``token-expired``), for the client to log in
again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from jointcheck.errors import AccountError, AuthenticationError, NotFoundError, TokenError
from jointcheck.security.access import ROLE_PERMISSIONS, Permission, Principal
from jointcheck.security.tokens import new_token, parse_token, token_matches
from jointcheck.services.users import User, get_user, principal_for, user_of
from jointcheck.storage.models import ApiTokenRow
from jointcheck.storage.repositories.users import TokenRepository

SESSION = "session"
API = "api"
TOUCH_EVERY = timedelta(minutes=1)
INVALID = "the token is not valid"


@dataclass(frozen=True, slots=True)
class Issued:
    """A token just issued: ``text`` is shown to its holder once and never stored."""

    token_id: str
    text: str
    kind: str
    user: User
    expires_at: datetime | None
    permissions: frozenset[Permission] | None

    def as_dict(self) -> dict[str, object]:
        """Return the token's id, text, kind, expiry and permissions as JSON values."""
        return {"token_id": self.token_id, "token": self.text, "kind": self.kind,
                "username": self.user.username,
                "expires_at": None if self.expires_at is None else self.expires_at.isoformat(),
                "permissions": None if self.permissions is None else sorted(self.permissions)}


def _permissions(user: User, names: list[str] | None) -> frozenset[Permission] | None:
    if not names:
        return None
    chosen: set[Permission] = set()
    for name in names:
        try:
            permission = Permission(name)
        except ValueError:
            raise AccountError("bad-permission", f"{name!r} is not a permission") from None
        if permission not in ROLE_PERMISSIONS[user.role]:
            raise AccountError("bad-permission", f"a {user.role} does not hold {name}")
        chosen.add(permission)
    return frozenset(chosen)


def _issue(session: Session, user: User, kind: str, label: str, at: datetime,
           expires_at: datetime | None, permissions: frozenset[Permission] | None) -> Issued:
    token = new_token()
    TokenRepository(session).add(ApiTokenRow(
        token_id=token.token_id, user_id=user.id, secret_hash=token.secret_hash,
        label=label.strip()[:200], kind=kind,
        permissions=None if permissions is None else ",".join(sorted(permissions)),
        created_at=at, expires_at=expires_at, revoked_at=None, last_used_at=None))
    return Issued(token.token_id, token.text, kind, user, expires_at, permissions)


def issue_api_token(session: Session, username: str, *, at: datetime, label: str = "",
                    expires_at: datetime | None = None,
                    permissions: list[str] | None = None) -> Issued:
    """Issue an API token to a user, optionally expiring and narrowed to some permissions."""
    user = get_user(session, username)
    if expires_at is not None and expires_at <= at:
        raise AccountError("bad-expiry", "a token's expiry lies in the future")
    return _issue(session, user, API, label or "api token", at, expires_at,
                  _permissions(user, permissions))


def issue_session_token(session: Session, user: User, *, at: datetime,
                        lifetime: timedelta) -> Issued:
    """Issue the session token of a password login, expiring after ``lifetime``."""
    return _issue(session, user, SESSION, "login", at, at + lifetime, None)


def authenticate_token(session: Session, text: str, at: datetime) -> tuple[Principal, str]:
    """Return the principal a presented token acts for, and the token id; raise otherwise."""
    try:
        parsed = parse_token(text)
    except TokenError:
        raise AuthenticationError("token-invalid", INVALID) from None
    tokens = TokenRepository(session)
    found = tokens.with_user(parsed.token_id)
    if found is None:
        raise AuthenticationError("token-invalid", INVALID)
    row, user_row = found
    if (not token_matches(row.secret_hash, parsed.secret) or row.revoked_at is not None
            or not user_row.active):
        raise AuthenticationError("token-invalid", INVALID)
    if row.expires_at is not None and row.expires_at <= at:
        raise AuthenticationError("token-expired", "the token has expired; log in again")
    # At most one write a minute per token: a busy checkpoint must not turn every scan into
    # an UPDATE of the same row.
    if row.last_used_at is None or at - row.last_used_at >= TOUCH_EVERY:
        tokens.touch(row.token_id, at)
    limit = (None if row.permissions is None
             else frozenset(Permission(p) for p in row.permissions.split(",")))
    return principal_for(user_of(user_row), limit), row.token_id


def token_owner(session: Session, token_id: str) -> User:
    """Return the user a token belongs to; raise ``NotFoundError`` for an unknown token."""
    found = TokenRepository(session).with_user(token_id)
    if found is None:
        raise NotFoundError("unknown-token", f"there is no token {token_id!r}")
    return user_of(found[1])


def revoke(session: Session, token_id: str, at: datetime) -> bool:
    """Revoke a token; return False if it was revoked already."""
    row = TokenRepository(session).get(token_id)
    if row is None:
        raise NotFoundError("unknown-token", f"there is no token {token_id!r}")
    if row.revoked_at is not None:
        return False
    row.revoked_at = at
    session.flush()
    return True
