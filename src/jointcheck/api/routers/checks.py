"""Check events in: checkpoints' batches, the online page's registrations, and the hourly purge.

``POST /api/checks/batches`` takes a checkpoint node's batch (``docs/checkpoint.md``, "Node to
server") and answers only once the batch is committed, so a node that has the answer may
forget the events; a node that lost the answer sends the batch again and nothing is counted
twice. ``POST /api/registrations`` records the identity the online page took down for a check
event. The server deletes registrations past the policy's retention every hour
(``purge_hourly``, started by the app's lifespan).

A batch may be larger than the upload limit of other calls: ``BodyLimits`` gives this one
route room for a full batch (``jointcheck.services.check_events.MAX_BATCH_EVENTS``).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response
from pydantic import BaseModel, Field, StrictStr
from starlette.types import ASGIApp, Receive, Scope, Send

from jointcheck.api import periodic
from jointcheck.api.deps import ApiContext, AuditDep, ContextDep, PrincipalDep, SessionDep
from jointcheck.api.errors import AUTH_RESPONSES, Responses, documented
from jointcheck.api.limits import BodyLimit
from jointcheck.policy_sources import find_pack
from jointcheck.rules.policy import PolicyPack
from jointcheck.services.audit import append
from jointcheck.services.check_events import (
    ingest_batch,
    purge_expired,
    register,
)
from jointcheck.storage.db import unit_of_work

router = APIRouter(prefix="/api", tags=["checkpoint"], responses=AUTH_RESPONSES)
log = logging.getLogger("jointcheck.api.checks")

BATCHES_PATH = "/api/checks/batches"
# Room for a full batch: 5,000 events of the usual 300 bytes take 1.5 MB; this allows items
# near their longest fields, with registrations, and pretty-printed JSON.
MAX_BATCH_BYTES = 16 * 1024 * 1024
PURGE_EVERY_SECONDS = 3600.0
PURGE_ACTOR, PURGE_ROLE = "server:purge", "system"
EXAMPLE = {"batch_id": "5a1f6c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b",
           "events": [{"id": "0b7d3c2a-1e4f-4a6b-9c8d-7e6f5a4b3c2d", "venue_id": "v-00017",
                       "checked_at": "2026-11-23T08:15:02.120Z", "outcome": "persuade",
                       "basis": "unvaccinated", "rule": "ordinary.unvaccinated",
                       "policy": {"id": "fangzi-2021", "version": "1.0.0"}}],
           "registrations": [{"event_id": "0b7d3c2a-1e4f-4a6b-9c8d-7e6f5a4b3c2d",
                              "venue_id": "v-00017", "registered_at": "2026-11-23T08:16:40Z",
                              "outcome": "persuade", "name": "张伟",
                              "id_number": "110101199003070011", "phone": "13800000000",
                              "reason": "visiting a relative"}]}


class BodyLimits:
    """The request body limit: the upload limit, and room for a full batch on its route."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.default = BodyLimit(app, limit)
        self.batches = BodyLimit(app, max(limit, MAX_BATCH_BYTES))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        batch = scope["type"] == "http" and str(scope.get("path", "")).endswith(BATCHES_PATH)
        await (self.batches if batch else self.default)(scope, receive, send)


@lru_cache(maxsize=8)
def _pack(policy: str) -> PolicyPack:
    return find_pack(policy)


def district_pack(request: Request, context: ContextDep) -> PolicyPack:
    """Return the district's policy pack (it says how long registrations are kept)."""
    credentials = getattr(request.app.state, "credentials", None)
    if credentials is not None:
        pack: PolicyPack = credentials.pack
        return pack
    return _pack(context.settings.policy)


PackDep = Annotated[PolicyPack, Depends(district_pack)]


class TallyOut(BaseModel):
    """How many items of one kind the batch carried: new, already here, or too old to count
    (older than the receipt window: acknowledged, not counted)."""

    received: int
    new: int
    duplicate: int
    too_old: int


