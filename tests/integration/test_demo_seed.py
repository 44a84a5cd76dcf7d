"""Seeding the demo district: what the generator made is what the database holds, once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from jointcheck.config import RegistryKeys
from jointcheck.followup.funnel import NOT_CONTACTED
from jointcheck.policy_sources import find_pack
from jointcheck.security.access import Principal, Role
from jointcheck.services.audit import verify as verify_audit
from jointcheck.services.daily_reports import street_daily_summary
from jointcheck.services.demo_district import DemoDistrict, generate_district
from jointcheck.services.demo_history import HistoryReport, seed_demo
from jointcheck.services.demo_seed import DemoSeedError, SeedReport, seed_district
from jointcheck.services.followup import followup_funnel
from jointcheck.services.targets import target_report
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.models import (
    AreaRow,
    AuditLogRow,
    CheckCountRow,
    CheckpointRow,
    ComplaintRow,
    ContraindicationRow,
    DailyStreetTotalRow,
    DoseTargetRow,
    FollowupCaseRow,
    FollowupOutcomeRow,
    InspectionRow,
    InvestigationEntryRow,
    MembershipRow,
    OrganisationRow,
    RegistrationRow,
    ResidentRow,
    SchoolInvestigationRow,
    SurveyRow,
    VaccinationRow,
    VenueRow,
)
from jointcheck.storage.repositories.residents import (
    ContraindicationRepository,
    ResidentRepository,
)
from jointcheck.storage.repositories.vaccinations import VaccinationRepository
from tests.integration.conftest import AT, Database

DAY = date(2026, 11, 20)
SIZE = 2000
TABLES = {"areas": AreaRow, "residents": ResidentRow, "vaccinations": VaccinationRow,
          "contraindications": ContraindicationRow, "organisations": OrganisationRow,
          "memberships": MembershipRow, "venues": VenueRow, "checkpoints": CheckpointRow}


@pytest.fixture(scope="module")
def district() -> DemoDistrict:
    return generate_district(5, SIZE, today=DAY, pseudonym_key=b"k" * 32)


def seed(db: Database, district: DemoDistrict, keys: RegistryKeys) -> SeedReport:
    with unit_of_work(db.sessions) as session:
        return seed_district(session, district, pseudonym_key=keys.pseudonym_key,
                             cipher=keys.cipher, at=AT)


def stored_counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {kind: session.scalar(select(func.count()).select_from(model)) or 0
                for kind, model in TABLES.items()}


def test_seed_writes_the_district(db: Database, district: DemoDistrict,
                                  keys: RegistryKeys) -> None:
    phases: set[str] = set()
    with unit_of_work(db.sessions) as session:
        report = seed_district(session, district, pseudonym_key=keys.pseudonym_key,
                               cipher=keys.cipher, at=AT,
                               progress=lambda phase, _done, _total: phases.add(phase))
    assert report.changed
    assert report.inserted == district.counts()
    assert not any(report.unchanged.values())
    assert report.users == district.users
    assert stored_counts(db) == district.counts()
    assert {"areas", "check", "write", "memberships"} <= phases


def test_seeded_values_read_back(db: Database, district: DemoDistrict,
                                 keys: RegistryKeys) -> None:
    seed(db, district, keys)
    entry = district.residents[7]
    pid = entry.resident.pid
    with db.session() as session:
        residents = ResidentRepository(session)
        assert residents.get(pid, keys.cipher) == entry.resident
        assert residents.id_number(pid, keys.cipher) == entry.id_number
        assert residents.count("fz.s01") == sum(
            e.resident.area.startswith("fz.s01.") for e in district.residents)
        records = [r for r in district.vaccinations if r.pid == pid]
        assert VaccinationRepository(session).for_person(pid) == sorted(
            records, key=lambda r: (r.date, r.dose_number))
        certificate = district.contraindications[0]
        assert certificate in ContraindicationRepository(session).for_person(certificate.pid)


def test_seeding_again_changes_nothing(db: Database, district: DemoDistrict,
                                       keys: RegistryKeys) -> None:
    seed(db, district, keys)
    before = stored_counts(db)
    report = seed(db, district, keys)
    assert not report.changed
    assert report.unchanged == district.counts()
    assert stored_counts(db) == before


def test_another_seed_is_refused(db: Database, district: DemoDistrict,
                                 keys: RegistryKeys) -> None:
    seed(db, district, keys)
    before = stored_counts(db)
    other = generate_district(6, SIZE, today=DAY, pseudonym_key=keys.pseudonym_key)
    with pytest.raises(DemoSeedError) as caught:
        seed(db, other, keys)
    assert caught.value.code == "demo-other-district"
    assert "fresh database" in caught.value.message
    assert stored_counts(db) == before


def test_another_size_is_refused(db: Database, district: DemoDistrict,
                                 keys: RegistryKeys) -> None:
    seed(db, district, keys)
    bigger = generate_district(5, SIZE + 100, today=DAY, pseudonym_key=keys.pseudonym_key)
    with pytest.raises(DemoSeedError) as caught:
        seed(db, bigger, keys)
    assert caught.value.code == "demo-other-district"


def test_another_key_or_a_future_day_is_refused(db: Database, district: DemoDistrict,
                                                keys: RegistryKeys) -> None:
    other_key = RegistryKeys(b"x" * 32, keys.cipher)
    with pytest.raises(DemoSeedError) as caught:
        seed(db, district, other_key)
    assert caught.value.code == "demo-key-mismatch"
    ahead = generate_district(5, 300, today=date(2026, 12, 1), pseudonym_key=b"k" * 32)
    with pytest.raises(DemoSeedError) as caught:
        seed(db, ahead, keys)
    assert caught.value.code == "demo-day-ahead"
    assert stored_counts(db) == dict.fromkeys(TABLES, 0)


# The history: what the operations pages show for a freshly seeded demo.

AUDIT_KEY = b"a" * 32
HISTORY_TABLES = {"check counts": CheckCountRow, "registrations": RegistrationRow,
                  "street days": DailyStreetTotalRow, "targets": DoseTargetRow,
                  "cases": FollowupCaseRow, "outcomes": FollowupOutcomeRow,
                  "surveys": SurveyRow, "investigations": SchoolInvestigationRow,
                  "investigation entries": InvestigationEntryRow,
                  "inspections": InspectionRow, "complaints": ComplaintRow,
                  "audit entries": AuditLogRow}


def seed_with_history(db: Database, district: DemoDistrict,
                      keys: RegistryKeys) -> tuple[SeedReport, HistoryReport | None]:
    with unit_of_work(db.sessions) as session:
        return seed_demo(session, district, keys=keys, audit_key=AUDIT_KEY,
                         pack=find_pack("fangzi-2021"), now=AT)


def history_counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        counts = {kind: session.scalar(select(func.count()).select_from(model)) or 0
                  for kind, model in HISTORY_TABLES.items()}
        counts["checks"] = session.scalar(select(func.sum(CheckCountRow.count))) or 0
        return counts


def test_history_gives_the_operations_pages_something_to_show(
        db: Database, district: DemoDistrict, keys: RegistryKeys) -> None:
    report, history = seed_with_history(db, district, keys)
    assert report.changed and history is not None
    yesterday = DAY - timedelta(days=1)
    with db.session() as session:
        street = street_daily_summary(session, "fz.s01", yesterday)
        assert street.checks > 0
        outcomes: dict[str, int] = {outcome: count for outcome, count in session.execute(
            select(CheckCountRow.outcome, func.sum(CheckCountRow.count))
            .group_by(CheckCountRow.outcome))}
        assert sum(outcomes.values()) == history.events > 0
        # Mostly admitted; some registered, persuaded or restricted; a few denied.
        assert outcomes["admit"] > 0.7 * history.events
        assert outcomes.get("deny", 0) > 0
        assert sum(outcomes.get(o, 0) for o in ("register", "persuade", "restrict")) > 0
        counted = set(session.scalars(select(CheckCountRow.venue_code).distinct()))
        assert history.silent_venues and not counted & set(history.silent_venues)
        # Every outcome that takes a registration came with one, of a real resident.
        assert session.scalar(select(func.count()).select_from(RegistrationRow)) == \
            history.registrations == sum(outcomes.get(o, 0)
                                         for o in ("register", "persuade", "restrict"))
        authority = Principal("authority", Role.HEALTH_AUTHORITY, "fz")
        assert history.target is not None
        target = target_report(session, authority, history.target, DAY)
        assert target.target.area == "fz" and target.target.start <= DAY <= target.target.end
        assert sum(street.share.doses for street in target.streets) == target.target.doses
        sources = set(session.scalars(select(FollowupCaseRow.source)))
        assert {"registration", "registry"} <= sources
        worker = next(u for u in district.users if u.role is Role.GRID_WORKER)
        recorded = session.scalars(select(FollowupOutcomeRow.worker)).all()
        assert history.outcomes > 0 and recorded.count(worker.username) == history.outcomes
        funnel = followup_funnel(session, authority, "fz")
        assert funnel.total > funnel.stages[NOT_CONTACTED]
        assert session.scalar(select(func.count()).select_from(SurveyRow)) == history.surveys
        entries = session.scalar(select(func.count()).select_from(InvestigationEntryRow)) or 0
        assert 0 < entries == history.investigation_checked
        sanctions = set(session.scalars(select(InspectionRow.sanction)))
        assert "warning" in sanctions and history.complaints == 1
        assert verify_audit(session, AUDIT_KEY).ok


def test_seeding_the_demo_again_adds_no_history(db: Database, district: DemoDistrict,
                                                keys: RegistryKeys) -> None:
    seed_with_history(db, district, keys)
    before = history_counts(db)
    assert before["checks"] > 0 and before["targets"] == 1
    report, history = seed_with_history(db, district, keys)
    assert not report.changed and history is None
    assert history_counts(db) == before

