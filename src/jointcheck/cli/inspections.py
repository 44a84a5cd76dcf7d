"""``jointcheck inspections``: venue inspections, complaints and the compliance list (R9); and
``jointcheck investigate``: a person's status at a date for a case investigation (R15).

The commands act as the district's inspector (``inspections record|complain|list``) or health
authority (``investigate``) under the audit actor ``cli:<os user>``: whoever can run them
holds the database already. ``investigate`` appends an audit entry for each answer.

Exit status: 0 done, 2 usage error (bad settings, a database not upgraded, an unknown venue or
resident, a malformed date, a refused inspection or complaint).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import typer
from sqlalchemy.orm import Session

from jointcheck.checkpoint.events import iso
from jointcheck.cli.common import JsonOption, console, print_json, usage_error
from jointcheck.cli.database import DbOption, cli_actor, database_session, settings_or_exit
from jointcheck.clock import SystemClock
from jointcheck.compliance import REASONS, Complaint, Inspection, Sanction
from jointcheck.compliance.inspections import parse_sanction
from jointcheck.config import ConfigError, Settings, audit_key
from jointcheck.errors import JointcheckError
from jointcheck.security.access import Principal, Role
from jointcheck.services.audit import AuditTrail
from jointcheck.services.case_investigation import case_status, district_area
from jointcheck.services.inspections import (
    record_complaint,
    record_inspection,
    venue_compliance,
    venue_street,
)

app = typer.Typer(help="Venue inspections, complaints about venues that do not check, and "
                  "venues by compliance.", no_args_is_help=True)

DayOption = typer.Option(None, "--day", help="A day of the district (YYYY-MM-DD, in "
                         "JOINTCHECK_DISTRICT_TIMEZONE); default today.")


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


@contextmanager
def _work(db: str | None, settings: Settings) -> Iterator[Session]:
    try:
        with database_session(db, settings) as session:
            yield session
    except (JointcheckError, ValueError) as exc:
        message = exc.message if isinstance(exc, JointcheckError) else str(exc)
        code = f" ({exc.code})" if isinstance(exc, JointcheckError) else ""
        usage_error(f"{message}{code}")


def _day(text: str | None, settings: Settings, option: str = "--day") -> date:
    if text is None:
        return SystemClock().now().astimezone(settings.timezone).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        usage_error(f"{option} {text!r} is not a date (YYYY-MM-DD)")


def _optional_day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        usage_error(f"{option} {text!r} is not a date (YYYY-MM-DD)")


def _acting(role: Role, area: str) -> Principal:
    return Principal(cli_actor(), role, area.split(".", maxsplit=1)[0])


@app.command("record")
def record(venue: str = typer.Argument(..., help="The venue's code."),
           day: str | None = DayOption,
           checked_everyone: bool = typer.Option(..., "--checked-everyone/--missed-people",
                                                 help="Whether the venue checked every "
                                                 "person."),
           findings: str = typer.Option("", "--findings", help="What was found (required "
                                        "with --missed-people)."),
           sanction: str = typer.Option("none", "--sanction", help="none, warning, "
                                        "rectification-order or suspension."),
           sanction_from: str | None = typer.Option(None, "--from", help="First day of the "
                                                    "sanction (a warning: default the day)."),
           sanction_until: str | None = typer.Option(None, "--until", help="Last day of a "
                                                     "rectification order or suspension."),
           visitors: int | None = typer.Option(None, "--visitors-per-day", help="The "
                                               "inspector's estimate of visitors a day."),
           db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Record an inspection of a venue."""
    settings = settings_or_exit()
    inspected = _day(day, settings)
    start = _optional_day(sanction_from, "--from")
    end = _optional_day(sanction_until, "--until")
    with _work(db, settings) as session:
        chosen: Sanction = parse_sanction(sanction)
        inspection = Inspection(venue, inspected, checked_everyone, findings, chosen, start, end,
                                visitors)
        principal = _acting(Role.INSPECTOR, venue_street(session, venue))
        number = record_inspection(session, principal, inspection, SystemClock().now())
    if as_json:
        print_json({"id": number, "venue": venue, "inspected_on": inspected.isoformat(),
                    "checked_everyone": checked_everyone, "sanction": inspection.sanction.value,
                    "sanction_from": _iso_day(inspection.sanction_from),
                    "sanction_until": _iso_day(inspection.sanction_until)})
        return
    _say(f"inspection {number} of {venue} on {inspected.isoformat()} recorded "
         f"({inspection.sanction.value})")


