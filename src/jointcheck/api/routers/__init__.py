"""The API's routers; ``create_app`` includes each of ``ROUTERS`` (add a router by one line)."""

from __future__ import annotations

from fastapi import APIRouter

from jointcheck.api.routers import (
    audit,
    auth,
    checkpoint,
    checks,
    credentials,
    inspections,
    lookup,
    me,
    meta,
    registry,
    reports,
    targets,
    users,
)

ROUTERS: list[APIRouter] = [
    meta.router,
    auth.router,
    me.router,
    registry.router,
    users.router,
    audit.router,
    credentials.router,
    checkpoint.router,
    checks.router,
    lookup.router,
    inspections.router,
    reports.router,
    targets.router,
]