class BatchOut(BaseModel):
    """The answer to a batch, sent once it is committed."""

    batch_id: str
    events: TallyOut
    registrations: TallyOut


class RegistrationIn(BaseModel):
    """The identity the page took down for a check event whose outcome asks for it."""

    event_id: StrictStr = Field(description="The check event's id (the page's UUID 4).")
    name: StrictStr
    id_number: StrictStr
    phone: StrictStr
    reason: StrictStr


class RegistrationOut(BaseModel):
    """Whether the registration was recorded now (false: it was already)."""

    event_id: str
    recorded: bool


BATCH_RESPONSES = (
    documented(403, "The role or token may not upload checks (`role-not-allowed`), or an item "
               "names another venue (`event-venue-mismatch`)")
    | documented(413, "More than 5,000 events or registrations (`batch-too-large`), or a "
                 "body over 16 MB (`upload-too-large`)")
    | documented(422, "A malformed batch or item (`batch-invalid`, `event-invalid`, "
                 "`event-id-invalid`, `event-time-invalid`, `event-in-future`, "
                 "`registration-invalid`), or a registration whose check event is not here "
                 "(`registration-event-unknown`); the message names the item, e.g. "
                 "`events[12]: ...`. Nothing of the batch is recorded."))


@router.post("/checks/batches", response_model=BatchOut, responses=BATCH_RESPONSES)
def upload_batch(
    document: Annotated[dict[str, Any], Body(description="A checkpoint's batch of check "
                                             "events and registrations.",
                                             examples=[EXAMPLE])],
    principal: PrincipalDep, session: SessionDep, audit: AuditDep, context: ContextDep,
    pack: PackDep,
) -> dict[str, Any]:
    """Record a checkpoint's batch, each event once; answer after the batch is committed."""
    result = ingest_batch(session, audit, principal, document, audit.clock.now(), context.keys,
                          pack)
    return result.as_dict()


REGISTRATION_RESPONSES: Responses = {
    200: {"model": RegistrationOut, "description": "Already recorded: nothing changed"},
    **documented(422, "No such check event at this venue (`registration-event-unknown`), an "
                 "outcome that takes no registration or a malformed field "
                 "(`registration-invalid`)")}


@router.post("/registrations", response_model=RegistrationOut, status_code=201,
             responses=REGISTRATION_RESPONSES)
def record_registration(body: RegistrationIn, response: Response, principal: PrincipalDep,
                        session: SessionDep, audit: AuditDep, context: ContextDep,
                        pack: PackDep) -> dict[str, Any]:
    """Record the identity taken down for a check event at the caller's venue (encrypted)."""
    new = register(session, audit, principal, body.event_id, body.name, body.id_number,
                   body.phone, body.reason, audit.clock.now(), context.keys, pack)
    if not new:
        response.status_code = 200
    return {"event_id": body.event_id, "recorded": new}


def purge_once(context: ApiContext) -> int:
    """Delete the registrations past their retention and the receipts past the receipt
    window in one transaction; return how many registrations."""
    with unit_of_work(context.sessions) as session:
        now = context.clock.now()
        purged = purge_expired(session, now)
        if purged.registrations or purged.receipts:
            append(session, context.audit_key, at=now, actor_id=PURGE_ACTOR,
                   actor_role=PURGE_ROLE, action="checks.registrations.purged",
                   detail={"count": purged.registrations, "receipts": purged.receipts})
    return purged.registrations


def _purge_logged(context: ApiContext) -> None:
    try:
        count = purge_once(context)
    except Exception as error:  # the loop must outlive a database that is down for a while
        log.error("checks.purge.failed: %s: %s", type(error).__name__, error)
        return
    if count:
        log.info("checks.purge.done: %d registrations deleted", count)


async def purge_hourly(context: ApiContext, every: float = PURGE_EVERY_SECONDS) -> None:
    """Purge expired registrations now and then every ``every`` seconds, until cancelled."""
    await periodic.every(every, lambda: _purge_logged(context), first_at_start=True)
