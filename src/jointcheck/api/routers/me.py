"""``/api/me``: the calling user; for a resident, their own registry record (audited).

The answer also carries the district's today (the server's clock in the district's time zone)
and that zone, so pages default a day to the district's day, not the browser's.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from jointcheck.api.deps import (
    AuditDep,
    ContextDep,
    PrincipalDep,
    SessionDep,
    district_today,
    require,
)
from jointcheck.api.errors import AUTH_RESPONSES
from jointcheck.api.schemas import ResidentOut, resident_out
from jointcheck.errors import NotFoundError
from jointcheck.security.access import ROLE_PERMISSIONS, Permission, Role, Target
from jointcheck.services.residents import resident_record
from jointcheck.services.users import get_user

router = APIRouter(prefix="/api", tags=["me"], responses=AUTH_RESPONSES)


class MeOut(BaseModel):
    """The calling user, what it may do, and (for a resident) its own record."""

    username: str
    display_name: str
    role: str
    scope: str
    permissions: list[str]
    resident: ResidentOut | None
    today: date
    timezone: str


@router.get("/me", response_model=MeOut)
def me(principal: PrincipalDep, context: ContextDep, session: SessionDep,
       audit: AuditDep) -> MeOut:
    """Return the calling user; a resident gets their own record as well."""
    user = get_user(session, principal.user_id)
    held = ROLE_PERMISSIONS[principal.role]
    if principal.limit is not None:
        held = held & principal.limit
    resident = None
    if principal.role is Role.RESIDENT:
        require(principal, Permission.SELF_READ, Target(pid=principal.scope))
        record = resident_record(session, context.keys.cipher, principal.scope)
        if record is None:
            raise NotFoundError("unknown-resident", "your registry record is not there")
        audit.read(principal, "registry.resident.read", record.resident.pid,
                   record.resident.area, {"via": "me"})
        resident = resident_out(record, principal)
    return MeOut(username=user.username, display_name=user.display_name,
                 role=str(user.role), scope=user.scope,
                 permissions=sorted(str(p) for p in held), resident=resident,
                 today=district_today(context),
                 timezone=context.settings.district_timezone)
