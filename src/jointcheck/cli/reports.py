"""``jointcheck reports``: the daily street summary (R6), rolled up and printed.

``reports rollup`` recomputes whole local days of the district (``JOINTCHECK_DISTRICT_TIMEZONE``)
from the hourly check counts, the registrations and the vaccination records: by default the
trailing window of 3 days ending today, so checks uploaded late are counted; a rerun leaves the
same rows. ``reports daily`` prints one street's rolled-up day: per venue and category the
checks by outcome, the registrations, the venues that reported no checks, and the day's new
vaccinations of the street's residents; as text, ``--json``, ``--csv FILE`` or ``--xlsx FILE``,
or ``--format text|json|csv|xlsx|pdf`` with ``--out FILE`` (``pdf``: a printable A4 report with
charts; Chinese names need a CJK font, see ``JOINTCHECK_REPORT_FONT``).

The server recomputes the trailing days on its own every ``JOINTCHECK_ROLLUP_EVERY_MINUTES``;
``reports rollup`` from cron does the same where the server's timer is turned off (0).

Exit status: 0 done, 2 usage error (bad settings, a database not upgraded, a malformed day, an
unknown street, a day not rolled up yet).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path

import typer

from jointcheck.cli.common import JsonOption, console, print_json, usage_error
from jointcheck.cli.database import DbOption, refusing_session, settings_or_exit
from jointcheck.clock import SystemClock
from jointcheck.reporting.daily import OUTCOMES, DayReport, trailing_days
from jointcheck.services.daily_reports import (
    TRAILING_DAYS,
    recompute_days,
    report_csv,
    report_xlsx,
    street_daily_summary,
    street_name,
)
from jointcheck.services.day_report_pdf import render_day_report_pdf, report_font

app = typer.Typer(help="Daily street summaries: roll days up, print a street's day.",
                  no_args_is_help=True)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        usage_error(f"--day {text!r} is not a date (YYYY-MM-DD)")


@app.command("rollup")
def rollup(day: str | None = typer.Option(None, "--day", help="The last day to recompute "
                                          "(YYYY-MM-DD, a day of the district); default today."),
           days: int = typer.Option(TRAILING_DAYS, "--days", min=1, max=366,
                                    help="How many days, ending with --day, to recompute."),
           db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Recompute the daily street roll-ups of a trailing window of days."""
    settings = settings_or_exit()
    zone = settings.timezone
    now = SystemClock().now()
    last = _day(day) if day is not None else now.astimezone(zone).date()
    with refusing_session(db, settings) as session:
        rolled = recompute_days(session, trailing_days(last, days), zone, now)
    if as_json:
        print_json({"timezone": str(zone), "days": [
            {"day": r.day.isoformat(), "fact_rows": r.fact_rows, "streets": r.streets,
             "checks": r.checks, "registrations": r.registrations,
             "new_vaccinations": r.new_vaccinations} for r in rolled]})
        return
    for r in rolled:
        console.print(f"{r.day.isoformat()} ({zone}): {r.checks} checks in {r.fact_rows} rows, "
                      f"{r.registrations} registrations, {r.new_vaccinations} new "
                      f"vaccinations, {r.streets} streets", markup=False, highlight=False)


class DailyFormat(StrEnum):
    """How ``reports daily`` writes the day."""

    TEXT = "text"
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"


FILE_FORMATS = (DailyFormat.CSV, DailyFormat.XLSX, DailyFormat.PDF)


def _chosen_format(fmt: DailyFormat | None, out: Path | None, csv_file: Path | None,
                   xlsx_file: Path | None, as_json: bool) -> tuple[DailyFormat, Path | None]:
    """Return the one format the options ask for, and the file it goes to."""
    asked: list[tuple[DailyFormat, Path | None]] = []
    if csv_file is not None:
        asked.append((DailyFormat.CSV, csv_file))
    if xlsx_file is not None:
        asked.append((DailyFormat.XLSX, xlsx_file))
    if as_json:
        asked.append((DailyFormat.JSON, None))
    if fmt is not None:
        asked.append((fmt, out))
    elif out is not None:
        usage_error("--out needs --format csv, xlsx or pdf")
    if len(asked) > 1:
        usage_error("choose one of --csv, --xlsx, --json and --format")
    chosen, path = asked[0] if asked else (DailyFormat.TEXT, None)
    if chosen in FILE_FORMATS and path is None:
        usage_error(f"--format {chosen} needs --out FILE")
    if chosen not in FILE_FORMATS and path is not None:
        usage_error(f"--format {chosen} prints the report; --out goes with csv, xlsx or pdf")
    return chosen, path


@app.command("daily")
def daily(street: str = typer.Option(..., "--street", help="The street's area code."),
          day: str = typer.Option(..., "--day", help="The day (YYYY-MM-DD, of the district)."),
          csv_file: Path | None = typer.Option(None, "--csv", help="Write the report as CSV."),
          xlsx_file: Path | None = typer.Option(None, "--xlsx",
                                                help="Write the report as an XLSX workbook."),
          fmt: DailyFormat | None = typer.Option(None, "--format", help="text or json (printed), "
                                                 "csv, xlsx or pdf (written to --out)."),
          out: Path | None = typer.Option(None, "--out", help="The file --format csv, xlsx "
                                          "or pdf writes."),
          db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Print a street's day: checks per venue and category, registrations, silent venues."""
    chosen, path = _chosen_format(fmt, out, csv_file, xlsx_file, as_json)
    settings = settings_or_exit()
    day_chosen = _day(day)
    with refusing_session(db, settings) as session:
        report = street_daily_summary(session, street, day_chosen)
        name = street_name(session, street)
    if chosen is DailyFormat.JSON:
        print_json(report.as_dict())
        return
    if path is None:
        _print(report)
        return
    if chosen is DailyFormat.CSV:
        content: bytes = report_csv(report).encode("utf-8")
    elif chosen is DailyFormat.XLSX:
        content = report_xlsx(report)
    else:
        content = render_day_report_pdf(report, name, SystemClock().now(),
                                        report_font(settings))
    try:
        path.write_bytes(content)
    except OSError as exc:
        usage_error(f"cannot write {path}: {exc.strerror}")
    console.print(f"wrote {path}", markup=False, highlight=False)


def _print(report: DayReport) -> None:
    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False)

    say(f"{report.street} on {report.day.isoformat()} ({report.timezone}): "
        f"{report.checks} checks")
    header = " ".join(f"{outcome:>9}" for outcome in OUTCOMES)
    say(f"  {'venue':24} {'category':20} {header} {'total':>9}")
    for line in report.venues:
        counts = " ".join(f"{line.counts.get(outcome, 0):>9}" for outcome in OUTCOMES)
        say(f"  {line.venue:24} {line.category:20} {counts} {line.total:>9}")
    for category, by_outcome in report.by_category().items():
        counts = " ".join(f"{by_outcome[outcome]:>9}" for outcome in OUTCOMES)
        say(f"  {'(category)':24} {category:20} {counts} {sum(by_outcome.values()):>9}")
    say(f"registrations: {report.registrations}")
    say(f"new vaccinations: {report.new_vaccinations}")
    say(f"venues with no checks: {', '.join(report.silent_venues) or 'none'}")
