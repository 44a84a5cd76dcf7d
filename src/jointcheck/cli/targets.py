"""``jointcheck targets``: assign a dose target to an area and show its progress (R13).

``targets set`` stores a target of ``--doses`` for ``--area`` (a district or a street) from
``--start`` to ``--end`` (local days of ``JOINTCHECK_DISTRICT_TIMEZONE``), split to the
area's streets in proportion to their eligible unvaccinated residents (age from the policy's
``eligible_from``), or by hand with ``--split manual --street CODE=N ...``. The command acts
as the district's health authority and records ``cli:<os user>`` as the assigner; the
assignment and its split are written to the audit log (``targets.assigned``).
``targets show ID`` prints the target with its daily progress, rate and forecast, in all and
per street, as of today in the district.

Exit status: 0 done, 2 usage error (bad settings, a database not upgraded, an unknown area
or target, a malformed target or split).
"""

from __future__ import annotations

from datetime import date

import typer

from jointcheck.cli.common import JsonOption, console, print_json, usage_error
from jointcheck.cli.database import DbOption, cli_actor, refusing_session, settings_or_exit
from jointcheck.clock import SystemClock
from jointcheck.config import ConfigError, audit_key
from jointcheck.errors import JointcheckError
from jointcheck.policy_sources import find_pack
from jointcheck.security.access import Principal, Role
from jointcheck.services.audit import AuditTrail
from jointcheck.services.targets import TargetReport, set_target, target_area, target_report
from jointcheck.targets import Progress, TargetSpec, parse_shares, parse_split_method

app = typer.Typer(help="Dose targets: assign doses to an area for a period, split to its "
                  "streets, and follow the progress.", no_args_is_help=True)


def _day(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        usage_error(f"{option} {text!r} is not a date (YYYY-MM-DD)")


def _authority(area: str) -> Principal:
    return Principal(cli_actor(), Role.HEALTH_AUTHORITY, area.partition(".")[0])


@app.command("set")
def set_command(
    area: str = typer.Option(..., "--area", help="The district or street code."),
    doses: int = typer.Option(..., "--doses", help="How many doses, in all."),
    start: str = typer.Option(..., "--start", help="First local day (YYYY-MM-DD)."),
    end: str = typer.Option(..., "--end", help="Last local day (YYYY-MM-DD), included."),
    split: str = typer.Option("proportional", "--split",
                              help="proportional (to eligible unvaccinated residents) or "
                              "manual."),
    street: list[str] = typer.Option([], "--street", help="A street's share, CODE=N "
                                     "(repeat; --split manual only)."),
    policy: str | None = typer.Option(None, "--policy", help="Policy pack id or file whose "
                                      "eligible_from counts the eligible (default "
                                      "JOINTCHECK_POLICY)."),
    db: str | None = DbOption, as_json: bool = JsonOption,
) -> None:
    """Assign a dose target to an area and split it to its streets; print the split."""
    settings = settings_or_exit()
    first, last = _day("--start", start), _day("--end", end)
    try:
        method = parse_split_method(split)
        shares = parse_shares(street)
        spec = TargetSpec(area, doses, first, last)
        pack = find_pack(policy or settings.policy)
    except JointcheckError as exc:
        usage_error(f"{exc.message} ({exc.code})")
    try:
        key = audit_key(settings)
    except ConfigError as exc:
        usage_error(f"{exc.message} ({exc.code})")
    clock = SystemClock()
    now = clock.now()
    with refusing_session(db, settings) as session:
        target_id = set_target(session, AuditTrail(session, key, clock), _authority(area), spec,
                               method, pack, shares)
        report = target_report(session, _authority(area), target_id,
                               now.astimezone(settings.timezone).date())
    _print(report, as_json)


@app.command("show")
def show(target_id: int = typer.Argument(..., help="The target's id."),
         db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Print a target's daily progress, rate and forecast, in all and per street."""
    settings = settings_or_exit()
    today = SystemClock().now().astimezone(settings.timezone).date()
    with refusing_session(db, settings) as session:
        area = target_area(session, target_id)
        report = target_report(session, _authority(area), target_id, today)
    _print(report, as_json)


def _line(label: str, result: Progress) -> str:
    rate = "-" if result.rate is None else f"{result.rate:,.1f}/day"
    forecast = "-" if result.forecast is None else f"{result.forecast:,}"
    verdict = {True: "will be met", False: "will not be met", None: "no forecast yet"}[
        result.will_meet]
    return (f"  {label:12} {result.given:>10,} of {result.target:>10,} "
            f"({result.percent:5.1f}%)  rate {rate}  forecast {forecast}: {verdict}")


def _print(report: TargetReport, as_json: bool) -> None:
    if as_json:
        print_json(report.as_dict())
        return
    t = report.target
    out = [f"target {t.id}: {t.doses:,} doses for {t.area} from {t.start.isoformat()} to "
           f"{t.end.isoformat()} ({t.split} split, by {t.assigned_by}); as of "
           f"{report.today.isoformat()}"]
    if report.overall is not None:
        out.append(_line(t.area, report.overall))
        out.extend(f"    {d.day.isoformat()} {d.doses:>10,} {d.cumulative:>12,}"
                   for d in report.overall.days)
    for street in report.streets:
        weight = street.share.eligible_unvaccinated
        suffix = "" if weight is None else f" ({weight:,} eligible unvaccinated)"
        out.append(_line(street.share.street, street.progress) + suffix)
    for line in out:
        console.print(line, markup=False, highlight=False)
