"""Dose targets over a generated district, on SQLite and PostgreSQL: the split by eligible
unvaccinated residents, a split by hand, daily progress from the vaccination records, scopes."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jointcheck.clock import FixedClock
from jointcheck.errors import AccessDenied, NotFoundError
from jointcheck.policy_sources import find_pack
from jointcheck.security.access import Principal, Role
from jointcheck.services.audit import AuditTrail, verify
from jointcheck.services.targets import born_by, set_target, target_report
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.models import DoseTargetRow, DoseTargetShareRow
from jointcheck.storage.models.people import ContraindicationRow, ResidentRow, VaccinationRow
from jointcheck.storage.repositories.audit import AuditRepository
from jointcheck.storage.repositories.targets import TargetRepository
from jointcheck.targets import Phase, SplitMethod, TargetError, TargetSpec, split_proportional
from tests.integration.conftest import Database

NOW = datetime(2026, 11, 19, 2, 0, tzinfo=UTC)
START, END = date(2026, 11, 20), date(2026, 11, 26)
ELIGIBLE_FROM = 3
# The district's pack, with an eligible age that makes a small district's figures telling.
PACK = replace(find_pack("fangzi-2021"), eligible_from=ELIGIBLE_FROM)
AUTHORITY = Principal("ha-1", Role.HEALTH_AUTHORITY, "fz")
STREET_ONE = Principal("so-1", Role.STREET_OFFICER, "fz.s01")
HOMES = ("fz.s01", "fz.s01.c01", "fz.s01.c01.g01", "fz.s01.c02", "fz.s02", "fz.s02.c01")
AUDIT_KEY = b"a" * 32


def trail(session: Session) -> AuditTrail:
    """Return the audit trail of ``session``, dated ``NOW``."""
    return AuditTrail(session, AUDIT_KEY, FixedClock(NOW))


def _resident(session: Session, pid: str, area: str, born: date) -> None:
    session.add(ResidentRow(pid=pid, sex="female", birth_date=born, area_code=area,
                            name_enc=b"x", id_number_enc=b"x", phone_enc=b"x",
                            address_enc=b"x", content_digest="d", updated_at=NOW))


def _dose(session: Session, pid: str, number: int, on: date) -> None:
    session.add(VaccinationRow(pid=pid, product="EU/1/20/1528", dose_number=number,
                               series_total=2, vaccinated_on=on, site="s", lot="l",
                               source_id=None, imported_at=NOW))


class District:
    """What the generated district holds, as the test expects to read it back."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.eligible: Counter[str] = Counter()
        self.pids: list[tuple[str, str]] = []


@pytest.fixture
def district(areas: Database) -> District:
    """Residents of every age in every street, some dosed, some exempt, some children."""
    rng = random.Random(6)
    made = District(areas)
    with unit_of_work(areas.sessions) as session:
        for number in range(300):
            pid, home = f"p-{number:04d}", rng.choice(HOMES)
            # Ages around the threshold, including a birthday on the first day of the period.
            born = START - timedelta(days=rng.randint(365, 365 * 6)) if number % 5 else \
                born_by(START, ELIGIBLE_FROM) + timedelta(days=rng.choice((0, 1)))
            _resident(session, pid, home, born)
            session.flush()
            fate = rng.random()
            exempt_in_force = False
            if fate < 0.25:
                _dose(session, pid, 1, START - timedelta(days=rng.randint(1, 200)))
            elif fate < 0.35:
                until = START + timedelta(days=rng.choice((-1, 0, 30)))
                exempt_in_force = until >= START
                session.add(ContraindicationRow(
                    certificate_id=f"ci-{number}", pid=pid, institution="h",
                    institution_level=2, reason_category="acute-illness",
                    valid_from=START - timedelta(days=60), valid_until=until))
            if fate >= 0.25 and not exempt_in_force and born <= born_by(START, ELIGIBLE_FROM):
                made.eligible[home.split(".")[0] + "." + home.split(".")[1]] += 1
            made.pids.append((pid, home))
    return made


def test_a_proportional_split_follows_the_eligible_unvaccinated_residents(
        district: District) -> None:
    with unit_of_work(district.db.sessions) as session:
        target_id = set_target(session, trail(session), AUTHORITY,
                               TargetSpec("fz", 5_400, START, END), SplitMethod.PROPORTIONAL,
                               PACK)
    with unit_of_work(district.db.sessions) as session:
        report = target_report(session, AUTHORITY, target_id, START - timedelta(days=1))
    weights = {s: district.eligible[s] for s in ("fz.s01", "fz.s02")}
    assert all(weights.values())
    assert {s.share.street: s.share.eligible_unvaccinated for s in report.streets} == weights
    shares = {s.share.street: s.share.doses for s in report.streets}
    assert shares == split_proportional(5_400, weights)
    assert sum(shares.values()) == 5_400
    assert report.target.split == "proportional" and report.target.assigned_by == "ha-1"
    assert report.target.eligible_from == ELIGIBLE_FROM
    assert report.overall is not None and report.overall.phase is Phase.NOT_STARTED


