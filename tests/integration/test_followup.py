"""Follow-up over a generated district, on SQLite and PostgreSQL: the worklist is exactly the
eligible residents with no dose the pack accepts and no exemption the pack accepts, plus the
residents registered at a door, scoped per area and in priority order; a dose record closes
a case; a refresh is idempotent; outcomes are checked; the survey opens cases and refuses
bad forms whole; the funnel."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from jointcheck.config import RegistryKeys
from jointcheck.errors import AccessDenied, NotFoundError
from jointcheck.followup import FollowupError, assess, order_key
from jointcheck.followup.cases import Outcome, Source
from jointcheck.followup.priority import CaseFacts
from jointcheck.policy_sources import find_pack
from jointcheck.registry.ages import born_by
from jointcheck.rules.policy import PolicyPack
from jointcheck.rules.status import Status, status_of
from jointcheck.security.access import Principal, Role
from jointcheck.services.audit import AuditTrail
from jointcheck.services.demo_district import DemoDistrict, generate_district
from jointcheck.services.demo_seed import seed_district
from jointcheck.services.followup import (
    RefreshResult,
    case_detail,
    followup_funnel,
    record_outcome,
    refresh,
    worklist,
)
from jointcheck.services.import_engine import ResidentEntry
from jointcheck.services.registry_import import import_vaccinations
from jointcheck.services.surveys import record_survey, survey_coverage
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.models import (
    AuditLogRow,
    CheckReceiptRow,
    ContraindicationRow,
    FollowupCaseRow,
    FollowupOutcomeRow,
    RegistrationRow,
    SurveyMemberRow,
    SurveyRow,
    VaccinationRow,
)
from jointcheck.storage.repositories.followup import FollowupRepository, Settled
from jointcheck.storage.repositories.organisations import OrganisationRepository
from tests.integration.conftest import Database, write

DAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)  # NOW in Asia/Shanghai
AUDIT_KEY = b"a" * 32
AUTHORITY = Principal("cdc-1", Role.HEALTH_AUTHORITY, "fz")


class FixedClock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture(scope="module")
def district() -> DemoDistrict:
    return generate_district(5, 400, today=DAY, pseudonym_key=b"k" * 32)


@pytest.fixture(scope="module")
def pack() -> PolicyPack:
    return find_pack("fangzi-2021")


class World:
    """The seeded district and the registrations added to it."""

    def __init__(self, db: Database, district: DemoDistrict, keys: RegistryKeys,
                 pack: PolicyPack) -> None:
        self.db, self.district, self.keys, self.pack = db, district, keys, pack
        self.registered: dict[str, int] = {}

    def trail(self, session: Session) -> AuditTrail:
        return AuditTrail(session, AUDIT_KEY, FixedClock())

    def dosed(self) -> set[str]:
        """People with a dose of a product the pack accepts, given by today."""
        return {v.pid for v in self.district.vaccinations
                if v.product in self.pack.product_index and v.date <= TODAY}

    def exempt(self) -> set[str]:
        """People with a certificate in force today from an institution of level 2 or
        more (what fangzi-2021 asks; it accepts any reason)."""
        return {c.pid for c in self.district.contraindications
                if c.valid_from <= TODAY <= c.valid_until and c.institution_level >= 2}

    def expected(self, eligible_from: int, within: str = "fz") -> set[str]:
        """The worklist as the brief defines it, computed from the generated values."""
        latest = born_by(TODAY, eligible_from)
        return {e.resident.pid for e in self.district.residents
                if (e.resident.area == within or e.resident.area.startswith(within + "."))
                and e.resident.pid not in self.dosed() and e.resident.pid not in self.exempt()
                and (e.resident.birth_date <= latest or e.resident.pid in self.registered)}


def _register(session: Session, venue: str, pid: str) -> None:
    event = str(uuid.uuid4())
    hour = NOW.replace(minute=0) - timedelta(days=1)
    session.add(CheckReceiptRow(event_id=event, venue_code=venue, hour=hour,
                                outcome="persuade", received_at=NOW))
    session.flush()
    session.add(RegistrationRow(event_id=event, venue_code=venue, registered_at=hour,
                                checked_hour=hour, outcome="persuade", pid=pid,
                                name_enc=b"n", id_number_enc=b"i", phone_enc=b"p",
                                reason="not vaccinated", purge_after=NOW + timedelta(days=30),
                                received_at=NOW))


@pytest.fixture
def world(db: Database, district: DemoDistrict, keys: RegistryKeys,
          pack: PolicyPack) -> World:
    made = World(db, district, keys, pack)
    dosed, exempt = made.dosed(), made.exempt()
    latest = born_by(TODAY, pack.eligible_from)
    adults = [e.resident for e in district.residents if e.resident.pid not in dosed
              and e.resident.pid not in exempt and e.resident.birth_date <= latest]
    children = [e.resident for e in district.residents if e.resident.pid not in dosed
                and e.resident.birth_date > latest]
    vaccinated = next(e.resident for e in district.residents if e.resident.pid in dosed)
    medical = next(v.code for v in district.venues if v.category == "medical")
    ordinary = next(v.code for v in district.venues if v.category == "post-office")
    with unit_of_work(db.sessions) as session:
        seed_district(session, district, pseudonym_key=keys.pseudonym_key, cipher=keys.cipher,
                      at=NOW)
        # Two visits to a medical institution, one to a post office, a registered child, and
        # a registered person who has since been vaccinated.
        for venue, pid in ((medical, adults[0].pid), (medical, adults[0].pid),
                           (ordinary, adults[1].pid), (ordinary, children[0].pid),
                           (ordinary, vaccinated.pid)):
            _register(session, venue, pid)
            made.registered[pid] = made.registered.get(pid, 0) + (venue == medical)
    return made


def _case_pids(db: Database) -> dict[str, tuple[str, str]]:
    with db.session() as session:
        return {pid: (source, status) for pid, source, status in session.execute(
            select(FollowupCaseRow.pid, FollowupCaseRow.source, FollowupCaseRow.status))}


def test_refresh_opens_exactly_the_eligible_unvaccinated_and_the_registered(
        world: World, pack: PolicyPack) -> None:
    expected = world.expected(pack.eligible_from)
    with unit_of_work(world.db.sessions) as session:
        result = refresh(session, AUTHORITY, "fz", pack, NOW)
    assert (result.opened, result.closed, result.open) == (len(expected), 0, len(expected))
    cases = _case_pids(world.db)
    assert set(cases) == expected
    registered = {pid for pid in world.registered if pid in expected}
    assert len(registered) == 3  # the vaccinated one is not followed up
    assert {pid for pid, (source, _) in cases.items() if source == "registration"} == registered
    assert {status for _, status in cases.values()} == {"open"}
    # Idempotent: a second run opens and closes nothing.
    with unit_of_work(world.db.sessions) as session:
        again = refresh(session, AUTHORITY, "fz", pack, NOW)
    assert (again.opened, again.closed, again.open) == (0, 0, len(expected))
    assert _case_pids(world.db) == cases


def test_the_worklist_is_scoped_ordered_and_audited(world: World, pack: PolicyPack) -> None:
    with unit_of_work(world.db.sessions) as session:
        refresh(session, AUTHORITY, "fz", pack, NOW)
    names = {e.resident.pid: e.resident.name for e in world.district.residents}
    grids = sorted({e.resident.area for e in world.district.residents
                    if e.resident.pid in world.expected(pack.eligible_from)})
    grid, other = grids[0], grids[-1]
    worker = Principal("grid-1", Role.GRID_WORKER, grid)
    with unit_of_work(world.db.sessions) as session:
        before = session.scalar(select(func.count()).select_from(AuditLogRow))
        found = worklist(session, world.trail(session), worker, grid, "open", 1000,
                         world.keys.cipher, pack, NOW)
        after = session.scalar(select(func.count()).select_from(AuditLogRow))
    assert after == (before or 0) + 1
    assert {item.case.pid for item in found.items} == world.expected(pack.eligible_from, grid)
    assert all(names[item.case.pid] == item.contact.name for item in found.items)
    keys = [order_key(CaseFacts(i.case.id, i.age, i.days_since_eligible, i.vulnerable_visits,
                                i.case.source), i.priority) for i in found.items]
    assert keys == sorted(keys)
    with unit_of_work(world.db.sessions) as session, pytest.raises(AccessDenied) as caught:
        worklist(session, world.trail(session), worker, other, "open", 10, world.keys.cipher,
                 pack, NOW)
    assert caught.value.code == "outside-scope"
    street = grid.rsplit(".", 2)[0]
    officer = Principal("so-1", Role.STREET_OFFICER, street)
    with unit_of_work(world.db.sessions) as session:
        whole = worklist(session, world.trail(session), officer, street, "all", 1000,
                         world.keys.cipher, pack, NOW)
        top = worklist(session, world.trail(session), officer, street, "open", 3,
                       world.keys.cipher, pack, NOW)
    assert {i.case.pid for i in whole.items} == world.expected(pack.eligible_from, street)
    assert [i.case.id for i in top.items] == [i.case.id for i in whole.items[:3]]
    bands = [i.priority.band for i in whole.items]
    assert bands == sorted(bands)


def test_visits_to_vulnerable_venues_raise_the_priority(world: World,
                                                       pack: PolicyPack) -> None:
    with unit_of_work(world.db.sessions) as session:
        refresh(session, AUTHORITY, "fz", pack, NOW)
        found = worklist(session, world.trail(session), AUTHORITY, "fz", "open", 1000,
                         world.keys.cipher, pack, NOW)
    visitor = next(pid for pid, n in world.registered.items() if n == 2)
    item = next(i for i in found.items if i.case.pid == visitor)
    assert item.vulnerable_visits == 2 and item.priority.band == 1
    assert item.case.source is Source.REGISTRATION
    assert {"vulnerable-venue-visits", "registered-at-door"} <= set(item.priority.reasons)
    assert item.priority == assess(CaseFacts(item.case.id, item.age,
                                             item.days_since_eligible, 2, item.case.source))
    assert found.items.index(item) < min(
        (n for n, i in enumerate(found.items) if i.priority.band > 1), default=len(found.items))


def _open_case(db: Database) -> tuple[int, str]:
    with db.session() as session:
        row = session.execute(select(FollowupCaseRow.id, FollowupCaseRow.pid)
                              .where(FollowupCaseRow.status == "open")
                              .order_by(FollowupCaseRow.id)).first()
    assert row is not None
    return row[0], row[1]


def _open_cases(db: Database) -> list[tuple[int, str]]:
    with db.session() as session:
        return [(case_id, pid) for case_id, pid in session.execute(
            select(FollowupCaseRow.id, FollowupCaseRow.pid)
            .where(FollowupCaseRow.status == "open").order_by(FollowupCaseRow.id))]


def _dose_file(world: World, pid: str, folder: Path) -> Path:
    """Write a vaccination CSV with a first dose for the resident ``pid``."""
    number = next(e.id_number for e in world.district.residents if e.resident.pid == pid)
    return write(folder / "doses.csv", f"""
        id_number,product,dose_number,series_total,date,site,lot
        {number},BBIBP-CorV,1,2,2026-11-22,Clinic,L1
    """)


def test_a_vaccination_import_without_a_pack_closes_nothing(world: World, pack: PolicyPack,
                                                           tmp_path: Path) -> None:
    with unit_of_work(world.db.sessions) as session:
        refresh(session, AUTHORITY, "fz", pack, NOW)
    case_id, pid = _open_case(world.db)
    path = _dose_file(world, pid, tmp_path)
    with unit_of_work(world.db.sessions) as session:
        assert import_vaccinations(session, path, world.keys, NOW, pack.timezone).inserted == 1
    assert _case_pids(world.db)[pid][1] == "open" and _outcomes(world.db, case_id) == []


def _outcomes(db: Database, case_id: int) -> list[tuple[str, str, date]]:
    with db.session() as session:
        return [tuple(r) for r in session.execute(  # type: ignore[misc]
            select(FollowupOutcomeRow.outcome, FollowupOutcomeRow.worker,
                   FollowupOutcomeRow.outcome_on).where(FollowupOutcomeRow.case_id == case_id)
            .order_by(FollowupOutcomeRow.id))]


def _add_dose(db: Database, pid: str) -> None:
    """Store a first dose given yesterday, as a vaccination import would."""
    with unit_of_work(db.sessions) as session:
        session.add(VaccinationRow(pid=pid, product="BBIBP-CorV", dose_number=1,
                                   series_total=2, vaccinated_on=TODAY - timedelta(days=1),
                                   site="s", lot="l", source_id=None, imported_at=NOW))


def test_a_dose_record_closes_the_case_on_refresh(world: World, pack: PolicyPack) -> None:
    with unit_of_work(world.db.sessions) as session:
        first = refresh(session, AUTHORITY, "fz", pack, NOW)
    case_id, pid = _open_case(world.db)
    _add_dose(world.db, pid)
    with unit_of_work(world.db.sessions) as session:
        result = refresh(session, AUTHORITY, "fz", pack, NOW)
    assert (result.opened, result.closed, result.open) == (0, 1, first.open - 1)
    assert _outcomes(world.db, case_id) == [("vaccinated", "system", TODAY)]
    assert _case_pids(world.db)[pid][1] == "closed"
    with unit_of_work(world.db.sessions) as session:
        again = refresh(session, AUTHORITY, "fz", pack, NOW)
    assert (again.opened, again.closed, again.open) == (0, 0, first.open - 1)
    assert _outcomes(world.db, case_id) == [("vaccinated", "system", TODAY)]


def test_a_vaccination_import_closes_the_case(world: World, pack: PolicyPack,
                                              tmp_path: Path) -> None:
    with unit_of_work(world.db.sessions) as session:
        refresh(session, AUTHORITY, "fz", pack, NOW)
    case_id, pid = _open_case(world.db)
    path = _dose_file(world, pid, tmp_path)
    other_id, other_pid = next((c, p) for c, p in _open_cases(world.db) if p != pid)
    _add_dose(world.db, other_pid)  # settled, but not by this import: left to a refresh
    with unit_of_work(world.db.sessions) as session:
        report = import_vaccinations(session, path, world.keys, NOW, pack.timezone, pack=pack)
    assert report.inserted == 1 and report.dosed == {pid}
    assert _outcomes(world.db, case_id) == [("vaccinated", "system", TODAY)]
    assert _case_pids(world.db)[pid][1] == "closed"
    assert _case_pids(world.db)[other_pid][1] == "open"
    assert _outcomes(world.db, other_id) == []
    with unit_of_work(world.db.sessions) as session:
        assert refresh(session, AUTHORITY, "fz", pack, NOW).closed == 1  # the other one
    assert _case_pids(world.db)[other_pid][1] == "closed"
    assert _case_pids(world.db)[pid][1] == "closed"  # a dosed person is not opened again


def test_outcomes_are_checked_and_closing_ones_close(world: World, pack: PolicyPack) -> None:
    with unit_of_work(world.db.sessions) as session:
        refresh(session, AUTHORITY, "fz", pack, NOW)
    case_id, _ = _open_case(world.db)
    with world.db.session() as session:
        area = session.scalar(select(FollowupCaseRow.area_code)
                              .where(FollowupCaseRow.id == case_id))
    assert area is not None
    worker = Principal("grid-7", Role.GRID_WORKER, area)
    stranger = Principal("grid-8", Role.GRID_WORKER, "fz.s09.c09.g09")

    def record(who: Principal, outcome: str, on: date, note: str | None = None) -> object:
        with unit_of_work(world.db.sessions) as session:
            return record_outcome(session, world.trail(session), who, case_id, outcome, on,
                                  note, world.keys.cipher, pack, NOW)

    for outcome, on, code in (("persuaded", TODAY, "unknown-outcome"),
                              ("contacted", TODAY + timedelta(days=1), "bad-day"),
                              ("contacted", TODAY - timedelta(days=1), "bad-day")):
        with pytest.raises(FollowupError) as caught:
            record(worker, outcome, on)
        assert caught.value.code == code
    with pytest.raises(AccessDenied):
        record(stranger, "contacted", TODAY)
    assert _outcomes(world.db, case_id) == []
    record(worker, "contacted", TODAY, "rang, no answer")
    record(worker, "appointment-booked", TODAY)
    with unit_of_work(world.db.sessions) as session:
        detail = case_detail(session, world.trail(session), worker, case_id,
                             world.keys.cipher, pack, NOW)
    assert detail.item.case.status.value == "open"
    assert [(o.outcome.value, o.worker, o.note) for o in detail.outcomes] == [
        ("contacted", "grid-7", "rang, no answer"), ("appointment-booked", "grid-7", None)]
    record(worker, "moved-away", TODAY)
    with pytest.raises(FollowupError) as caught:
        record(worker, "contacted", TODAY)
    assert caught.value.code == "case-closed"
    assert [o for o, _, _ in _outcomes(world.db, case_id)] == [
        "contacted", "appointment-booked", "moved-away"]
    with unit_of_work(world.db.sessions) as session:
        assert refresh(session, AUTHORITY, "fz", pack, NOW).opened == 0  # not reopened
        funnel = followup_funnel(session, AUTHORITY, "fz")
    assert funnel.closed == 1 and funnel.stages["moved-away"] == 1
    assert funnel.stages["not-yet-contacted"] == funnel.total - 1
    with unit_of_work(world.db.sessions) as session, pytest.raises(NotFoundError):
        case_detail(session, world.trail(session), AUTHORITY, 999_999, world.keys.cipher,
                    pack, NOW)


def _counts(db: Database) -> tuple[int, int, int]:
    with db.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[return-value]
                     for model in (SurveyRow, SurveyMemberRow, FollowupCaseRow))


def test_the_survey_opens_cases_and_refuses_unknown_people_whole(
        world: World, pack: PolicyPack) -> None:
    latest = born_by(TODAY, pack.eligible_from)
    entries = world.district.residents
    dosed, exempt = world.dosed(), world.exempt()
    by_grid: dict[str, list[ResidentEntry]] = {}
    for entry in entries:
        by_grid.setdefault(entry.resident.area, []).append(entry)

    def trio(people: list[ResidentEntry]) -> tuple[ResidentEntry, ...] | None:
        adults = [e for e in people if e.resident.pid not in dosed | exempt
                  and e.resident.birth_date <= latest]
        children = [e for e in people if e.resident.pid not in dosed
                    and e.resident.birth_date > latest]
        done = [e for e in people if e.resident.pid in dosed]
        return (adults[0], children[0], done[0]) if adults and children and done else None

    # Members of one grid: a grid worker may name residents of the grid only.
    adult, child, vaccinated = next(t for p in by_grid.values() if (t := trio(p)) is not None)
    grid = adult.resident.area
    worker = Principal("grid-1", Role.GRID_WORKER, grid)
    form = {"area": grid, "on": "2026-11-22", "address": "泰和雅苑 15-1-1802",
            "members": [{"id_number": adult.id_number, "status": "unvaccinated"},
                        {"id_number": child.id_number, "status": "unvaccinated"},
                        {"id_number": vaccinated.id_number, "status": "partly-vaccinated"},
                        {"id_number": "110101190001019999", "status": "away"}]}
    with unit_of_work(world.db.sessions) as session, pytest.raises(FollowupError) as caught:
        record_survey(session, world.trail(session), worker, form, world.keys, pack, NOW)
    assert caught.value.code == "unknown-person" and "members[3]" in caught.value.message
    assert _counts(world.db) == (0, 0, 0)
    form["members"] = form["members"][:3]
    with unit_of_work(world.db.sessions) as session:
        result = record_survey(session, world.trail(session), worker, form, world.keys, pack,
                               NOW)
    assert (result.members, result.cases_opened) == (3, 1)
    assert _case_pids(world.db) == {adult.resident.pid: ("survey", "open")}
    with world.db.session() as session:
        stored = session.scalars(select(SurveyRow.address_enc)).one()
        assert "泰和".encode() not in stored
        assert FollowupRepository(session).survey_address(result.survey_id,
                                                          world.keys.cipher) == form["address"]
    # A second visit opens nothing twice; a refresh does not open the surveyed person again.
    with unit_of_work(world.db.sessions) as session:
        assert record_survey(session, world.trail(session), worker, form, world.keys, pack,
                             NOW).cases_opened == 0
        refresh(session, AUTHORITY, "fz", pack, NOW)
    assert _case_pids(world.db)[adult.resident.pid] == ("survey", "open")
    with world.db.session() as session:
        grids = survey_coverage(session, worker, grid)
    assert [(g.area, g.households, g.members) for g in grids] == [(grid, 2, 6)]
    assert grids[0].by_status["unvaccinated"] == 4
    assert grids[0].by_status["partly-vaccinated"] == 2
    other = Principal("grid-2", Role.GRID_WORKER, "fz.s09.c09.g09")
    with unit_of_work(world.db.sessions) as session, pytest.raises(AccessDenied):
        record_survey(session, world.trail(session), other, form, world.keys, pack, NOW)


def test_a_survey_naming_a_resident_of_another_grid_tells_nothing_about_them(
        world: World, pack: PolicyPack) -> None:
    latest = born_by(TODAY, pack.eligible_from)
    dosed, exempt = world.dosed(), world.exempt()
    mine = world.district.residents[0]
    grid = mine.resident.area
    neighbour = next(e for e in world.district.residents
                     if e.resident.area == grid and e is not mine)
    stranger = next(e for e in world.district.residents if e.resident.area != grid
                    and e.resident.pid not in dosed | exempt
                    and e.resident.birth_date <= latest)
    worker = Principal("grid-1", Role.GRID_WORKER, grid)
    messages = []
    for number in (stranger.id_number, "110101190001019999"):
        form = {"area": grid, "on": "2026-11-22", "address": "x",
                "members": [{"id_number": mine.id_number, "status": "vaccinated"},
                            {"id_number": neighbour.id_number, "status": "vaccinated"},
                            {"id_number": number, "status": "unvaccinated"}]}
        with unit_of_work(world.db.sessions) as session, \
                pytest.raises(FollowupError) as caught:
            record_survey(session, world.trail(session), worker, form, world.keys, pack, NOW)
        messages.append((caught.value.code, caught.value.message))
    assert messages[0] == messages[1] == (
        "unknown-person", "members[2]: no resident of your area has this identity number")
    assert _counts(world.db) == (0, 0, 0)
    # The district's authority covers every grid: the same member is accepted, a case opened.
    form["members"][2]["id_number"] = stranger.id_number
    with unit_of_work(world.db.sessions) as session:
        assert record_survey(session, world.trail(session), AUTHORITY, form, world.keys, pack,
                             NOW).cases_opened == 1


def test_the_survey_and_an_outcome_take_the_callers_today(world: World,
                                                         pack: PolicyPack) -> None:
    entry = world.district.residents[0]
    later = TODAY + timedelta(days=1)  # the district's day, ahead of the pack's zone
    form = {"area": entry.resident.area, "on": later.isoformat(), "address": "x",
            "members": [{"id_number": entry.id_number, "status": "vaccinated"}]}
    with unit_of_work(world.db.sessions) as session, pytest.raises(FollowupError) as caught:
        record_survey(session, world.trail(session), AUTHORITY, form, world.keys, pack, NOW)
    assert caught.value.code == "bad-day"  # the pack's zone: not yet that day
    with unit_of_work(world.db.sessions) as session:
        result = record_survey(session, world.trail(session), AUTHORITY, form, world.keys,
                               pack, NOW, later)
    with world.db.session() as session:
        assert session.scalar(select(SurveyRow.surveyed_on)
                              .where(SurveyRow.id == result.survey_id)) == later
    with unit_of_work(world.db.sessions) as session:
        refresh(session, AUTHORITY, "fz", pack, NOW, later)
    case_id, _ = _open_case(world.db)
    with unit_of_work(world.db.sessions) as session:
        record_outcome(session, world.trail(session), AUTHORITY, case_id, "contacted", later,
                       None, world.keys.cipher, pack, NOW, later)
    assert _outcomes(world.db, case_id) == [("contacted", "cdc-1", later)]


def test_a_survey_of_a_community_is_refused(world: World, pack: PolicyPack) -> None:
    entry = world.district.residents[0]
    community = entry.resident.area.rsplit(".", 1)[0]
    form = {"area": community, "on": "2026-11-22", "address": "x",
            "members": [{"id_number": entry.id_number, "status": "vaccinated"}]}
    with unit_of_work(world.db.sessions) as session, pytest.raises(FollowupError) as caught:
        record_survey(session, world.trail(session), AUTHORITY, form, world.keys, pack, NOW)
    assert caught.value.code == "bad-area"


def _open_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(FollowupCaseRow)
                              .where(FollowupCaseRow.status == "open")) or 0


def test_a_refresh_that_read_before_another_committed_opens_nothing_twice(
        world: World, pack: PolicyPack) -> None:
    """Two refreshes interleaved: the second read its candidates before the first committed
    the same cases; its inserts are passed over instead of failing on the open-case key."""
    expected = world.expected(pack.eligible_from)
    late = world.db.session()
    try:
        seen = FollowupRepository(late).candidates("fz", born_by(TODAY, pack.eligible_from),
                                                   TODAY, pack)
        assert {c.pid for c in seen} == expected
        with unit_of_work(world.db.sessions) as session:
            assert refresh(session, AUTHORITY, "fz", pack, NOW).opened == len(expected)
        assert FollowupRepository(late).open_cases(seen, TODAY, NOW) == 0
        late.commit()
    finally:
        late.close()
    assert set(_case_pids(world.db)) == expected
    assert _open_count(world.db) == len(expected)


def test_a_refresh_that_read_before_another_committed_closes_nothing_twice(
        world: World, pack: PolicyPack) -> None:
    with unit_of_work(world.db.sessions) as session:
        first = refresh(session, AUTHORITY, "fz", pack, NOW)
    case_id, pid = _open_case(world.db)
    _add_dose(world.db, pid)
    late = world.db.session()
    try:
        seen = FollowupRepository(late).settled_open_cases("fz", TODAY, pack)
        assert seen == {case_id: Settled(Outcome.VACCINATED,
                                         f"dose record of {TODAY - timedelta(days=1)}")}
        with unit_of_work(world.db.sessions) as session:
            assert refresh(session, AUTHORITY, "fz", pack, NOW).closed == 1
        assert FollowupRepository(late).close_by_system(seen, TODAY, NOW) == 0
        late.commit()
    finally:
        late.close()
    assert _outcomes(world.db, case_id) == [("vaccinated", "system", TODAY)]
    assert _open_count(world.db) == first.open - 1


def test_an_outcome_on_a_case_closed_meanwhile_is_refused(world: World,
                                                          pack: PolicyPack) -> None:
    with unit_of_work(world.db.sessions) as session:
        refresh(session, AUTHORITY, "fz", pack, NOW)
    case_id, _ = _open_case(world.db)
    late = world.db.session()
    try:
        repository = FollowupRepository(late)
        loaded = repository.get(case_id)
        assert loaded is not None and loaded.status.value == "open"
        with unit_of_work(world.db.sessions) as session:
            record_outcome(session, world.trail(session), AUTHORITY, case_id, "moved-away",
                           TODAY, None, world.keys.cipher, pack, NOW)
        assert not repository.add_outcome(case_id, Outcome.CONTACTED, TODAY, "grid-7", None,
                                          NOW, closes=False)
        late.commit()
    finally:
        late.close()
    assert [o for o, _, _ in _outcomes(world.db, case_id)] == ["moved-away"]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite: one writer at a time
def test_two_refreshes_at_the_same_time_on_postgresql(world: World, pack: PolicyPack) -> None:
    """Two refreshes in two threads: the second waits on the first's uncommitted cases
    (seen in ``pg_stat_activity``), then inserts nothing and does not fail."""
    expected = world.expected(pack.eligible_from)
    results: list[object] = []

    def second() -> None:
        try:
            with unit_of_work(world.db.sessions) as session:
                results.append(refresh(session, AUTHORITY, "fz", pack, NOW))
        except Exception as error:  # reported to the main thread
            results.append(error)

    first = world.db.session()
    thread = threading.Thread(target=second)
    try:
        assert refresh(first, AUTHORITY, "fz", pack, NOW).opened == len(expected)
        thread.start()
        deadline = time.monotonic() + 30
        with world.db.engine.connect() as watcher:
            while not watcher.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'")).scalar():
                assert thread.is_alive() and time.monotonic() < deadline, results
                watcher.rollback()
        first.commit()
    finally:
        first.close()
        thread.join()
    (outcome,) = results
    assert isinstance(outcome, RefreshResult), outcome
    assert (outcome.opened, outcome.closed, outcome.open) == (0, 0, len(expected))
    assert set(_case_pids(world.db)) == expected


def _add_certificate(db: Database, pid: str, level: int, until: date) -> None:
    """Store a contraindication certificate in force from yesterday to ``until``."""
    with unit_of_work(db.sessions) as session:
        session.add(ContraindicationRow(
            certificate_id=f"cert-{pid[:8]}-{level}-{until}", pid=pid, institution="hospital",
            institution_level=level, reason_category="allergy",
            valid_from=TODAY - timedelta(days=1), valid_until=until))


def _product_dose(db: Database, pid: str, product: str) -> None:
    with unit_of_work(db.sessions) as session:
        session.add(VaccinationRow(pid=pid, product=product, dose_number=1, series_total=2,
                                   vaccinated_on=TODAY - timedelta(days=1), site="s", lot="l",
                                   source_id=None, imported_at=NOW))


def test_a_dose_of_a_product_the_pack_does_not_accept_closes_nothing(
        world: World, pack: PolicyPack) -> None:
    assert "Sputnik-V" not in pack.product_index
    with unit_of_work(world.db.sessions) as session:
        first = refresh(session, AUTHORITY, "fz", pack, NOW)
    case_id, pid = _open_case(world.db)
    _product_dose(world.db, pid, "Sputnik-V")
    with unit_of_work(world.db.sessions) as session:
        result = refresh(session, AUTHORITY, "fz", pack, NOW)
    assert (result.opened, result.closed, result.open) == (0, 0, first.open)
    assert _case_pids(world.db)[pid][1] == "open"
    assert _outcomes(world.db, case_id) == []


def test_an_exemption_closes_the_case_and_a_lapsed_one_reopens_it(
        world: World, pack: PolicyPack) -> None:
    with unit_of_work(world.db.sessions) as session:
        first = refresh(session, AUTHORITY, "fz", pack, NOW)
    case_id, pid = _open_case(world.db)
    # A level-1 certificate does not count under the pack: the case stays open.
    _add_certificate(world.db, pid, 1, TODAY + timedelta(days=30))
    with unit_of_work(world.db.sessions) as session:
        assert refresh(session, AUTHORITY, "fz", pack, NOW).closed == 0
    # A level-2 one does: the case closes as exemption-presented by system.
    until = TODAY + timedelta(days=10)
    _add_certificate(world.db, pid, 2, until)
    with unit_of_work(world.db.sessions) as session:
        result = refresh(session, AUTHORITY, "fz", pack, NOW)
    assert (result.opened, result.closed, result.open) == (0, 1, first.open - 1)
    assert _outcomes(world.db, case_id) == [("exemption-presented", "system", TODAY)]
    with unit_of_work(world.db.sessions) as session:
        assert refresh(session, AUTHORITY, "fz", pack, NOW).opened == 0
    # Once it lapses, the person is a candidate again and gets a new case.
    later = NOW + timedelta(days=(until - TODAY).days + 1)
    with unit_of_work(world.db.sessions) as session:
        again = refresh(session, AUTHORITY, "fz", pack, later)
    assert again.opened >= 1
    with world.db.session() as session:
        rows = session.execute(select(FollowupCaseRow.id, FollowupCaseRow.status)
                               .where(FollowupCaseRow.pid == pid)
                               .order_by(FollowupCaseRow.id)).all()
    assert [status for _, status in rows] == ["closed", "open"]
    assert rows[0][0] == case_id
    with unit_of_work(world.db.sessions) as session:
        assert refresh(session, AUTHORITY, "fz", pack, later).opened == 0


def test_a_person_who_moved_away_gets_no_new_case(world: World, pack: PolicyPack) -> None:
    with unit_of_work(world.db.sessions) as session:
        first = refresh(session, AUTHORITY, "fz", pack, NOW)
    case_id, pid = _open_case(world.db)
    with unit_of_work(world.db.sessions) as session:
        record_outcome(session, world.trail(session), AUTHORITY, case_id, "moved-away", TODAY,
                       None, world.keys.cipher, pack, NOW)
    with unit_of_work(world.db.sessions) as session:
        result = refresh(session, AUTHORITY, "fz", pack, NOW + timedelta(days=40))
    assert result.open == first.open - 1 + result.opened
    with world.db.session() as session:
        assert session.scalar(select(func.count()).select_from(FollowupCaseRow)
                              .where(FollowupCaseRow.pid == pid)) == 1


def test_follow_up_and_organisations_read_a_person_the_same_way(
        world: World, pack: PolicyPack) -> None:
    """Every open case not opened at a door is an ``unvaccinated`` person under the pack,
    and every ``unvaccinated`` resident of the district has an open case."""
    with unit_of_work(world.db.sessions) as session:
        refresh(session, AUTHORITY, "fz", pack, NOW)
    pids = [e.resident.pid for e in world.district.residents]
    with world.db.session() as session:
        statuses = {pid: status_of(pack, facts, TODAY) for pid, facts
                    in OrganisationRepository(session).facts(pids).items()}
    cases = _case_pids(world.db)
    unvaccinated = {pid for pid, status in statuses.items() if status is Status.UNVACCINATED}
    assert unvaccinated <= set(cases)
    assert {statuses[pid] for pid, (source, _) in cases.items()
            if source == "registry"} == {Status.UNVACCINATED}
    assert {statuses[pid] for pid, (source, _) in cases.items()
            if source == "registration"} == {Status.UNVACCINATED, Status.NOT_ELIGIBLE}


def test_a_worklist_limit_keeps_the_head_of_the_full_order(world: World,
                                                           pack: PolicyPack) -> None:
    with unit_of_work(world.db.sessions) as session:
        refresh(session, AUTHORITY, "fz", pack, NOW)
    case_id, _ = _open_case(world.db)
    with unit_of_work(world.db.sessions) as session:
        record_outcome(session, world.trail(session), AUTHORITY, case_id, "declined", TODAY,
                       None, world.keys.cipher, pack, NOW)
    with unit_of_work(world.db.sessions) as session:
        whole = [i.case.id for i in worklist(session, world.trail(session), AUTHORITY, "fz",
                                             "all", 1000, world.keys.cipher, pack, NOW).items]
        assert len(whole) > 20
        for limit in (1, 2, 5, 17, len(whole) - 1, len(whole)):
            head = worklist(session, world.trail(session), AUTHORITY, "fz", "all", limit,
                            world.keys.cipher, pack, NOW)
            assert [i.case.id for i in head.items] == whole[:limit]
