"""The checkpoint's calls on the district server: status, the signed policy, and the check.

``/api/check`` verifies the QR texts shown at a door and decides under the district's policy
pack, as a node does offline; the page calls it for venues without a node. ``/api/policy`` is
public, as ``/api/trust-list`` is: a node syncs both and checks them against the same anchor.
The wire formats are in ``docs/checkpoint.md``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictStr

from jointcheck.api.deps import AuditDep, PrincipalDep, SessionDep, require_role
from jointcheck.api.errors import AUTH_RESPONSES
from jointcheck.api.routers.credentials import CredentialsDep
from jointcheck.checkpoint.answer import answer_fields, still_needed
from jointcheck.checkpoint.events import event_id, iso
from jointcheck.checkpoint.policy_bundle import build_policy_bundle
from jointcheck.errors import AccessDenied, NotFoundError, PolicyError
from jointcheck.registry.venues import Venue
from jointcheck.rules.decision import decide
from jointcheck.security.access import Permission, Principal, Role
from jointcheck.services.check_events import record_decision
from jointcheck.storage.repositories.venues import VenueRepository
from jointcheck.trust.verify import verify

router = APIRouter(prefix="/api", tags=["checkpoint"], responses=AUTH_RESPONSES)


class CheckIn(BaseModel):
    """QR texts shown at a door (any order), and the venue's category.

    A venue's operator or checkpoint token checks under its own venue's category, which the
    server takes from the registry: a gate cannot pick a looser category. Only a caller with no
    venue of its own names one.
    """

    codes: list[StrictStr] = Field(min_length=1, max_length=8)
    venue_category: StrictStr | None = None
    event_id: StrictStr | None = Field(default=None, description="The page's id for this "
                                       "person's check (a UUID 4); the final decision is "
                                       "recorded under it, once.")
    end: bool = Field(default=False, description="The worker ends the scan: decide on what "
                      "was shown, even if a certificate could still change the outcome.")


@router.get("/policy", tags=["public"], responses={})
def policy(credentials: CredentialsDep, audit: AuditDep) -> JSONResponse:
    """Return the district's policy pack, signed by the trust anchor, as checkpoints sync it."""
    store = credentials.store
    bundle = build_policy_bundle(credentials.pack.document, issuer=store.profile.name,
                                 issued_at=audit.clock.now(), anchor_key=store.anchor_key)
    return JSONResponse(bundle)


@router.get("/checkpoint/status")
def status(principal: PrincipalDep, session: SessionDep, audit: AuditDep,
           credentials: CredentialsDep) -> dict[str, Any]:
    """Return what the scanner page shows in its header: the venue, the policy, the time."""
    require_role(principal, Permission.CHECKS_UPLOAD)
    venue = own_venue(session, principal)
    pack, trust = credentials.pack, credentials.trust_document
    now = audit.clock.now()
    return {
        "mode": "server",
        "venue": None if venue is None else {"id": venue.code, "name": venue.name,
                                             "category": venue.category},
        "policy": {"id": pack.id, "version": pack.version, "issued_at": iso(now)},
        "trust_list": {"sequence": trust.get("sequence"), "issued_at": trust.get("issued_at")},
        "stale": [], "online": True, "last_sync": None,
        "queue": {"events": 0, "registrations": 0},
        "time": {"now": iso(now), "source": "server", "system_offset_seconds": 0.0},
        "clock_problem": None,
        "lookup": principal.role is Role.VENUE_OPERATOR and principal.limit is None,
    }


@router.post("/check")
def check(body: CheckIn, principal: PrincipalDep, session: SessionDep, audit: AuditDep,
          credentials: CredentialsDep) -> dict[str, Any]:
    """Verify the QR texts and decide under the district's policy, as a checkpoint does.

    A final decision at the caller's venue is recorded as one check event under the page's
    ``event_id`` (a new id when none is sent); the same id again records nothing new.
    """
    require_role(principal, Permission.CHECKS_UPLOAD)
    chosen = None if body.event_id is None else event_id(body.event_id)
    venue = own_venue(session, principal)
    category = category_for(venue, body.venue_category)
    at = audit.clock.now()
    verifications = [verify(text, credentials.trust, at) for text in body.codes]
    decision = decide(credentials.pack, verifications, category, at)
    needs = () if body.end else still_needed(decision, verifications)
    recorded = (record_decision(session, principal, venue.code, decision, chosen, at)
                if not needs and venue is not None else None)
    return answer_fields(decision, verifications, needs) | {"event_id": recorded, "stale": []}


def own_venue(session: SessionDep, principal: Principal) -> Venue | None:
    """Return the caller's own venue (a venue operator's or checkpoint's), else ``None``."""
    if principal.role is not Role.VENUE_OPERATOR:
        return None
    venue = VenueRepository(session).get(principal.scope)
    if venue is None:
        raise NotFoundError("venue-unknown", f"the venue {principal.scope} is not registered")
    return venue


def category_for(venue: Venue | None, named: str | None) -> str:
    """Return the category to decide under: the caller's own venue's, else the one named."""
    if venue is not None:
        if named is not None and named != venue.category:
            raise AccessDenied("venue-category-mismatch",
                               f"this checkpoint's venue is a {venue.category}, not a {named}")
        return venue.category
    if named is None:
        raise PolicyError("venue-category-missing", "name the venue_category to decide under")
    return named
