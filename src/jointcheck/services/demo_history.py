"""Give a freshly seeded demo district a recent history, through the same use cases as real use.

For the ``HISTORY_DAYS`` local days before the demo day, every venue but a few silent ones
uploads its checks in a batch a week (``ingest_batch``): visitors are residents of the venue's
street (or members of the organisation running it), each decided by the policy pack's rule for
the venue's category on their registry records, as a checkpoint would, with a few yellow codes
denied. Every event whose outcome takes a registration comes with the visitor's registration.
After each week's uploads the district's follow-up is refreshed, as the scheduled job does;
then the days are rolled up (``recompute_days``). On top: the grid worker's follow-up outcomes
on the days after, a door-to-door survey, a dose target for the current fortnight, the school
investigation of the current term (part of the members checked), a complaint about a silent
venue and the inspection that followed it with a warning.

Everything is deterministic from the district (its seed and demo day). Audit entries are
written as in real use, dated when the action happened. ``seed_demo`` seeds the district and,
only when the district was not stored yet, its history, in the caller's unit of work: seeding
an already seeded demo again adds nothing.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from jointcheck.checkpoint.events import (
    MAX_REASON,
    REGISTERING,
    CheckEvent,
    Registration,
    event_json,
    registration_json,
)
from jointcheck.clock import FixedClock
from jointcheck.compliance.inspections import Complaint, Inspection, Sanction
from jointcheck.config import RegistryKeys
from jointcheck.credentials.model import COVID_19, ExemptionEntry
from jointcheck.followup.survey import MemberStatus
from jointcheck.registry.ages import age_on
from jointcheck.registry.venues import Venue
from jointcheck.rules.decision import decide_facts
from jointcheck.rules.facts import person_facts
from jointcheck.rules.policy import Basis, Outcome, PolicyPack
from jointcheck.security.access import Permission, Principal, Role
from jointcheck.services.audit import AuditTrail
from jointcheck.services.check_events import ingest_batch
from jointcheck.services.daily_reports import recompute_days
from jointcheck.services.demo_district import REFERENCE_SIZE, DemoDistrict
from jointcheck.services.demo_seed import DISTRICT_TIMEZONE, SeedReport, seed_district
from jointcheck.services.followup import record_outcome, refresh, worklist
from jointcheck.services.import_engine import Progress, ResidentEntry, no_progress
from jointcheck.services.inspections import record_complaint, record_inspection
from jointcheck.services.school_investigations import open_investigation, record_entry
from jointcheck.services.surveys import record_survey
from jointcheck.services.targets import set_target
from jointcheck.targets.allocation import SplitMethod, TargetSpec

__all__ = ["HISTORY_DAYS", "HistoryReport", "seed_demo", "seed_history"]

HISTORY_DAYS = 14
UPLOAD_DAYS = 7
"""Each venue's checkpoint uploads a batch a week: two batches per venue keep seeding fast."""
SCHOOL_CHECKED = 60
"""How many members of the demo school the investigation has checked one by one."""
# Visitors a venue checks on an ordinary day in a district of REFERENCE_SIZE residents, by
# category (others: DEFAULT_VISITS).
VISITS = {"residential-quarter": 14, "mall-supermarket": 16, "market": 14, "medical": 14,
          "transport-station": 16, "public-transport": 12, "restaurant": 9, "nursing-home": 4,
          "welfare-home": 3, "detention": 2, "kindergarten": 8, "primary-school": 12,
          "secondary-school": 12, "university": 12, "factory": 10, "construction-site": 6}
DEFAULT_VISITS = 6
MIN_SCALE = 0.1
"""The fewest visits of a small district, as a share of those of REFERENCE_SIZE residents."""
YELLOW_CODES = 0.006
"""Share of visitors showing a yellow health code (denied whatever their vaccination)."""
SILENT_CATEGORIES = ("restaurant", "gym", "convenience-store")
"""One venue of each of these categories uploads nothing: the compliance page's silent ones."""
OUTCOMES = ("contacted", "policy-explained", "appointment-booked", "declined", "unreachable",
            "contacted", "appointment-booked")

COMPLAINT = "顾客反映该店入口无人查验健康码和接种记录"
FINDINGS = "入口未设查验点，顾客未经查验即可进入；已责令立即设点查验"