def test_progress_counts_each_days_doses_in_the_area(district: District) -> None:
    with unit_of_work(district.db.sessions) as session:
        target_id = set_target(session, trail(session), AUTHORITY,
                               TargetSpec("fz", 400, START, END), SplitMethod.MANUAL, PACK,
                               {"fz.s01": 250, "fz.s02": 150})
    rng = random.Random(7)
    expected: Counter[tuple[str, date]] = Counter()
    with unit_of_work(district.db.sessions) as session:
        for pid, home in district.pids:
            for number in range(2, 2 + rng.randint(0, 2)):
                on = START + timedelta(days=rng.randint(-3, 9))  # some outside the period
                _dose(session, pid, number, on)
                if START <= on <= END:
                    expected[(".".join(home.split(".")[:2]), on)] += 1
    today = START + timedelta(days=4)
    with unit_of_work(district.db.sessions) as session:
        report = target_report(session, AUTHORITY, target_id, today)
    assert report.overall is not None
    days = [START + timedelta(days=n) for n in range(5)]
    per_day = [sum(expected[(s, d)] for s in ("fz.s01", "fz.s02")) for d in days]
    assert [d.doses for d in report.overall.days] == per_day
    assert report.overall.given == sum(per_day)
    rate = sum(per_day[1:4]) / 3
    assert report.overall.rate == pytest.approx(rate)
    assert report.overall.forecast == sum(per_day[:4]) + round(
        max(per_day[4], rate) + rate * (END - today).days)
    for street in report.streets:
        assert [d.doses for d in street.progress.days] == [
            expected[(street.share.street, d)] for d in days]
        assert street.progress.target == {"fz.s01": 250, "fz.s02": 150}[street.share.street]
    as_json = report.as_dict()
    assert as_json["progress"]["given"] == sum(per_day)
    assert [s["street"] for s in as_json["streets"]] == ["fz.s01", "fz.s02"]


def test_a_street_office_sees_its_street_only_and_may_not_assign(district: District) -> None:
    with unit_of_work(district.db.sessions) as session:
        target_id = set_target(session, trail(session), AUTHORITY,
                               TargetSpec("fz", 100, START, END), SplitMethod.MANUAL,
                               PACK, {"fz.s02": 100})
        street_target = set_target(session, trail(session), AUTHORITY,
                                   TargetSpec("fz.s02", 10, START, END),
                                   SplitMethod.PROPORTIONAL, PACK)
    with unit_of_work(district.db.sessions) as session:
        report = target_report(session, STREET_ONE, target_id, START)
        assert report.overall is None
        assert [(s.share.street, s.share.doses) for s in report.streets] == [("fz.s01", 0)]
        with pytest.raises(AccessDenied) as caught:
            target_report(session, STREET_ONE, street_target, START)
        assert caught.value.code == "outside-scope"
        grid = Principal("gw-1", Role.GRID_WORKER, "fz.s01.c01")
        with pytest.raises(AccessDenied):
            target_report(session, grid, target_id, START)
        with pytest.raises(AccessDenied) as caught:
            set_target(session, trail(session), STREET_ONE, TargetSpec("fz.s01", 10, START, END),
                       SplitMethod.PROPORTIONAL, PACK)
        assert caught.value.code == "role-not-allowed"
        inspector = Principal("in-1", Role.INSPECTOR, "fz")
        with pytest.raises(AccessDenied) as caught:
            target_report(session, inspector, target_id, START)
        assert caught.value.code == "role-not-allowed"


def _stored(db: Database) -> tuple[int, int]:
    with db.session() as session:
        return (session.scalar(select(func.count()).select_from(DoseTargetRow)) or 0,
                session.scalar(select(func.count()).select_from(DoseTargetShareRow)) or 0)


@pytest.mark.parametrize(("area", "shares", "error", "code"), [
    ("fz", {"fz.s01": 60, "fz.s02": 39}, TargetError, "split-mismatch"),
    ("fz", {"fz.s01": 60, "fz.s09": 40}, TargetError, "unknown-street"),
    ("fz.s01", {"fz.s01": 60, "fz.s02": 40}, TargetError, "unknown-street"),
    ("fz.s01.c01", {"fz.s01": 100}, TargetError, "bad-area"),
    ("fz.s07", {"fz.s07": 100}, NotFoundError, "unknown-area"),
])
def test_a_bad_split_or_area_is_refused_and_stores_nothing(
        district: District, area: str, shares: dict[str, int],
        error: type[Exception], code: str) -> None:
    with pytest.raises(error) as caught, unit_of_work(district.db.sessions) as session:
        set_target(session, trail(session), AUTHORITY, TargetSpec(area, 100, START, END),
                   SplitMethod.MANUAL, PACK, shares)
    assert getattr(caught.value, "code", None) == code
    assert _stored(district.db) == (0, 0)
    with district.db.session() as session:
        assert AuditRepository(session).count() == 0


