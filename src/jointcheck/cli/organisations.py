"""``jointcheck organisations``: rosters, posts, school investigations, meetings, coverage.

The commands act as the district's health authority under the audit actor ``cli:<os user>``
(whoever can run them holds the database already); reads of people (roster, posts, meeting,
checks of an investigation) append audit entries as the API's do. Statuses are those of the
policy pack ``JOINTCHECK_POLICY`` on a local day of ``JOINTCHECK_DISTRICT_TIMEZONE``.

Exit status: 0 done, 2 usage error (bad settings, a database not upgraded, an unknown
organisation or investigation, a refused roster file, a malformed date).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import typer
from sqlalchemy.orm import Session

from jointcheck.cli.common import JsonOption, console, print_json, usage_error
from jointcheck.cli.database import DbOption, cli_actor, database_session, settings_or_exit
from jointcheck.clock import SystemClock
from jointcheck.config import ConfigError, RegistryKeys, Settings, audit_key, registry_keys
from jointcheck.errors import JointcheckError
from jointcheck.organisations import Coverage
from jointcheck.organisations.meetings import parse_kind
from jointcheck.policy_sources import find_pack
from jointcheck.rules.policy import PolicyPack
from jointcheck.security.access import Principal, Role
from jointcheck.services.audit import AuditTrail
from jointcheck.services.case_investigation import district_area
from jointcheck.services.organisations import (
    Roster,
    RosterMember,
    coverage_by_industry,
    coverage_by_organisation,
    list_organisations,
    meeting_check,
    post_check,
    roster,
)
from jointcheck.services.rosters import import_roster
from jointcheck.services.school_investigations import (
    InvestigationReport,
    check_all,
    investigation_report,
    open_investigation,
)

app = typer.Typer(help="Organisations and schools: rosters, who may hold which post, school "
                  "investigations, meeting checks and coverage.", no_args_is_help=True)
OnOption = typer.Option(None, "--on", help="The local day (YYYY-MM-DD); default today.")


@dataclass
class Work:
    """One command's session, audit trail, acting principal, keys, pack and today."""

    session: Session
    trail: AuditTrail
    principal: Principal
    keys: RegistryKeys
    pack: PolicyPack
    today: date


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def _day(text: str | None, today: date, option: str = "--on") -> date:
    if text is None:
        return today
    try:
        return date.fromisoformat(text)
    except ValueError:
        usage_error(f"{option} {text!r} is not a date (YYYY-MM-DD)")


@contextmanager
def _work(db: str | None) -> Iterator[Work]:
    settings: Settings = settings_or_exit()
    try:
        keys, key = registry_keys(settings), audit_key(settings)
        pack = find_pack(settings.policy)
    except (ConfigError, JointcheckError) as exc:
        usage_error(f"{exc.message} ({exc.code})")
    clock = SystemClock()
    today = clock.now().astimezone(settings.timezone).date()
    try:
        with database_session(db, settings) as session:
            principal = Principal(cli_actor(), Role.HEALTH_AUTHORITY, district_area(session))
            yield Work(session, AuditTrail(session, key, clock), principal, keys, pack, today)
    except JointcheckError as exc:
        usage_error(f"{exc.message} ({exc.code})")


def member_dict(member: RosterMember) -> dict[str, Any]:
    """Return a roster line as the API shows it."""
    v = member.verdict
    return {"pid": member.pid, "name": member.name, "birth_year": member.birth_year,
            "post": v.post, "status": v.status.value, "may_hold": v.may_hold,
            "reason_en": v.reason_en, "reason_zh": v.reason_zh}


def investigation_dict(report: InvestigationReport) -> dict[str, Any]:
    """Return an investigation's progress as the API shows it."""
    p = report.progress
    return {"id": report.investigation.id, "organisation": report.investigation.organisation,
            "term_start": p.term_start.isoformat(), "deadline": p.deadline.isoformat(),
            "today": p.today.isoformat(), "days_left": p.days_left, "overdue": p.overdue,
            "complete": p.complete,
            "groups": {name: {"total": g.total, "checked": g.checked, "by_status": g.by_status}
                       for name, g in p.groups.items()}}


def figures_dict(coverage: Coverage) -> dict[str, Any]:
    """Return coverage figures as the API shows them."""
    return {"members": coverage.members, "complete": coverage.complete,
            "partial": coverage.partial, "unvaccinated": coverage.unvaccinated,
            "exempt": coverage.exempt, "not_eligible": coverage.not_eligible,
            "complete_rate": coverage.complete_rate}