def _iso_day(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


@app.command("complain")
def complain(venue: str = typer.Argument(..., help="The venue's code."),
             text: str = typer.Option(..., "--text", help="What the complaint says; the "
                                      "complainant is not recorded."),
             day: str | None = DayOption,
             db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Record a complaint that a venue does not check."""
    settings = settings_or_exit()
    received = _day(day, settings)
    with _work(db, settings) as session:
        complaint = Complaint(venue, received, text)
        principal = _acting(Role.INSPECTOR, venue_street(session, venue))
        number = record_complaint(session, principal, complaint, SystemClock().now())
    if as_json:
        print_json({"id": number, "venue": venue, "received_on": received.isoformat()})
        return
    _say(f"complaint {number} about {venue} on {received.isoformat()} recorded")


@app.command("list")
def list_venues(area: str = typer.Option(..., "--area", help="A street or the district."),
                day: str | None = DayOption,
                days: int = typer.Option(7, "--days", help="Days in the window, ending on "
                                         "--day (1 to 92)."),
                concerns_only: bool = typer.Option(False, "--concerns-only",
                                                   help="Leave out venues with no reason."),
                db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """List the venues of an area by compliance, most reasons for concern first."""
    settings = settings_or_exit()
    last = _day(day, settings)
    with _work(db, settings) as session:
        found = venue_compliance(session, _acting(Role.INSPECTOR, area), area, last, days,
                                 settings.timezone)
    venues = [item for item in found.venues if item.reasons or not concerns_only]
    if as_json:
        print_json({"area": area, "day": last.isoformat(), "days": days,
                    "timezone": str(settings.timezone),
                    "findings_since": found.findings_since.isoformat(),
                    "venues": [{"venue": item.facts.code, "name": item.facts.name,
                                "category": item.facts.category, "street": item.facts.street,
                                "days_without_checks": item.facts.days_without_checks,
                                "checks": item.facts.checks,
                                "checks_per_day": round(item.facts.checks_per_day, 2),
                                "visitors_per_day": item.facts.visitors_per_day,
                                "failed_inspections": item.facts.failed_inspections,
                                "complaints": item.facts.complaints,
                                "open_sanction": item.facts.open_sanction,
                                "reasons": list(item.reasons)} for item in venues]})
        return
    _say(f"{area}: {len(venues)} venues over {days} days to {last.isoformat()} "
         f"({settings.timezone})")
    for item in venues:
        facts = item.facts
        _say(f"  {facts.code:16} {facts.category:20} no checks on {facts.days_without_checks}"
             f"/{days} days  {facts.checks_per_day:8.1f} checks/day  "
             f"{facts.failed_inspections} failed  {facts.complaints} complaints  "
             f"{facts.open_sanction or '-'}")
        for reason in item.reasons:
            _say(f"      {reason}: {REASONS[reason]}")


def investigate_command(pid: str = typer.Argument(..., help="The person's pseudonymous id."),
                        day: str = typer.Option(..., "--day", help="The day (YYYY-MM-DD, in "
                                                "JOINTCHECK_DISTRICT_TIMEZONE)."),
                        db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Print a person's vaccination and health-code status at the end of a day (audited)."""
    settings = settings_or_exit()
    chosen = _day(day, settings)
    try:
        key = audit_key(settings)
    except ConfigError as exc:
        usage_error(f"{exc.message} ({exc.code})")
    with _work(db, settings) as session:
        trail = AuditTrail(session, key, SystemClock())
        principal = _acting(Role.HEALTH_AUTHORITY, district_area(session))
        status = case_status(session, trail, principal, pid, chosen,
                             timezone=settings.timezone)
    doses = [{"product": dose.product, "dose_number": dose.dose_number,
              "series_total": dose.series_total, "date": dose.date.isoformat()}
             for dose in status.doses]
    exemptions = [{"certificate_id": item.certificate_id, "reason_category":
                   item.reason_category, "valid_from": item.valid_from.isoformat(),
                   "valid_until": item.valid_until.isoformat()} for item in status.exemptions]
    since = iso(status.color_since) if status.color_since is not None else None
    if as_json:
        print_json({"pid": pid, "area": status.area, "day": chosen.isoformat(),
                    "series_complete": status.series_complete, "doses": doses,
                    "exemptions": exemptions, "color": status.color, "color_since": since})
        return
    _say(f"{pid} ({status.area}) at the end of {chosen.isoformat()}: "
         f"{len(doses)} doses, series {'complete' if status.series_complete else 'incomplete'}"
         f", health code {status.color}" + (f" since {since}" if since else ""))
    for dose in doses:
        _say(f"  dose {dose['dose_number']}/{dose['series_total']} {dose['product']} "
             f"on {dose['date']}")
    for exemption in exemptions:
        _say(f"  exemption {exemption['certificate_id']} ({exemption['reason_category']}) "
             f"{exemption['valid_from']} to {exemption['valid_until']}")
