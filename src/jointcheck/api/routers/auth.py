"""``/api/auth``: log in with a password for a session token; log out."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from jointcheck.api.deps import AuditDep, CallerDep, ContextDep, SessionDep
from jointcheck.api.errors import INPUT_RESPONSES, documented
from jointcheck.services import tokens, users

router = APIRouter(prefix="/api/auth", tags=["auth"])


class LoginIn(BaseModel):
    """A user name and password."""

    model_config = ConfigDict(extra="forbid")

    username: StrictStr = Field(min_length=1, max_length=64)
    password: StrictStr = Field(min_length=1, max_length=1024)


class LoginOut(BaseModel):
    """The session token (shown once), when it expires, and who it acts as."""

    token: str
    token_id: str
    expires_at: datetime
    username: str
    role: str
    scope: str


class LogoutOut(BaseModel):
    """The token that was revoked."""

    token_id: str
    revoked: bool


@router.post("/login", response_model=LoginOut, responses={
    **INPUT_RESPONSES,
    **documented(401, "Unknown user, wrong password or inactive account, all alike "
                 "(`login-failed`)")})
def login(body: LoginIn, context: ContextDep, session: SessionDep,
          audit: AuditDep) -> LoginOut:
    """Log in with a password; return a session token that expires after the session length."""
    user = users.authenticate(session, body.username, body.password)
    at = context.clock.now()
    issued = tokens.issue_session_token(session, user, at=at,
                                        lifetime=timedelta(hours=context.settings.session_hours))
    audit.record(users.principal_for(user), "auth.login", subject=user.username,
                 detail={"token_id": issued.token_id})
    assert issued.expires_at is not None
    return LoginOut(token=issued.text, token_id=issued.token_id, expires_at=issued.expires_at,
                    username=user.username, role=str(user.role), scope=user.scope)


@router.post("/logout", response_model=LogoutOut)
def logout(caller: CallerDep, context: ContextDep, session: SessionDep,
           audit: AuditDep) -> LogoutOut:
    """Revoke the token this request presents."""
    revoked = tokens.revoke(session, caller.token_id, context.clock.now())
    audit.record(caller.principal, "auth.logout", subject=caller.principal.user_id,
                 detail={"token_id": caller.token_id})
    return LogoutOut(token_id=caller.token_id, revoked=revoked)
