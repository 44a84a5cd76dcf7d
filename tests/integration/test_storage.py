"""Schema, column types, unit of work and repositories, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError, StatementError

from jointcheck.config import RegistryKeys
from jointcheck.registry.areas import Area
from jointcheck.registry.organisations import Membership, Organisation
from jointcheck.registry.people import Contraindication, Resident, Sex
from jointcheck.registry.venues import Checkpoint, Venue
from jointcheck.storage.db import make_engine, unit_of_work
from jointcheck.storage.migrations import (
    current_revision,
    downgrade,
    head_revision,
    is_current,
    migrate,
)
from jointcheck.storage.models import Base, ResidentRow, VaccinationRow
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.organisations import OrganisationRepository
from jointcheck.storage.repositories.residents import (
    ContraindicationRepository,
    ResidentRepository,
    resident_values,
)
from jointcheck.storage.repositories.venues import VenueRepository
from jointcheck.storage.types import UTCDateTime
from tests.integration.conftest import AT, Database


def test_migrated_schema_matches_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    assert is_current(db.engine)
    assert current_revision(db.engine) == head_revision()


def test_migrations_go_down_and_up_again(db_url: URL) -> None:
    migrate(db_url)
    downgrade(db_url, "base")
    engine = make_engine(db_url)
    try:
        assert "residents" not in inspect(engine).get_table_names()
        migrate(engine)
        assert {"areas", "residents", "vaccinations", "contraindications", "organisations",
                "memberships", "venues", "checkpoints"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.fixture
def instants(db: Database) -> Table:
    table = Table("instants", MetaData(), Column("id", Integer, primary_key=True),
                  Column("at", UTCDateTime))
    table.create(db.engine)
    return table


def test_utc_datetime_stores_utc_and_returns_aware_utc(db: Database, instants: Table) -> None:
    shanghai = datetime(2026, 11, 23, 8, 30, tzinfo=timezone(timedelta(hours=8)))
    with db.engine.begin() as connection:
        connection.execute(instants.insert(), [{"id": 1, "at": shanghai}])
    with db.engine.connect() as connection:
        value = connection.scalar(select(instants.c.at))
    assert value == shanghai
    assert value.tzinfo is UTC
    assert value.hour == 0


def test_utc_datetime_refuses_a_naive_datetime(db: Database, instants: Table) -> None:
    with pytest.raises(StatementError, match="naive"), db.engine.begin() as connection:
        naive = datetime(2026, 11, 23, 8, 30)  # noqa: DTZ001 -- the point of the test
        connection.execute(instants.insert(), [{"id": 1, "at": naive}])


def _resident(pid: str = "p1-a", area: str = "fz.s01.c01.g01") -> Resident:
    return Resident(pid, "张 伟", Sex.MALE, date(1990, 3, 7), "13800000000", "1 Road", area)


def _store(db: Database, keys: RegistryKeys, resident: Resident, number: str = "X1") -> None:
    with unit_of_work(db.sessions) as session:
        ResidentRepository(session).insert_many(
            [resident_values(resident, number, keys.cipher, "digest", AT)])


def test_unit_of_work_commits_once_and_rolls_back_on_error(areas: Database,
                                                          keys: RegistryKeys) -> None:
    with pytest.raises(RuntimeError), unit_of_work(areas.sessions) as session:
        ResidentRepository(session).insert_many(
            [resident_values(_resident(), "X1", keys.cipher, "d", AT)])
        raise RuntimeError("the command failed")
    with areas.session() as session:
        assert ResidentRepository(session).count() == 0
    _store(areas, keys, _resident())
    with areas.session() as session:
        assert ResidentRepository(session).count() == 1


def test_foreign_keys_are_enforced(areas: Database, keys: RegistryKeys) -> None:
    with pytest.raises(IntegrityError):
        _store(areas, keys, _resident(area="fz.s09"))
    with pytest.raises(IntegrityError), unit_of_work(areas.sessions) as session:
        session.add(VaccinationRow(pid="p1-nobody", product="CoronaVac", dose_number=1,
                                   series_total=2, vaccinated_on=date(2021, 5, 1), site="",
                                   lot="", imported_at=AT))


def test_relationships_never_load_lazily(areas: Database, keys: RegistryKeys) -> None:
    _store(areas, keys, _resident())
    with areas.session() as session:
        row = session.scalars(select(ResidentRow)).one()
        with pytest.raises(Exception, match="lazy='raise'"):
            _ = row.vaccinations


def test_personal_fields_are_encrypted_at_rest(areas: Database, keys: RegistryKeys) -> None:
    _store(areas, keys, _resident(), "110101199003070011")
    with areas.engine.connect() as connection:
        raw = connection.execute(text("SELECT name_enc, id_number_enc, phone_enc, address_enc,"
                                      " sex, birth_date FROM residents")).one()
    for blob in raw[:4]:
        assert "张".encode() not in bytes(blob) and b"1101011990" not in bytes(blob)
        assert b"13800000000" not in bytes(blob) and b"Road" not in bytes(blob)
    with areas.session() as session:
        repository = ResidentRepository(session)
        assert repository.get("p1-a", keys.cipher) == _resident()
        assert repository.id_number("p1-a", keys.cipher) == "110101199003070011"
        assert repository.get("p1-other", keys.cipher) is None


def test_areas_are_found_by_containment(areas: Database) -> None:
    with areas.session() as session:
        repository = AreaRepository(session)
        assert [a.code for a in repository.within("fz.s01")] == [
            "fz.s01", "fz.s01.c01", "fz.s01.c01.g01", "fz.s01.c02"]
        assert [a.code for a in repository.children("fz")] == ["fz.s01", "fz.s02"]
        assert repository.get("fz.s01.c01") == Area.of("fz.s01.c01", "FZ.S01.C01")
        assert repository.get("fz.s1") is None


def test_residents_are_counted_within_an_area(areas: Database, keys: RegistryKeys) -> None:
    _store(areas, keys, _resident("p1-a", "fz.s01.c01.g01"))
    _store(areas, keys, _resident("p1-b", "fz.s02.c01"))
    with areas.session() as session:
        repository = ResidentRepository(session)
        assert repository.count() == 2
        assert repository.count("fz.s01") == 1
        assert repository.count("fz.s02.c01") == 1
        assert repository.count("fz.s0") == 0


def test_contraindications_by_validity(areas: Database, keys: RegistryKeys) -> None:
    _store(areas, keys, _resident())
    certificate = Contraindication("p1-a", "Fangzi People's Hospital", 2, "allergy",
                                   date(2021, 8, 1), date(2021, 12, 31), "EX-1")
    with unit_of_work(areas.sessions) as session:
        ContraindicationRepository(session).add(certificate)
    with areas.session() as session:
        repository = ContraindicationRepository(session)
        assert repository.for_person("p1-a") == [certificate]
        assert repository.for_person("p1-a", valid_on=date(2021, 9, 1)) == [certificate]
        assert repository.for_person("p1-a", valid_on=date(2022, 1, 1)) == []
    with pytest.raises(IntegrityError), unit_of_work(areas.sessions) as session:
        ContraindicationRepository(session).add(certificate)


def test_organisations_memberships_venues_and_checkpoints(areas: Database,
                                                          keys: RegistryKeys) -> None:
    _store(areas, keys, _resident())
    school = Organisation("fz-school-1", "Fangzi No. 1 Primary School", "school", "education",
                          "District Education Bureau", "fz.s01")
    with unit_of_work(areas.sessions) as session:
        organisations = OrganisationRepository(session)
        organisations.add(school)
        organisations.add_member(Membership("fz-school-1", "p1-a", "first-line-teaching"))
        venues = VenueRepository(session)
        venues.add(Venue("v-school-1", "No. 1 Primary School", "primary-school", "fz.s01",
                         "fz-school-1"))
        venues.add_checkpoint(Checkpoint("v-school-1-gate", "v-school-1", "Main gate"))
    with areas.session() as session:
        organisations = OrganisationRepository(session)
        assert organisations.get("fz-school-1") == school
        assert organisations.in_industry("education") == [school]
        assert organisations.members("fz-school-1", "first-line-teaching") == [
            Membership("fz-school-1", "p1-a", "first-line-teaching")]
        assert organisations.members("fz-school-1", "office") == []
        assert [m.post for m in organisations.posts_of("p1-a")] == ["first-line-teaching"]
        venues = VenueRepository(session)
        assert [v.code for v in venues.in_street("fz.s01", "primary-school")] == ["v-school-1"]
        assert venues.in_street("fz.s02") == []
        assert venues.checkpoints("v-school-1") == [
            Checkpoint("v-school-1-gate", "v-school-1", "Main gate")]
    with pytest.raises(IntegrityError), unit_of_work(areas.sessions) as session:
        OrganisationRepository(session).add_member(
            Membership("fz-school-1", "p1-a", "first-line-teaching"))
