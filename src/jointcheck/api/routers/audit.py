"""``/api/audit``: verify the hash chain of the audit log."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from jointcheck.api.deps import ContextDep, PrincipalDep, SessionDep, require_role
from jointcheck.api.errors import AUTH_RESPONSES
from jointcheck.security.access import Permission
from jointcheck.services import audit

router = APIRouter(prefix="/api/audit", tags=["audit"], responses=AUTH_RESPONSES)


class ChainReportOut(BaseModel):
    """The outcome of a verification: intact, or the first sequence number that breaks."""

    ok: bool
    count: int
    head: str | None
    sequence: int | None
    reason: str | None
    message: str


@router.get("/verify", response_model=ChainReportOut)
def verify(principal: PrincipalDep, context: ContextDep, session: SessionDep) -> ChainReportOut:
    """Re-walk the audit chain against the newest anchor; a broken chain is ``ok: false``."""
    # The log is the district's: only the role is checked, the scope is the whole log.
    require_role(principal, Permission.AUDIT_READ)
    return ChainReportOut.model_validate(audit.verify(session, context.audit_key).as_dict())
