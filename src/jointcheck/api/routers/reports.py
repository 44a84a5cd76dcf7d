"""``/api/reports/streets/{street}/days/{day}``: the daily street summary (R6) over HTTP.

The caller needs ``reports.read`` over the street (a street officer: its own street only; the
health authority: any). The answer is counts only (checks per venue and category by outcome,
registrations, venues that reported no checks, new vaccinations), never a person, as JSON or
with ``?format=csv`` or ``?format=xlsx`` as a download. A day is read as the last roll-up left
it (``jointcheck reports rollup``); a day not rolled up is ``report-not-computed`` (404).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from fastapi import APIRouter, Response
from pydantic import BaseModel

from jointcheck.api.deps import PrincipalDep, SessionDep
from jointcheck.api.errors import AUTH_RESPONSES, documented
from jointcheck.errors import InputError
from jointcheck.services.daily_reports import report_csv, report_xlsx, street_daily_summary

router = APIRouter(prefix="/api/reports", tags=["reports"], responses=AUTH_RESPONSES)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportFormat(StrEnum):
    """How the report is returned."""

    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


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
               format: ReportFormat = ReportFormat.JSON) -> StreetDayOut | Response:
    """Return a street's rolled-up day, as JSON, CSV or XLSX."""
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
    return StreetDayOut.model_validate(report.as_dict())