@dataclass
class HistoryReport:
    """What the history wrote, in figures."""

    days: int = 0
    events: int = 0
    registrations: int = 0
    reporting_venues: int = 0
    silent_venues: tuple[str, ...] = ()
    outcomes: int = 0
    surveys: int = 0
    target: int | None = None
    investigation_checked: int = 0
    inspections: int = 0
    complaints: int = 0

    def summary(self) -> str:
        """Return one line for the demo's welcome."""
        return (f"{self.days} days of checks: {self.events:,} check events and "
                f"{self.registrations:,} registrations at {self.reporting_venues} venues "
                f"({len(self.silent_venues)} silent), {self.outcomes} follow-up outcomes, "
                f"{self.surveys} surveyed households, "
                f"{'a' if self.target is not None else 'no'} dose target, "
                f"{self.investigation_checked} school members checked, "
                f"complaints {self.complaints}, inspections {self.inspections}")


@dataclass(frozen=True)
class _Context:
    session: Session
    district: DemoDistrict
    keys: RegistryKeys
    audit_key: bytes
    pack: PolicyPack
    now: datetime

    def trail(self, at: datetime) -> AuditTrail:
        return AuditTrail(self.session, self.audit_key, FixedClock(at))

    def user(self, role: Role) -> Principal:
        found = next(u for u in self.district.users if u.role is role)
        return Principal(found.username, found.role, found.scope)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """Return the instant of ``hour:minute`` on ``day`` in the district's time zone."""
    return datetime.combine(day, time(hour, minute), DISTRICT_TIMEZONE)


def seed_history(session: Session, district: DemoDistrict, *, keys: RegistryKeys,
                 audit_key: bytes, pack: PolicyPack, now: datetime,
                 progress: Progress = no_progress) -> HistoryReport:
    """Write the demo district's recent history (once, right after seeding it)."""
    context = _Context(session, district, keys, audit_key, pack, now)
    rng = random.Random(f"jointcheck-demo-history/{district.seed}/{district.today}")
    days = [district.today - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]
    report = HistoryReport(days=len(days))
    silent = _silent_venues(district)
    report.silent_venues = tuple(v.code for v in silent)
    reporting = [v for v in district.venues if v not in silent]
    report.reporting_venues = len(reporting)
    visitors = _Visitors(district, pack)
    weeks = [days[start:start + UPLOAD_DAYS] for start in range(0, len(days), UPLOAD_DAYS)]
    for done, week in enumerate(weeks, start=1):
        for venue in reporting:
            _upload(context, rng, visitors, venue, week, report)
        _refresh(context, local(week[-1], 22, 30))
        progress("history", done, len(weeks))
    recompute_days(session, days, DISTRICT_TIMEZONE, now)
    report.outcomes = _followup_outcomes(context, rng, days[UPLOAD_DAYS:])
    report.surveys = _survey(context, visitors, days[-2])
    report.target = _target(context)
    report.investigation_checked = _school_investigation(context)
    report.complaints, report.inspections = _inspections(context, silent, days)
    return report


def seed_demo(session: Session, district: DemoDistrict, *, keys: RegistryKeys,
              audit_key: bytes, pack: PolicyPack, now: datetime,
              progress: Progress = no_progress) -> tuple[SeedReport, HistoryReport | None]:
    """Seed ``district`` and, when it was not stored yet, its history; return what was done.

    A district found already stored (``SeedReport.changed`` false) got its history when it was
    seeded, in the same unit of work, so nothing is added twice.
    """
    report = seed_district(session, district, pseudonym_key=keys.pseudonym_key,
                           cipher=keys.cipher, at=now, progress=progress)
    if not report.changed:
        return report, None
    return report, seed_history(session, district, keys=keys, audit_key=audit_key, pack=pack,
                                now=now, progress=progress)


def _silent_venues(district: DemoDistrict) -> list[Venue]:
    operator = next(u.scope for u in district.users if u.role is Role.VENUE_OPERATOR)
    return [next(v for v in reversed(district.venues)
                 if v.category == category and v.code != operator)
            for category in SILENT_CATEGORIES
            if any(v.category == category for v in district.venues)]


