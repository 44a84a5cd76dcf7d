"""``jointcheck checks``: the check events the server keeps, counted, and the registrations' purge.

``checks counts`` prints a venue's counts per UTC hour, outcome and basis for one day of the
district (``JOINTCHECK_DISTRICT_TIMEZONE``): what an operator or a script reads, never a
person. ``checks purge`` deletes the registrations kept past the policy's retention, as the
server does every hour, and appends an audit entry by ``cli:<os user>`` when it deleted any.

Exit status: 0 done, 2 usage error (bad settings, a database not upgraded, an unknown venue,
a malformed day).
"""

from __future__ import annotations

from datetime import date

import typer

from jointcheck.checkpoint.events import iso
from jointcheck.cli.common import JsonOption, console, print_json, usage_error
from jointcheck.cli.database import DbOption, cli_actor, refusing_session, settings_or_exit
from jointcheck.clock import SystemClock
from jointcheck.config import ConfigError, audit_key
from jointcheck.services import audit
from jointcheck.services.check_events import (
    RECEIPT_DAYS,
    day_window,
    purge_expired,
    venue_counts,
)

app = typer.Typer(help="Check events on the server: hourly counts, and the purge of "
                  "registrations past their retention.", no_args_is_help=True)

CLI_ROLE = "cli"


@app.command("purge")
def purge(db: str | None = DbOption) -> None:
    """Delete the registrations kept past the policy's retention (and receipts past the
    receipt window); print how many."""
    settings = settings_or_exit()
    try:
        key = audit_key(settings)
    except ConfigError as exc:
        usage_error(f"{exc.message} ({exc.code})")
    now = SystemClock().now()
    with refusing_session(db, settings) as session:
        purged = purge_expired(session, now)
        if purged.registrations or purged.receipts:
            audit.append(session, key, at=now, actor_id=cli_actor(), actor_role=CLI_ROLE,
                         action="checks.registrations.purged",
                         detail={"count": purged.registrations, "receipts": purged.receipts})
    count = purged.registrations
    console.print(f"{count} registration{'' if count == 1 else 's'} purged; "
                  f"{purged.receipts} receipts older than {RECEIPT_DAYS} days deleted",
                  markup=False, highlight=False)


@app.command("counts")
def counts(venue: str = typer.Option(..., "--venue", help="The venue's code."),
           day: str | None = typer.Option(None, "--day", help="A day of the district "
                                          "(YYYY-MM-DD, in JOINTCHECK_DISTRICT_TIMEZONE); "
                                          "default today."),
           db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Print a venue's checks per hour, outcome and basis for one day."""
    settings = settings_or_exit()
    zone = settings.timezone
    if day is None:
        chosen = SystemClock().now().astimezone(zone).date()
    else:
        try:
            chosen = date.fromisoformat(day)
        except ValueError:
            usage_error(f"--day {day!r} is not a date (YYYY-MM-DD)")
    start, end = day_window(chosen, zone)
    with refusing_session(db, settings) as session:
        lines = venue_counts(session, venue, start, end)
    total = sum(line.count for line in lines)
    if as_json:
        print_json({"venue": venue, "day": chosen.isoformat(), "timezone": str(zone),
                    "hours": [{"hour": iso(line.hour),
                               "local_hour": line.hour.astimezone(zone).isoformat(),
                               "outcome": line.outcome, "basis": line.basis,
                               "count": line.count} for line in lines],
                    "total": total})
        return
    console.print(f"{venue} on {chosen.isoformat()} ({zone}): {total} checks",
                  markup=False, highlight=False)
    for line in lines:
        local = line.hour.astimezone(zone).strftime("%H:%M")
        console.print(f"  {local}  {iso(line.hour)}  {line.outcome:9} {line.basis:19} "
                      f"{line.count:>8}", markup=False, highlight=False)
