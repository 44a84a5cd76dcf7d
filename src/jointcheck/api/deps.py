"""What every endpoint shares: the app's context, one session per request, the caller, access.

The session dependency runs with ``scope="function"``: the unit of work commits once when the
endpoint returns, before the response is sent, so a client never sees a success whose audit
entry failed to commit; an error rolls everything back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from jointcheck.clock import Clock
from jointcheck.config import RegistryKeys, Settings
from jointcheck.errors import AuthenticationError
from jointcheck.reporting.daily import local_day
from jointcheck.security.access import Permission, Principal, Target, authorize
from jointcheck.services.audit import AuditTrail
from jointcheck.services.tokens import authenticate_token
from jointcheck.storage.db import SessionFactory, unit_of_work


@dataclass(frozen=True)
class ApiContext:
    """What the app holds for its requests: settings, sessions, keys and the clock."""

    settings: Settings
    sessions: SessionFactory
    keys: RegistryKeys
    audit_key: bytes
    clock: Clock


@dataclass(frozen=True)
class Caller:
    """The principal of a request and the token it presented."""

    principal: Principal
    token_id: str


def get_context(request: Request) -> ApiContext:
    """Return the context ``create_app`` stored on the app."""
    context: ApiContext = request.app.state.jointcheck
    return context


ContextDep = Annotated[ApiContext, Depends(get_context)]


def district_today(context: ApiContext) -> date:
    """Return the district's today: the local day of the context's clock in the settings'
    time zone (``JOINTCHECK_TIMEZONE``), the one "today" of every endpoint."""
    return local_day(context.clock.now(), context.settings.timezone)


def db_session(context: ContextDep) -> Iterator[Session]:
    """Yield the request's session; commit once at the end, roll back on an error."""
    with unit_of_work(context.sessions) as session:
        yield session


SessionDep = Annotated[Session, Depends(db_session, scope="function")]
bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer jct_<id>_<secret>`: "
                    "a session token from /api/auth/login or an API token")


def current_caller(context: ContextDep, session: SessionDep,
                   credentials: Annotated[HTTPAuthorizationCredentials | None,
                                          Depends(bearer)]) -> Caller:
    """Return who is calling, from the bearer token; raise ``AuthenticationError``."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationError("token-missing",
                                  "this needs an Authorization: Bearer token")
    principal, token_id = authenticate_token(session, credentials.credentials,
                                             context.clock.now())
    return Caller(principal, token_id)


CallerDep = Annotated[Caller, Depends(current_caller)]


def current_principal(caller: CallerDep) -> Principal:
    """Return the principal of the request."""
    return caller.principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def audit_trail(context: ContextDep, session: SessionDep) -> AuditTrail:
    """Return the audit trail of the request's unit of work."""
    return AuditTrail(session, context.audit_key, context.clock)


AuditDep = Annotated[AuditTrail, Depends(audit_trail)]


def require(principal: Principal, permission: Permission, target: Target) -> None:
    """Let the call through if ``principal`` may do ``permission`` on ``target``; else 403."""
    authorize(principal, permission, target)


def require_role(principal: Principal, permission: Permission) -> None:
    """Let the call through if the principal's role (and token) holds ``permission`` at all.

    For the step before the target is known (an unknown resident is a 404 only for someone
    allowed to look) and for district-wide calls: a target at the principal's own scope is
    inside it by definition, so only the role and token limits are checked.
    """
    own = principal.scope
    authorize(principal, permission,
              Target(area=own, venue=own, organisation=own, industry=own, pid=own))