def test_assigning_a_target_and_its_split_is_audited(district: District) -> None:
    with unit_of_work(district.db.sessions) as session:
        manual = set_target(session, trail(session), AUTHORITY,
                            TargetSpec("fz", 400, START, END), SplitMethod.MANUAL,
                            PACK, {"fz.s01": 250, "fz.s02": 150})
        proportional = set_target(session, trail(session), AUTHORITY,
                                  TargetSpec("fz.s02", 10, START, END),
                                  SplitMethod.PROPORTIONAL, PACK)
        with pytest.raises(AccessDenied):
            set_target(session, trail(session), STREET_ONE,
                       TargetSpec("fz.s01", 10, START, END), SplitMethod.PROPORTIONAL,
                       PACK)
    with district.db.session() as session:
        entries = list(AuditRepository(session).stream())
        assert verify(session, AUDIT_KEY).ok
    assert [(e.action, e.actor_id, e.actor_role, e.subject, e.area, e.at) for e in entries] == [
        ("targets.assigned", "ha-1", "health-authority", str(manual), "fz", NOW),
        ("targets.assigned", "ha-1", "health-authority", str(proportional), "fz.s02", NOW)]
    assert dict(entries[0].detail) == {
        "target": manual, "doses": 400, "start": START.isoformat(), "end": END.isoformat(),
        "split": "manual", "eligible_from": None,
        "shares": {"fz.s01": 250, "fz.s02": 150}}
    assert dict(entries[1].detail) == {
        "target": proportional, "doses": 10, "start": START.isoformat(),
        "end": END.isoformat(), "split": "proportional", "eligible_from": ELIGIBLE_FROM,
        "shares": {"fz.s02": 10}}


def test_an_unknown_target_is_not_found(district: District) -> None:
    with district.db.session() as session, pytest.raises(NotFoundError) as caught:
        target_report(session, AUTHORITY, 404, START)
    assert caught.value.code == "unknown-target"


def test_born_by_handles_the_leap_day() -> None:
    assert born_by(date(2028, 2, 29), 3) == date(2025, 2, 28)
    assert born_by(date(2026, 11, 20), 3) == date(2023, 11, 20)


def test_a_split_under_the_pack_reads_people_as_follow_up_does(district: District) -> None:
    """A dose of a product the pack does not accept and a certificate from an institution
    below the level it asks leave a resident eligible unvaccinated, as follow-up reads it."""
    pack = find_pack("fangzi-2021")
    assert "Sputnik-V" not in pack.product_index
    born = born_by(START, 20)  # eligible under ELIGIBLE_FROM and under the pack's age
    with unit_of_work(district.db.sessions) as session:
        _resident(session, "p-unaccepted", "fz.s01.c01", born)
        _resident(session, "p-low-level", "fz.s01.c02", born)
        session.flush()
        session.add(VaccinationRow(pid="p-unaccepted", product="Sputnik-V", dose_number=1,
                                   series_total=2, vaccinated_on=START - timedelta(days=3),
                                   site="s", lot="l", source_id=None, imported_at=NOW))
        session.add(ContraindicationRow(
            certificate_id="ci-low", pid="p-low-level", institution="clinic",
            institution_level=1, reason_category="acute-illness",
            valid_from=START - timedelta(days=5), valid_until=START + timedelta(days=30)))
    streets = ["fz.s01", "fz.s02"]
    latest = born_by(START, ELIGIBLE_FROM)
    with district.db.session() as session:
        under_pack = TargetRepository(session).eligible_unvaccinated(streets, latest, START,
                                                                    PACK)
    assert under_pack == {"fz.s01": district.eligible["fz.s01"] + 2,
                          "fz.s02": district.eligible["fz.s02"]}
    with unit_of_work(district.db.sessions) as session:
        target_id = set_target(session, trail(session), AUTHORITY,
                               TargetSpec("fz", 100, START, END), SplitMethod.PROPORTIONAL,
                               pack)
    with unit_of_work(district.db.sessions) as session:
        report = target_report(session, AUTHORITY, target_id, START - timedelta(days=1))
    assert report.target.eligible_from == pack.eligible_from  # only the two are old enough
    assert {s.share.street: s.share.eligible_unvaccinated for s in report.streets} == {
        "fz.s01": 2, "fz.s02": 0}
