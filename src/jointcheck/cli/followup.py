"""``jointcheck followup``: the follow-up worklist of unvaccinated residents (R7) and the
door-to-door survey (R8).

The commands act as the district's health authority under the audit actor ``cli:<os
user>``: whoever can run them holds the database already. ``list`` and ``outcome`` show
people and append an audit entry; ``refresh``, ``funnel`` and ``coverage`` print figures.
Eligibility follows the policy pack ``--policy`` (default ``JOINTCHECK_POLICY``); "today" is
the district's local day (``JOINTCHECK_TIMEZONE``), as in the API.

Exit status: 0 done, 2 usage error (bad settings, a database not upgraded, an unknown area or
case, a malformed date or file, a refused outcome or survey).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import typer
from sqlalchemy.orm import Session

from jointcheck.cli.common import JsonOption, console, print_json, usage_error
from jointcheck.cli.database import DbOption, cli_actor, refusing_session, settings_or_exit
from jointcheck.clock import SystemClock
from jointcheck.config import ConfigError, RegistryKeys, Settings, audit_key, registry_keys
from jointcheck.errors import JointcheckError
from jointcheck.followup import REASONS
from jointcheck.policy_sources import find_pack
from jointcheck.reporting.daily import local_day
from jointcheck.rules.policy import PolicyPack
from jointcheck.security.access import Principal, Role
from jointcheck.services.audit import AuditTrail
from jointcheck.services.case_investigation import district_area
from jointcheck.services.followup import (
    CaseDetail,
    followup_funnel,
    funnel_dict,
    record_outcome,
    refresh,
    worklist,
)
from jointcheck.services.surveys import coverage_dict, record_survey, survey_coverage

app = typer.Typer(help="Follow-up of unvaccinated residents: refresh the worklist, list it, "
                  "record outcomes, count the funnel, record door-to-door surveys.",
                  no_args_is_help=True)

AreaOption = typer.Option(..., "--area", help="A district, street, community or grid code.")
PolicyOption = typer.Option(None, "--policy", help="Policy pack id or file whose ages say "
                            "who is eligible (default JOINTCHECK_POLICY).")


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def _authority(session: Session) -> Principal:
    return Principal(cli_actor(), Role.HEALTH_AUTHORITY, district_area(session))


def _pack(policy: str | None, settings: Settings) -> PolicyPack:
    try:
        return find_pack(policy or settings.policy)
    except JointcheckError as exc:
        usage_error(f"{exc.message} ({exc.code})")


def _now(settings: Settings) -> tuple[datetime, date]:
    """Return the instant and the district's today (the settings' time zone)."""
    now = SystemClock().now()
    return now, local_day(now, settings.timezone)


def _keys(settings: Settings) -> tuple[RegistryKeys, bytes]:
    try:
        return registry_keys(settings), audit_key(settings)
    except ConfigError as exc:
        usage_error(f"{exc.message} ({exc.code})")


@contextmanager
def _session(db: str | None, settings: Settings) -> Iterator[Session]:
    with refusing_session(db, settings) as session:
        yield session


@app.command("refresh")
def refresh_command(area: str = AreaOption, policy: str | None = PolicyOption,
                    db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Close the area's cases whose person has a dose record; open the missing ones."""
    settings = settings_or_exit()
    pack = _pack(policy, settings)
    with _session(db, settings) as session:
        result = refresh(session, _authority(session), area, pack, *_now(settings))
    if as_json:
        print_json(result.as_dict())
        return
    _say(f"{area}: {result.opened} cases opened, {result.closed} closed, {result.open} open")


def _item_line(item: dict[str, Any]) -> str:
    last = item["last_outcome"] or "-"
    return (f"  #{item['case_id']:<6} P{item['priority']} {item['name']} "
            f"({item['birth_year']}, {item['age']}) {item['area']} {item['phone']}  "
            f"{item['status']}, last {last}  {', '.join(item['reasons']) or '-'}")


@app.command("list")
def list_command(area: str = AreaOption,
                 status: str = typer.Option("open", "--status", help="open, closed or all."),
                 limit: int = typer.Option(200, "--limit", help="Most items (1 to 1000)."),
                 policy: str | None = PolicyOption, db: str | None = DbOption,
                 as_json: bool = JsonOption) -> None:
    """Print the area's worklist by priority, with the reasons (audited)."""
    settings = settings_or_exit()
    pack = _pack(policy, settings)
    keys, key = _keys(settings)
    with _session(db, settings) as session:
        trail = AuditTrail(session, key, SystemClock())
        found = worklist(session, trail, _authority(session), area, status, limit, keys.cipher,
                         pack, *_now(settings)).as_dict()
    if as_json:
        print_json(found)
        return
    _say(f"{area}: {len(found['items'])} {status} cases")
    for item in found["items"]:
        _say(_item_line(item))
    reasons = sorted({r for item in found["items"] for r in item["reasons"]})
    for reason in reasons:
        _say(f"    {reason}: {REASONS[reason]}")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        usage_error(f"--on {text!r} is not a date (YYYY-MM-DD)")


