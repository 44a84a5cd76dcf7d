"""The API's routers; ``create_app`` includes each of ``ROUTERS`` (add a router by one line)."""

from __future__ import annotations

from fastapi import APIRouter

from jointcheck.api.routers import (
    audit,
    auth,
    checkpoint,
    checks,
    coverage,
    credentials,
    dashboard,
    followup,
    inspections,
    lookup,
    me,
    meta,
    organisations,
    registry,
    reports,
    school_investigations,
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
    followup.router,
    reports.router,
    targets.router,
    dashboard.router,
    organisations.router,
    school_investigations.router,
    coverage.router,
]
