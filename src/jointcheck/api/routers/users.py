"""``/api/users`` and ``/api/tokens``: create users, issue and revoke their API tokens.

``users.manage`` is checked against the area the managed user's scope lies in (a venue's
street, a resident's area...), so a health authority manages the users of its own district.
An industry has no area: an industry supervisor is managed from any district.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from jointcheck.api.deps import (
    AuditDep,
    ContextDep,
    PrincipalDep,
    SessionDep,
    require,
)
from jointcheck.api.errors import AUTH_RESPONSES, INPUT_RESPONSES, documented
from jointcheck.security.access import Permission, Principal, Target
from jointcheck.services import tokens, users
from jointcheck.services.users import User

router = APIRouter(prefix="/api", tags=["users"], responses={**AUTH_RESPONSES,
                                                           **INPUT_RESPONSES})
NOT_FOUND = documented(404, "No such user or token")


class UserIn(BaseModel):
    """A new user; no password for a user that only holds API tokens (a checkpoint)."""

    model_config = ConfigDict(extra="forbid")

    username: StrictStr = Field(min_length=2, max_length=64)
    display_name: StrictStr = Field(default="", max_length=200)
    role: StrictStr
    scope: StrictStr = Field(min_length=1, max_length=64)
    password: StrictStr | None = Field(default=None, max_length=1024)


class UserOut(BaseModel):
    """A user (never the password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    scope: str
    active: bool
    created_at: datetime
    has_password: bool


class TokenIn(BaseModel):
    """A new API token: a label, an optional lifetime, optionally fewer permissions."""

    model_config = ConfigDict(extra="forbid")

    label: StrictStr = Field(default="", max_length=200)
    expires_days: StrictInt | None = Field(default=None, ge=1, le=3660)
    permissions: list[StrictStr] | None = None


class TokenOut(BaseModel):
    """A token just issued: ``token`` is shown this once."""

    token_id: str
    token: str
    kind: str
    username: str
    expires_at: datetime | None
    permissions: list[str] | None


class RevokedOut(BaseModel):
    """A revoked token; ``revoked`` is false if it had been revoked before."""

    token_id: str
    revoked: bool


def _user_out(user: User) -> UserOut:
    return UserOut(id=user.id, username=user.username, display_name=user.display_name,
                   role=str(user.role), scope=user.scope, active=user.active,
                   created_at=user.created_at, has_password=user.has_password)


def _require_manage(session: SessionDep, principal: Principal, user: User) -> str | None:
    area = users.home_area(session, user.role, user.scope)
    require(principal, Permission.USERS_MANAGE,
            Target(area=area if area is not None else principal.scope))
    return area


@router.post("/users", response_model=UserOut, status_code=201, responses=documented(
    409, "The user name is taken (`username-taken`)"))
def create_user(body: UserIn, principal: PrincipalDep, context: ContextDep,
                session: SessionDep, audit: AuditDep) -> UserOut:
    """Create a user with a role and a scope."""
    user = users.create_user(session, username=body.username, display_name=body.display_name,
                             role=body.role, scope=body.scope, password=body.password,
                             at=context.clock.now())
    # Checked once the scope is known to exist; a refusal rolls the new user back.
    area = _require_manage(session, principal, user)
    audit.record(principal, "users.create", subject=user.username, area=area,
                 detail={"role": str(user.role), "scope": user.scope})
    return _user_out(user)


@router.post("/users/{username}/tokens", response_model=TokenOut, status_code=201,
             responses=NOT_FOUND)
def issue_token(username: str, body: TokenIn, principal: PrincipalDep, context: ContextDep,
                session: SessionDep, audit: AuditDep) -> TokenOut:
    """Issue an API token to a user (a checkpoint, a script); its text is shown once."""
    user = users.get_user(session, username)
    area = _require_manage(session, principal, user)
    at = context.clock.now()
    expires = None if body.expires_days is None else at + timedelta(days=body.expires_days)
    issued = tokens.issue_api_token(session, user.username, at=at, label=body.label,
                                    expires_at=expires, permissions=body.permissions)
    audit.record(principal, "tokens.issue", subject=user.username, area=area,
                 detail={"token_id": issued.token_id})
    return TokenOut(token_id=issued.token_id, token=issued.text, kind=issued.kind,
                    username=user.username, expires_at=issued.expires_at,
                    permissions=None if issued.permissions is None
                    else sorted(issued.permissions))


@router.delete("/tokens/{token_id}", response_model=RevokedOut, responses=NOT_FOUND)
def revoke_token(token_id: str, principal: PrincipalDep, context: ContextDep,
                 session: SessionDep, audit: AuditDep) -> RevokedOut:
    """Revoke a token; requests with it are refused from now on."""
    owner = tokens.token_owner(session, token_id)
    area = _require_manage(session, principal, owner)
    revoked = tokens.revoke(session, token_id, context.clock.now())
    audit.record(principal, "tokens.revoke", subject=owner.username, area=area,
                 detail={"token_id": token_id, "revoked": revoked})
    return RevokedOut(token_id=token_id, revoked=revoked)