def _print_case(detail: CaseDetail) -> None:
    shown = detail.as_dict()
    _say(_item_line(shown))
    for outcome in shown["outcomes"]:
        note = f"  {outcome['note']}" if outcome["note"] else ""
        _say(f"    {outcome['on']} {outcome['outcome']} by {outcome['worker']}{note}")


@app.command("outcome")
def outcome_command(case_id: int = typer.Argument(..., help="The case's id."),
                    outcome: str = typer.Argument(..., help="contacted, policy-explained, "
                                                  "appointment-booked, vaccinated, "
                                                  "exemption-presented, declined, moved-away "
                                                  "or unreachable."),
                    on: str = typer.Option(..., "--on", help="The local day (YYYY-MM-DD)."),
                    note: str | None = typer.Option(None, "--note", help="A short note."),
                    policy: str | None = PolicyOption, db: str | None = DbOption,
                    as_json: bool = JsonOption) -> None:
    """Record an outcome of a case and print the case (audited)."""
    settings = settings_or_exit()
    pack = _pack(policy, settings)
    day = _day(on)
    keys, key = _keys(settings)
    with _session(db, settings) as session:
        trail = AuditTrail(session, key, SystemClock())
        detail = record_outcome(session, trail, _authority(session), case_id,
                                outcome, day, note, keys.cipher, pack, *_now(settings))
    if as_json:
        print_json(detail.as_dict())
        return
    _print_case(detail)


def _area_figures(db: str | None, as_json: bool,
                  read: Callable[[Session, Principal], dict[str, Any]]) -> dict[str, Any] | None:
    """Return the figures ``read`` takes as the health authority; with ``--json`` print them
    and return None."""
    settings = settings_or_exit()
    with _session(db, settings) as session:
        found = read(session, _authority(session))
    if as_json:
        print_json(found)
        return None
    return found


@app.command("funnel")
def funnel_command(area: str = AreaOption, db: str | None = DbOption,
                   as_json: bool = JsonOption) -> None:
    """Print how many cases of the area stand at each stage (their latest outcome)."""
    found = _area_figures(db, as_json, lambda session, principal: funnel_dict(
        area, followup_funnel(session, principal, area)))
    if found is None:
        return
    _say(f"{area}: {found['total']} cases, {found['open']} open, {found['closed']} closed")
    for stage, count in found["stages"].items():
        _say(f"  {stage:20} {count:>8,}")


@app.command("survey")
def survey_command(path: Path = typer.Argument(..., help="A JSON file: {\"area\", \"on\", "
                                               "\"address\", \"members\": [{\"id_number\", "
                                               "\"status\", \"note\"?}]}."),
                   policy: str | None = PolicyOption, db: str | None = DbOption,
                   as_json: bool = JsonOption) -> None:
    """Record a household visited door to door; open the cases it calls for."""
    settings = settings_or_exit()
    pack = _pack(policy, settings)
    try:
        document = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        usage_error(f"cannot read {path}: {exc.strerror}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        usage_error(f"{path} is not a JSON file: {exc}")
    keys, key = _keys(settings)
    with _session(db, settings) as session:
        trail = AuditTrail(session, key, SystemClock())
        result = record_survey(session, trail, _authority(session), document, keys, pack,
                               *_now(settings))
    if as_json:
        print_json(result.as_dict())
        return
    _say(f"survey {result.survey_id}: {result.members} members, "
         f"{result.cases_opened} cases opened")


@app.command("coverage")
def coverage_command(area: str = AreaOption, db: str | None = DbOption,
                     as_json: bool = JsonOption) -> None:
    """Print the survey's coverage per grid: households, members by reported status."""
    found = _area_figures(db, as_json, lambda session, principal: coverage_dict(
        area, survey_coverage(session, principal, area)))
    if found is None:
        return
    _say(f"{area}: {len(found['grids'])} grids surveyed")
    for grid in found["grids"]:
        counts = ", ".join(f"{status} {n}" for status, n in grid["by_status"].items() if n)
        _say(f"  {grid['area']:20} {grid['households']:>6} households {grid['members']:>6} "
             f"members  {counts}")
