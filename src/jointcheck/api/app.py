"""The FastAPI application: ``create_app(settings)``; ``jointcheck serve`` runs it with uvicorn.

The keys are loaded when the app is created, so a missing key stops the service at start
rather than at the first request. The OpenAPI description is at ``/openapi.json``, the
interactive documentation at ``/docs``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine

from jointcheck import __version__
from jointcheck.api import docs, errors
from jointcheck.api.deps import ApiContext
from jointcheck.api.periodic import stop
from jointcheck.api.routers import ROUTERS
from jointcheck.api.routers.checks import BodyLimits, purge_hourly
from jointcheck.api.routers.credentials import CredentialsContext
from jointcheck.api.routers.reports import rollup_periodically
from jointcheck.clock import Clock, SystemClock
from jointcheck.config import ConfigError, Settings, audit_key, registry_keys
from jointcheck.errors import KeyStoreError
from jointcheck.keystore import open_keystore
from jointcheck.storage.db import make_engine, make_sessions
from jointcheck.web.ops import install_ops_pages
from jointcheck.web.pages import install_pages

DESCRIPTION = """\
The district server of jointcheck: the registry, users and tokens, and the audit log.

Every call but `/api/health` and `/api/auth/login` needs `Authorization: Bearer <token>`: a
session token from `/api/auth/login` or an API token issued to a checkpoint. Every call checks
the caller's role and scope (area, venue, organisation, industry, own record). Every read of a
person appends an entry to the hash-chained audit log.

Errors are `{"error": {"stage", "code", "message"}}` with a stable `code`.
"""
# Room for the multipart framing around a file of the largest allowed size.
MULTIPART_OVERHEAD = 64 * 1024


def create_app(settings: Settings, *, engine: Engine | None = None,
               clock: Clock | None = None) -> FastAPI:
    """Return the API application for ``settings`` (on ``engine`` if given)."""
    keys = registry_keys(settings)
    key = audit_key(settings)
    owned = engine is None
    bound = make_engine(settings.database_url) if engine is None else engine

    @asynccontextmanager
    async def lifespan(started: FastAPI) -> AsyncIterator[None]:
        purge = asyncio.create_task(purge_hourly(started.state.jointcheck))
        # The daily street roll-ups are recomputed on a timer unless a cron job does it (0).
        rollup = (asyncio.create_task(rollup_periodically(started.state.jointcheck))
                  if settings.rollup_every_minutes > 0 else None)
        try:
            yield
        finally:
            await stop(purge)
            if rollup is not None:
                await stop(rollup)
            if owned:
                bound.dispose()

    app = FastAPI(title="jointcheck", version=__version__, description=DESCRIPTION,
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None,
                  lifespan=lifespan)
    app.state.jointcheck = ApiContext(settings, make_sessions(bound), keys, key,
                                      clock or SystemClock())
    app.state.credentials = _credentials(settings)
    docs.install(app)
    errors.install(app)
    app.add_middleware(BodyLimits, limit=settings.max_upload_bytes + MULTIPART_OVERHEAD)
    for router in ROUTERS:
        app.include_router(router)
    install_pages(app)
    install_ops_pages(app)
    return app


def _credentials(settings: Settings) -> CredentialsContext | None:
    """Open the key store the settings name (at start, so a wrong passphrase stops it here)."""
    if settings.keystore_dir is None or settings.key_passphrase is None:
        return None
    try:
        store = open_keystore(settings.keystore_dir,
                              settings.key_passphrase.get_secret_value().encode())
    except KeyStoreError as error:
        raise ConfigError(error.code, error.message) from error
    return CredentialsContext(store, settings.key_passphrase.get_secret_value().encode(),
                              settings.policy)