class _Visitors:
    """Who visits a venue, and what the policy pack decides for them at its door."""

    def __init__(self, district: DemoDistrict, pack: PolicyPack) -> None:
        self.pack = pack
        # A smaller district has about as many venues but fewer people: fewer visits per
        # venue, but still some at each on most days.
        self.scale = min(1.0, max(MIN_SCALE, len(district.residents) / REFERENCE_SIZE))
        self.by_street: dict[str, list[ResidentEntry]] = defaultdict(list)
        for entry in district.residents:
            self.by_street[".".join(entry.resident.area.split(".")[:2])].append(entry)
        by_pid = {entry.resident.pid: entry for entry in district.residents}
        self.members: dict[str, list[ResidentEntry]] = defaultdict(list)
        for membership in district.memberships:
            self.members[membership.organisation].append(by_pid[membership.pid])
        self.doses: dict[str, list[tuple[str, int, date]]] = defaultdict(list)
        self.series: dict[str, int] = {}
        for record in district.vaccinations:
            self.doses[record.pid].append((record.product, record.dose_number, record.date))
            self.series[record.pid] = record.series_total
        self.exemptions: dict[str, list[ExemptionEntry]] = defaultdict(list)
        for c in district.contraindications:
            self.exemptions[c.pid].append(ExemptionEntry(
                COVID_19, c.institution, c.institution_level, c.reason_category, c.valid_from,
                c.valid_until, "CN", c.certificate_id))

    def pick(self, rng: random.Random, venue: Venue, day: date) -> ResidentEntry | None:
        staff = self.members.get(venue.operator or "", [])
        pool = staff if staff and rng.random() < 0.8 else self.by_street[venue.street]
        entry = rng.choice(pool)
        return entry if entry.resident.birth_date <= day else None

    def check(self, rng: random.Random, entry: ResidentEntry, venue: Venue,
              at: datetime) -> tuple[CheckEvent, str]:
        """Return the check event of ``entry`` at ``venue`` and the reason given (Chinese)."""
        identifier = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        pack = self.pack
        if rng.random() < YELLOW_CODES:
            return CheckEvent(identifier, venue.code, at, Outcome.DENY, Basis.CODE_COLOR,
                              "shared.code-yellow", pack.id, pack.version), "健康码为黄码"
        pid = entry.resident.pid
        facts = person_facts(pack, birth_date=entry.resident.birth_date.isoformat(),
                             doses=[d for d in self.doses[pid] if d[2] <= at.date()],
                             exemptions=self.exemptions[pid], color="green", at=at)
        decision = decide_facts(pack, pack.rule_for(venue.category), facts, venue.category)
        return CheckEvent(identifier, venue.code, at, decision.outcome, decision.basis,
                          decision.rule, pack.id, pack.version), decision.reason.zh


def _upload(context: _Context, rng: random.Random, visitors: _Visitors, venue: Venue,
            days: Sequence[date], report: HistoryReport) -> None:
    """Upload the checks of ``venue`` on ``days`` in one batch, on the last day's evening."""
    events: list[dict[str, Any]] = []
    registrations: list[dict[str, Any]] = []
    for day in days:
        expected = VISITS.get(venue.category, DEFAULT_VISITS) * visitors.scale
        visits = expected * rng.uniform(0.5, 1.5)
        for _ in range(int(visits) + (rng.random() < visits % 1)):
            entry = visitors.pick(rng, venue, day)
            if entry is None:
                continue
            at = local(day, rng.randrange(7, 21), rng.randrange(60))
            event, reason = visitors.check(rng, entry, venue, at)
            events.append(event_json(event))
            if event.outcome in REGISTERING:
                registrations.append(registration_json(Registration(
                    event.id, venue.code, at + timedelta(minutes=1), event.outcome,
                    entry.resident.name, entry.id_number, entry.resident.phone,
                    reason[:MAX_REASON])))
    if not events:
        return
    upload = local(days[-1], 21, 30)
    principal = Principal(f"checkpoint:{venue.code}", Role.VENUE_OPERATOR, venue.code,
                          frozenset({Permission.CHECKS_UPLOAD}))
    batch_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    result = ingest_batch(context.session, context.trail(upload), principal,
                          {"batch_id": batch_id, "events": events,
                           "registrations": registrations},
                          upload, context.keys, context.pack)
    report.events += result.events.new
    report.registrations += result.registrations.new


def _refresh(context: _Context, at: datetime) -> None:
    top = next(area.code for area in context.district.areas if "." not in area.code)
    refresh(context.session, Principal("demo-setup", Role.HEALTH_AUTHORITY, top), top,
            context.pack, at)


def _followup_outcomes(context: _Context, rng: random.Random, days: Sequence[date]) -> int:
    """Record the grid worker's contacts: a few open cases of the grid on each day."""
    worker = context.user(Role.GRID_WORKER)
    recorded = 0
    for day in days:
        at = local(day, 17, 30)
        trail = context.trail(at)
        items = worklist(context.session, trail, worker, worker.scope, "open", 20,
                         context.keys.cipher, context.pack, at).items
        for item in rng.sample(items, min(len(items), rng.randint(1, 3))):
            if item.case.last_outcome_on is not None and item.case.last_outcome_on > day:
                continue
            record_outcome(context.session, trail, worker, item.case.id, rng.choice(OUTCOMES),
                           day, None, context.keys.cipher, context.pack, at)
            recorded += 1
    return recorded


