"""Use cases of the daily street summary (R6): roll days up, read a street's day.

``recompute_days`` rebuilds whole local days of the district (delete, then insert), so it is
safe to run again and again: the scheduled run recomputes a trailing window of days
(``TRAILING_DAYS``), which counts the checks a checkpoint uploads late, and a rerun of a day
whose inputs did not change leaves the same rows. ``street_daily_summary`` reads a rolled-up
day of one street for a principal holding ``reports.read`` over that street: counts only,
never a person, so it is not an audited read of personal data.

Services never commit: the request or command commits once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy.orm import Session

from jointcheck.clock import SystemClock
from jointcheck.errors import NotFoundError
from jointcheck.reporting.daily import (
    DayReport,
    day_window,
    hour_range,
    roll_up,
    shape_report,
    street_totals,
    trailing_days,
)
from jointcheck.security.access import Permission, Principal, Target, authorize
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.reports import ReportRepository

TRAILING_DAYS = 3
"""How many days, ending today, a scheduled roll-up recomputes (late uploads land there)."""


@dataclass(frozen=True, slots=True)
class DayRollUp:
    """What a day's recompute wrote: fact rows, streets, checks, registrations, doses."""

    day: date
    fact_rows: int
    streets: int
    checks: int
    registrations: int
    new_vaccinations: int


def recompute_day(session: Session, day: date, timezone: ZoneInfo,
                  now: datetime | None = None) -> DayRollUp:
    """Rebuild one local day's street roll-ups from the hourly counts and the registry."""
    repository = ReportRepository(session)
    first_hour, end_hour = hour_range(day, timezone)
    facts = roll_up(day, repository.venue_counts(first_hour, end_hour),
                    repository.venue_places())
    streets = repository.streets()
    start, end = day_window(day, timezone)
    registrations = street_totals(repository.registrations_by_street(start, end), streets)
    vaccinations = street_totals(repository.vaccinations_by_area(day), streets)
    totals = {street: (registrations[street], vaccinations[street]) for street in streets}
    repository.replace_day(day, facts, totals, str(timezone),
                           now if now is not None else SystemClock().now())
    return DayRollUp(day, len(facts), len(streets), sum(fact.count for fact in facts),
                     sum(registrations.values()), sum(vaccinations.values()))


def recompute_days(session: Session, days: Iterable[date], timezone: ZoneInfo,
                   now: datetime | None = None) -> list[DayRollUp]:
    """Rebuild the street roll-ups of each of ``days`` (each once, oldest first)."""
    return [recompute_day(session, day, timezone, now) for day in sorted(set(days))]


def street_daily_summary(session: Session, street: str, day: date,
                         principal: Principal | None = None) -> DayReport:
    """Return a street's rolled-up day; with a principal, only within its ``reports.read``.

    Raises ``AccessDenied`` for a principal without ``reports.read`` over the street, and
    ``NotFoundError`` for a street that is not registered (``unknown-area``) or a day not
    rolled up yet (``report-not-computed``).
    """
    if principal is not None:
        authorize(principal, Permission.REPORTS_READ, Target(area=street))
    repository = ReportRepository(session)
    if not repository.is_street(street):
        raise NotFoundError("unknown-area", f"{street} is not a registered street")
    totals = repository.day_totals(day, street)
    if totals is None:
        raise NotFoundError("report-not-computed",
                            f"{day.isoformat()} has not been rolled up yet "
                            "(jointcheck reports rollup --day DAY)")
    return shape_report(street, day, totals.timezone, repository.day_facts(day, street),
                        repository.street_venues(street), totals.registrations,
                        totals.new_vaccinations)


def street_name(session: Session, street: str) -> str:
    """Return the registered name of ``street`` (its code when it has none)."""
    found = AreaRepository(session).get(street)
    if found is None:
        raise NotFoundError("unknown-area", f"{street} is not a registered street")
    return found.name or street


def scheduled_rollup(session: Session, now: datetime, timezone: ZoneInfo,
                     days: int = TRAILING_DAYS) -> list[DayRollUp]:
    """Recompute the ``days`` local days ending with the day of ``now`` (the server's job)."""
    return recompute_days(session, trailing_days(now.astimezone(timezone).date(), days),
                          timezone, now)


def report_csv(report: DayReport) -> str:
    """Return a street's day as CSV text: the rows of ``DayReport.table``."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(report.table())
    return buffer.getvalue()


def report_xlsx(report: DayReport) -> bytes:
    """Return a street's day as an XLSX workbook of one sheet (the rows of ``table``)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{report.day.isoformat()}"
    sheet.append([f"{report.street} on {report.day.isoformat()} ({report.timezone})"])
    for row in report.table():
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
