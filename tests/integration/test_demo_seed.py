"""Seeding the demo district: what the generator made is what the database holds, once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from jointcheck.config import RegistryKeys
from jointcheck.services.demo_district import DemoDistrict, generate_district
from jointcheck.services.demo_seed import DemoSeedError, SeedReport, seed_district
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.models import (
    AreaRow,
    CheckpointRow,
    ContraindicationRow,
    MembershipRow,
    OrganisationRow,
    ResidentRow,
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