@app.command("list")
def list_command(street: str | None = typer.Option(None, "--street"),
                 industry: str | None = typer.Option(None, "--industry"),
                 db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """List the organisations with their industry, street and number of members."""
    with _work(db) as work:
        found = list_organisations(work.session, work.principal, street, industry)
    rows = [{"code": s.organisation.code, "name": s.organisation.name,
             "type": s.organisation.type, "industry": s.organisation.industry,
             "service_industry": s.organisation.is_service_industry,
             "street": s.organisation.street, "members": s.members} for s in found]
    if as_json:
        print_json({"organisations": rows})
        return
    for row in rows:
        mark = " (service industry)" if row["service_industry"] else ""
        _say(f"{row['code']:16} {row['name']} [{row['type']}, {row['industry']}{mark}] "
             f"{row['street']}: {row['members']} members")


def _print_members(members: list[RosterMember]) -> None:
    for m in members:
        verdict = "may hold" if m.verdict.may_hold else "MAY NOT HOLD"
        _say(f"  {m.pid} {m.name} ({m.birth_year}) {m.verdict.post}: {m.verdict.status} - "
             f"{verdict}: {m.verdict.reason_en}")


@app.command("roster")
def roster_command(code: str = typer.Argument(..., help="The organisation's code."),
                   on: str | None = OnOption, db: str | None = DbOption,
                   as_json: bool = JsonOption) -> None:
    """Print the roster with who may hold which post (audited)."""
    with _work(db) as work:
        found: Roster = roster(work.session, work.trail, work.keys, work.principal, work.pack,
                               code, _day(on, work.today))
    if as_json:
        print_json({"organisation": code, "on": found.day.isoformat(),
                    "members": [member_dict(m) for m in found.members]})
        return
    _say(f"{code} on {found.day.isoformat()}: {len(found.members)} posts held")
    _print_members(found.members)


@app.command("import")
def import_command(code: str = typer.Argument(..., help="The organisation's code."),
                   file: Path = typer.Argument(..., help="CSV with the header id_number,post."),
                   db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Add the posts of a roster file; all or nothing (a bad line stores nothing)."""
    try:
        text = file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        usage_error(f"cannot read {file}: {exc}")
    with _work(db) as work:
        found = import_roster(work.session, work.trail, work.keys, work.principal, code, text)
    if as_json:
        print_json({"organisation": code, "added": found.added, "unchanged": found.unchanged})
        return
    _say(f"{code}: {found.added} posts added, {found.unchanged} unchanged")


@app.command("posts")
def posts_command(code: str = typer.Argument(..., help="The organisation's code."),
                  on: str | None = OnOption, db: str | None = DbOption,
                  as_json: bool = JsonOption) -> None:
    """Print the figures per post and the members holding a post they may not hold."""
    with _work(db) as work:
        found = post_check(work.session, work.trail, work.keys, work.principal, work.pack,
                           code, _day(on, work.today))
    by_post = {post: {"members": f.members, "may_hold": f.may_hold,
                      "may_not_hold": f.may_not_hold} for post, f in found.by_post.items()}
    if as_json:
        print_json({"organisation": code, "on": found.day.isoformat(),
                    "violations": [member_dict(m) for m in found.violations],
                    "by_post": by_post})
        return
    _say(f"{code} on {found.day.isoformat()}:")
    for post, f in by_post.items():
        _say(f"  {post:20} {f['members']:>6} members, {f['may_hold']:>6} may hold, "
             f"{f['may_not_hold']:>6} may not")
    _say(f"{len(found.violations)} members hold a post they may not hold")
    _print_members(found.violations)


def _print_investigation(report: InvestigationReport, as_json: bool) -> None:
    document = investigation_dict(report)
    if as_json:
        print_json(document)
        return
    state = ("complete" if document["complete"] else
             "OVERDUE" if document["overdue"] else f"{document['days_left']} days left")
    _say(f"investigation {document['id']} of {document['organisation']}: term from "
         f"{document['term_start']}, deadline {document['deadline']}: {state}")
    for name, group in document["groups"].items():
        statuses = ", ".join(f"{k} {v}" for k, v in group["by_status"].items())
        _say(f"  {name:9} {group['checked']:>6} of {group['total']:>6} checked ({statuses})")


@app.command("investigate")
def investigate_command(code: str = typer.Argument(..., help="The school's code."),
                        term_start: str = typer.Option(..., "--term-start",
                                                       help="First day of term (YYYY-MM-DD)."),
                        db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Open a school's one-week investigation of its staff, students and families."""
    with _work(db) as work:
        report = open_investigation(work.session, work.principal, code,
                                    _day(term_start, work.today, "--term-start"),
                                    SystemClock().now(), work.today)
    _print_investigation(report, as_json)


@app.command("investigation")
def investigation_command(
        code: str = typer.Argument(..., help="The school's code."),
        investigation_id: int = typer.Argument(..., help="The investigation's id."),
        all_members: bool = typer.Option(False, "--check-all", help="Record every member as "
                                         "checked, with the registry's status (audited)."),
        on: str | None = OnOption, db: str | None = DbOption,
        as_json: bool = JsonOption) -> None:
    """Print an investigation's progress; with --check-all record every member first."""
    with _work(db) as work:
        if all_members:
            report = check_all(work.session, work.trail, work.principal, work.pack, code,
                               investigation_id, _day(on, work.today), SystemClock().now(),
                               work.today)
        else:
            report = investigation_report(work.session, work.principal, code,
                                          investigation_id, work.today)
    _print_investigation(report, as_json)


@app.command("meeting")
def meeting_command(code: str = typer.Argument(..., help="The organisation's code."),
                    file: Path = typer.Argument(..., help="One identity number or pid a line."),
                    on: str = typer.Option(..., "--on", help="The day (YYYY-MM-DD)."),
                    kind: str = typer.Option(..., "--kind",
                                             help="meeting, reception or training."),
                    db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Print who of an attendee list may attend (members only; audited)."""
    try:
        refs = file.read_text("utf-8").splitlines()
        chosen = parse_kind(kind)
    except (OSError, UnicodeDecodeError) as exc:
        usage_error(f"cannot read {file}: {exc}")
    except JointcheckError as exc:
        usage_error(f"{exc.message} ({exc.code})")
    with _work(db) as work:
        found = meeting_check(work.session, work.trail, work.keys, work.principal, work.pack,
                              code, _day(on, work.today), chosen, refs)
    attendees = [{"ref": a.ref, "name": a.name, "birth_year": a.birth_year,
                  "may_attend": a.answer.may_attend, "status": a.answer.status.value,
                  "reason_en": a.answer.reason_en, "reason_zh": a.answer.reason_zh}
                 for a in found.attendees]
    if as_json:
        print_json({"on": found.on.isoformat(), "kind": found.kind.value,
                    "attendees": attendees, "may_attend": found.may_attend,
                    "may_not_attend": found.may_not_attend})
        return
    _say(f"{found.kind} of {code} on {found.on.isoformat()}: {found.may_attend} may attend, "
         f"{found.may_not_attend} may not")
    for a in attendees:
        verdict = "may attend" if a["may_attend"] else "MAY NOT ATTEND"
        _say(f"  {a['name']} ({a['birth_year']}): {verdict}: {a['reason_en']}")


@app.command("coverage")
def coverage_command(industry: str | None = typer.Option(None, "--industry"),
                     street: str | None = typer.Option(None, "--street"),
                     on: str | None = OnOption, db: str | None = DbOption,
                     as_json: bool = JsonOption) -> None:
    """Print coverage figures per organisation (by code) and per industry (by name)."""
    with _work(db) as work:
        day = _day(on, work.today)
        orgs = coverage_by_organisation(work.session, work.principal, work.pack, day,
                                        industry, street)
        industries = [] if industry or street else coverage_by_industry(
            work.session, work.principal, work.pack, day)
    rows = [{"code": c.organisation.code, "name": c.organisation.name,
             "industry": c.organisation.industry, **figures_dict(c.coverage)} for c in orgs]
    totals = [{"industry": c.industry, "service_industry": c.service_industry,
               "organisations": c.organisations, **figures_dict(c.coverage)}
              for c in industries]
    if as_json:
        print_json({"on": day.isoformat(), "organisations": rows, "industries": totals})
        return
    header = (f"{'':24} {'members':>8} {'complete':>8} {'partial':>8} {'unvacc.':>8} "
              f"{'exempt':>8} {'not-elig.':>9} {'rate':>6}")
    _say(f"coverage on {day.isoformat()} (figures only, by code; never a score)")
    _say(header)
    for row in [*rows, *totals]:
        label = row.get("code") or f"[{row['industry']}]"
        rate = "-" if row["complete_rate"] is None else f"{row['complete_rate'] * 100:5.1f}%"
        _say(f"{label:24} {row['members']:>8} {row['complete']:>8} {row['partial']:>8} "
             f"{row['unvaccinated']:>8} {row['exempt']:>8} {row['not_eligible']:>9} {rate:>6}")
