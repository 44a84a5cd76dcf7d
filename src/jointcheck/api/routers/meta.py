"""``/api/health``: the service is up (no token, no database)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from jointcheck import __version__

router = APIRouter(prefix="/api", tags=["meta"])


class HealthOut(BaseModel):
    """The service answers, and its version."""

    status: str
    version: str


@router.get("/health", response_model=HealthOut)
def health() -> HealthOut:
    """Tell a load balancer the service is up."""
    return HealthOut(status="ok", version=__version__)
