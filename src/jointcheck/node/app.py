"""The node's own web application: the scanner page and the page's calls, answered locally.

The paths and JSON are the server's (``docs/checkpoint.md``), so the same page runs on both:
``GET /api/checkpoint/status`` (``mode: "node"``), ``POST /api/check``, ``POST
/api/registrations`` and ``POST /api/check/lookup`` (forwarded to the server while online).
The page sends no token: the node holds it, and listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictStr

from jointcheck import __version__
from jointcheck.api import errors
from jointcheck.api.limits import BodyLimit
from jointcheck.errors import NodeError
from jointcheck.node import checks
from jointcheck.node.state import NodeState
from jointcheck.node.sync import Syncer
from jointcheck.web.pages import install_pages

BODY_LIMIT = 64 * 1024
NODE_STATUS = {"server-refused": 502, "venue-mismatch": 409, "anchor-mismatch": 409}


class CheckIn(BaseModel):
    """QR texts shown at the door (any order), the page's event id, whether the scan ended."""

    codes: list[StrictStr] = Field(min_length=1, max_length=8)
    event_id: StrictStr | None = Field(default=None, description="The page's id for this "
                                       "person's check (a UUID 4); the final decision is "
                                       "recorded under it, once.")
    end: bool = Field(default=False, description="The worker ends the scan: decide on what "
                      "was shown, even if a certificate could still change the outcome.")
    venue_category: StrictStr | None = Field(default=None, description="Must be the node's "
                                             "venue's category if given.")


class RegistrationIn(BaseModel):
    """The identity a worker takes down for a check event whose outcome asks for it."""

    event_id: StrictStr
    name: StrictStr
    id_number: StrictStr
    phone: StrictStr
    reason: StrictStr


class LookupIn(BaseModel):
    """A person checked by identity number (forwarded to the server)."""

    id_number: StrictStr = Field(min_length=1, max_length=40)
    event_id: StrictStr | None = None
    end: bool = True
    venue_category: StrictStr | None = None


def create_node_app(node: NodeState, syncer: Syncer,
                    sync_every: float | None = None) -> FastAPI:
    """Return the node's app; with ``sync_every``, it syncs in the background while it runs."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if sync_every is not None:
            syncer.start(sync_every)
        try:
            yield
        finally:
            if sync_every is not None:
                syncer.stop()

    app = FastAPI(title="jointcheck checkpoint node", version=__version__,
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None,
                  lifespan=lifespan)
    errors.install(app)
    app.add_exception_handler(NodeError, _node_error)
    app.add_middleware(BodyLimit, limit=BODY_LIMIT)

    @app.get("/api/health", tags=["public"])
    def health() -> dict[str, str]:
        """Tell that the node runs."""
        return {"status": "ok", "version": __version__, "mode": "node"}

    @app.get("/api/checkpoint/status", tags=["checkpoint"])
    def status() -> dict[str, Any]:
        """Return what the page shows in its header: venue, policy, queue, time, problems."""
        return node.status()

    @app.post("/api/check", tags=["checkpoint"])
    def check(body: CheckIn) -> dict[str, Any]:
        """Verify the codes and decide locally; queue the event when the decision is final."""
        return checks.check(node, body.codes, page_event_id=body.event_id, end=body.end,
                            venue_category=body.venue_category)

    @app.post("/api/registrations", tags=["checkpoint"], status_code=201)
    def register(body: RegistrationIn) -> JSONResponse:
        """Queue a registration for upload (201; 200 when the event has one already)."""
        recorded = checks.register(node, body.model_dump())
        return JSONResponse({"event_id": body.event_id, "recorded": recorded},
                            status_code=201 if recorded else 200)

    @app.post("/api/check/lookup", tags=["checkpoint"])
    def lookup(body: LookupIn) -> JSONResponse:
        """Forward an identity-number lookup to the server (503 while offline); queue it."""
        code, answer = checks.lookup(node, syncer.forward_lookup,
                                     body.model_dump(exclude_none=True))
        return JSONResponse(answer, status_code=code)

    install_pages(app)
    return app


async def _node_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NodeError)
    return errors.error_response(NODE_STATUS.get(exc.code, 503), exc.stage, exc.code,
                                 exc.message)