def _survey(context: _Context, visitors: _Visitors, day: date) -> int:
    """Record the grid worker's door-to-door visit of three households of the grid, two of
    them with a member the registry has no (or not every) dose for, when there are such."""
    worker = context.user(Role.GRID_WORKER)
    households: dict[str, list[dict[str, str]]] = defaultdict(list)
    for entry in context.district.residents:
        if entry.resident.area == worker.scope and entry.resident.birth_date <= day:
            households[entry.resident.address].append(
                {"id_number": entry.id_number, "status": _reported(context, visitors, entry,
                                                                   day)})
    followed = {MemberStatus.UNVACCINATED.value, MemberStatus.PARTLY_VACCINATED.value}
    with_gaps = [a for a in sorted(households)
                 if any(m["status"] in followed for m in households[a])]
    chosen = with_gaps[:2] + [a for a in sorted(households) if a not in with_gaps[:2]][:1]
    at = local(day, 10)
    for address in chosen:
        record_survey(context.session, context.trail(at), worker,
                      {"area": worker.scope, "on": day.isoformat(), "address": address,
                       "members": households[address]}, context.keys, context.pack, at)
    return len(chosen)


def _reported(context: _Context, visitors: _Visitors, entry: ResidentEntry, day: date) -> str:
    """Return the status a household reports for ``entry``: what the registry holds."""
    pid = entry.resident.pid
    doses = [d for d in visitors.doses[pid] if d[2] <= day]
    if any(e.valid_from <= day <= e.valid_until for e in visitors.exemptions[pid]):
        return MemberStatus.EXEMPT.value
    if age_on(entry.resident.birth_date, day) < context.pack.eligible_from:
        return MemberStatus.NOT_ELIGIBLE.value
    if not doses:
        return MemberStatus.UNVACCINATED.value
    if len(doses) < visitors.series[pid]:
        return MemberStatus.PARTLY_VACCINATED.value
    return MemberStatus.VACCINATED.value


def _target(context: _Context) -> int:
    """Assign the district a dose target for the current fortnight, split by the registry."""
    authority = context.user(Role.HEALTH_AUTHORITY)
    today = context.district.today
    start = today - timedelta(days=today.weekday())
    doses = max(20, round(len(context.district.residents) / 100, -1))
    spec = TargetSpec(authority.scope, int(doses), start, start + timedelta(days=13))
    at = local(start, 9)
    return set_target(context.session, context.trail(min(at, context.now)), authority, spec,
                      SplitMethod.PROPORTIONAL, context.pack)


def term_start(today: date) -> date:
    """Return the first day of the school term running on ``today`` (1 March or 1 September)."""
    for start in (date(today.year, 9, 1), date(today.year, 3, 1), date(today.year - 1, 9, 1)):
        if start < today:
            return start
    raise AssertionError("unreachable")  # pragma: no cover


def _school_investigation(context: _Context) -> int:
    """Open the school's investigation at the start of term and check part of its members."""
    admin = context.user(Role.ORG_ADMIN)
    start = term_start(context.district.today)
    opened = open_investigation(context.session, admin, admin.scope, start, local(start, 9),
                                start)
    pids = sorted({m.pid for m in context.district.memberships
                   if m.organisation == admin.scope})
    checked = pids[: min(SCHOOL_CHECKED, len(pids) // 2)]
    last = context.district.today - timedelta(days=1)
    for index, pid in enumerate(checked):
        on = min(start + timedelta(days=index % 5), last)
        at = local(on, 16)
        record_entry(context.session, context.trail(at), admin, context.pack, admin.scope,
                     opened.investigation.id, pid, on, at, on)
    return len(checked)


def _inspections(context: _Context, silent: Iterable[Venue],
                 days: Sequence[date]) -> tuple[int, int]:
    """Take down a complaint about a silent venue; inspect it (a warning) and one other."""
    inspector = context.user(Role.INSPECTOR)
    complained = next(iter(silent), None)
    if complained is None:
        return 0, 0
    received, inspected = days[-6], days[-4]
    record_complaint(context.session, inspector, Complaint(
        complained.code, received, COMPLAINT),
        local(received, 11))
    record_inspection(context.session, inspector, Inspection(
        complained.code, inspected, False, FINDINGS, Sanction.WARNING, visitors_per_day=80),
        local(inspected, 15))
    other = next((v for v in context.district.venues
                  if v.category == complained.category and v != complained), None)
    if other is None:
        return 1, 1
    record_inspection(context.session, inspector, Inspection(
        other.code, inspected, True, "", visitors_per_day=60), local(inspected, 16))
    return 1, 2
