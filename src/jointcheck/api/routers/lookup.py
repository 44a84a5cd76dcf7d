"""``/api/check/lookup``: a person without a smartphone, checked by identity number.

For an operator with ``checks.lookup`` at its own venue; the answer is the one a scan gives
(``docs/checkpoint.md``), recorded as a check event when final, and the lookup is audited
(:mod:`jointcheck.services.door_lookup`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StrictStr

from jointcheck.api.deps import AuditDep, PrincipalDep, SessionDep
from jointcheck.api.errors import AUTH_RESPONSES
from jointcheck.api.routers.checkpoint import own_venue
from jointcheck.api.routers.credentials import CredentialsDep
from jointcheck.checkpoint.answer import answer_fields, still_needed
from jointcheck.errors import AccessDenied
from jointcheck.services.check_events import record_decision
from jointcheck.services.door_lookup import decide_by_id_number

router = APIRouter(prefix="/api", tags=["checkpoint"], responses=AUTH_RESPONSES)


class LookupIn(BaseModel):
    """The identity number on the person's document, and the person's check id."""

    id_number: StrictStr = Field(min_length=4, max_length=40)
    event_id: StrictStr | None = None
    end: bool = True


@router.post("/check/lookup")
def lookup(body: LookupIn, request: Request, principal: PrincipalDep, session: SessionDep,
           audit: AuditDep, credentials: CredentialsDep) -> dict[str, Any]:
    """Decide for the registry's resident with this identity number, as a scan would."""
    venue = own_venue(session, principal)
    if venue is None:
        raise AccessDenied("venue-required", "a lookup is made at a venue, by its operator")
    result = decide_by_id_number(
        session, audit, request.app.state.jointcheck.keys, credentials.store.issuer(),
        credentials.trust, credentials.pack, principal, venue.code, venue.category,
        body.id_number, audit.clock.now())
    needs = () if body.end else still_needed(result.decision, result.verifications)
    recorded = None if needs else record_decision(session, principal, venue.code,
                                                  result.decision, body.event_id,
                                                  audit.clock.now())
    return answer_fields(result.decision, result.verifications, needs) | {
        "event_id": recorded, "stale": []}
