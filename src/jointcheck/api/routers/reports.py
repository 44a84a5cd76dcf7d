"""``/api/reports/streets/{street}/days/{day}``: the daily street summary (R6) over HTTP.

The caller needs ``reports.read`` over the street (a street officer: its own street only; the
health authority: any). The answer is counts only (checks per venue and category by outcome,
registrations, venues that reported no checks, new vaccinations), never a person, as JSON or
with ``?format=csv``, ``?format=xlsx`` or ``?format=pdf`` (a printable A4 report with charts)
as a download. A day is read as the last roll-up left it; a day not rolled up is
``report-not-computed`` (404).

The server rolls days up itself: ``rollup_periodically`` (started by the app's lifespan)
recomputes the trailing ``JOINTCHECK_ROLLUP_DAYS`` days every
``JOINTCHECK_ROLLUP_EVERY_MINUTES`` minutes, the first time one interval after the start, so
checks uploaded late reach the reports without a cron job (``jointcheck reports rollup`` does
the same from the command line). A roll-up replaces whole days, so a run that overlaps another
or follows a failed one leaves the same rows.
"""

from __future__ import annotations

import logging
from datetime import date
from enum import StrEnum

from fastapi import APIRouter, Response
from pydantic import BaseModel

from jointcheck.api import periodic
from jointcheck.api.deps import ApiContext, ContextDep, PrincipalDep, SessionDep
from jointcheck.api.errors import AUTH_RESPONSES, documented
from jointcheck.errors import InputError
from jointcheck.services.daily_reports import (
    DayRollUp,
    report_csv,
    report_xlsx,
    scheduled_rollup,
    street_daily_summary,
    street_name,
)
from jointcheck.services.day_report_pdf import render_day_report_pdf, report_font
from jointcheck.storage.db import unit_of_work

router = APIRouter(prefix="/api/reports", tags=["reports"], responses=AUTH_RESPONSES)
log = logging.getLogger("jointcheck.api.reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportFormat(StrEnum):
    """How the report is returned."""

    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"


class VenueDayOut(BaseModel):
    """A venue's checks on the day, by outcome."""

    venue: str
    name: str
    category: str
    counts: dict[str, int]
    total: int


class StreetDayOut(BaseModel):
    """A street's day: checks per venue and category, registrations, silent venues, doses."""

    street: str
    day: date
    timezone: str
    checks: int
    venues: list[VenueDayOut]
    categories: dict[str, dict[str, int]]
    registrations: int
    silent_venues: list[str]
    new_vaccinations: int


@router.get("/streets/{street}/days/{day}", response_model=StreetDayOut,
            responses=documented(404, "The street is not registered (`unknown-area`) or the "
                                 "day has not been rolled up (`report-not-computed`)")
            | documented(400, "The day is not a date (`bad-day`)"))
def street_day(street: str, day: str, principal: PrincipalDep, session: SessionDep,
               context: ContextDep,
               format: ReportFormat = ReportFormat.JSON) -> StreetDayOut | Response:
    """Return a street's rolled-up day, as JSON, CSV, XLSX or a printable PDF."""
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        raise InputError("bad-day", f"{day!r} is not a date (YYYY-MM-DD)") from None
    report = street_daily_summary(session, street, chosen, principal)
    filename = f"{street}-{chosen.isoformat()}"
    if format is ReportFormat.CSV:
        return Response(report_csv(report), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{filename}.csv"'})
    if format is ReportFormat.XLSX:
        return Response(report_xlsx(report), media_type=XLSX, headers={
            "Content-Disposition": f'attachment; filename="{filename}.xlsx"'})
    if format is ReportFormat.PDF:
        document = render_day_report_pdf(report, street_name(session, street),
                                         context.clock.now(), report_font(context.settings))
        return Response(document, media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{filename}.pdf"'})
    return StreetDayOut.model_validate(report.as_dict())


def rollup_once(context: ApiContext) -> list[DayRollUp]:
    """Recompute the trailing window of days of the settings in one transaction."""
    settings = context.settings
    with unit_of_work(context.sessions) as session:
        return scheduled_rollup(session, context.clock.now(), settings.timezone,
                                settings.rollup_days)


def _rollup_logged(context: ApiContext) -> None:
    try:
        rolled = rollup_once(context)
    except Exception as error:  # the loop must outlive a database that is down for a while
        log.error("reports.rollup.failed: %s: %s", type(error).__name__, error)
        return
    log.info("reports.rollup.done: %s", ", ".join(
        f"{r.day.isoformat()} {r.checks} checks" for r in rolled))


async def rollup_periodically(context: ApiContext, every: float | None = None) -> None:
    """Recompute the trailing days every ``every`` seconds (the settings' interval), until
    cancelled; the first run comes one interval after the start."""
    interval = every if every is not None else context.settings.rollup_every_minutes * 60
    await periodic.every(interval, lambda: _rollup_logged(context), first_at_start=False)
