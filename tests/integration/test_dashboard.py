"""The dashboard's figures (coverage by street and age group, checks per day, the targets an
area's reader may see), on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from jointcheck.clock import FixedClock
from jointcheck.config import RegistryKeys
from jointcheck.errors import AccessDenied, InputError, NotFoundError
from jointcheck.policy_sources import find_pack
from jointcheck.registry.people import Contraindication
from jointcheck.registry.venues import Venue
from jointcheck.security.access import Principal, Role
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services.audit import AuditTrail
from jointcheck.services.daily_reports import recompute_days
from jointcheck.services.dashboard import (
    area_coverage,
    area_streets,
    checks_series,
    visible_targets,
)
from jointcheck.services.registry_import import import_residents, import_vaccinations
from jointcheck.services.targets import set_target
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.repositories.checks import CheckRepository, CountKey
from jointcheck.storage.repositories.residents import ContraindicationRepository
from jointcheck.storage.repositories.venues import VenueRepository
from jointcheck.targets import SplitMethod, TargetSpec
from tests.integration.conftest import AT, TZ, Database, write

PACK = replace(find_pack("fangzi-2021"), eligible_from=3)

ON = date(2026, 11, 23)  # AT's local day
AUTHORITY = Principal("authority", Role.HEALTH_AUTHORITY, "fz")
STREET_ONE = Principal("street1", Role.STREET_OFFICER, "fz.s01")
STREET_TWO = Principal("street2", Role.STREET_OFFICER, "fz.s02")
GRID = Principal("grid1", Role.GRID_WORKER, "fz.s01.c01")
VENUE_OPERATOR = Principal("mall", Role.VENUE_OPERATOR, "v-mall")
INSPECTOR = Principal("inspector", Role.INSPECTOR, "fz")
ALLERGIC = "110101197001010044"


@pytest.fixture
def district(areas: Database, keys: RegistryKeys, tmp_path: Path) -> Database:
    """Residents of every age group in two streets, doses before and after ``ON``, one
    exemption in force and one expired, checks over three days rolled up."""
    with unit_of_work(areas.sessions) as session:
        import_residents(session, write(tmp_path / "r.csv", f"""
            id_number,name,sex,birth_date,phone,address,area
            110101201501010011,甲,F,2015-01-01,,,fz.s01.c01
            110101201012310022,乙,M,2008-11-23,,,fz.s01.c01
            110101199001010033,丙,F,1990-01-01,,,fz.s01.c02
            {ALLERGIC},丁,M,1970-01-01,,,fz.s01.c01.g01
            110101195001010055,戊,F,1950-01-01,,,fz.s01.c01
            110101195501010066,己,M,1955-01-01,,,fz.s02.c01
            110101196601010077,庚,F,1966-11-24,,,fz.s02.c01
            """), keys, AT, TZ)
        doses = import_vaccinations(session, write(tmp_path / "v.csv", """
            id_number,product,dose_number,series_total,date,site,lot
            110101201012310022,BBIBP-CorV,1,2,2026-10-01,,
            110101201012310022,BBIBP-CorV,2,2,2026-10-29,,
            110101199001010033,BBIBP-CorV,1,2,2026-11-01,,
            110101199001010033,BBIBP-CorV,2,2,2026-11-24,,
            110101195001010055,Convidecia,1,1,2026-09-01,,
            110101195501010066,BBIBP-CorV,1,2,2026-12-01,,
            """), keys, AT + timedelta(days=30), TZ)  # recorded later: no dose is in the future
        assert not doses.rejections, doses.as_dict()
        certificates = ContraindicationRepository(session)
        pid = pseudonymise(ALLERGIC, keys.pseudonym_key)
        certificates.add(Contraindication(pid, "Hospital", 2, "allergy", date(2026, 11, 1),
                                          date(2027, 5, 1), "EX-1"))
        certificates.add(Contraindication(pid, "Hospital", 2, "allergy", date(2026, 1, 1),
                                          date(2026, 6, 1), "EX-0"))
        for code, street in (("v-mall", "fz.s01"), ("v-far", "fz.s02")):
            VenueRepository(session).add(Venue(code, code, "mall-supermarket", street, None))
        noon = datetime(2026, 11, 21, 4, tzinfo=UTC)  # 12:00 in the district
        CheckRepository(session).add_counts({
            CountKey("v-mall", noon, "admit", "scan"): 10,
            CountKey("v-mall", noon, "deny", "scan"): 1,
            CountKey("v-far", noon, "admit", "scan"): 5,
            CountKey("v-mall", noon + timedelta(days=2), "register", "scan"): 3,
        })
    with unit_of_work(areas.sessions) as session:
        recompute_days(session, [date(2026, 11, 21), date(2026, 11, 23)], TZ, AT)
    return areas


def groups_of(coverage: dict[str, object], street: str) -> dict[str, dict[str, int]]:
    streets = {item["street"]: item for item in coverage["streets"]}  # type: ignore[attr-defined]
    return {group["group"]: {k: v for k, v in group.items() if k != "group"}
            for group in streets[street]["age_groups"]}


def test_coverage_counts_each_age_group_on_the_day(district: Database) -> None:
    with district.session() as session:
        found = area_coverage(session, AUTHORITY, "fz", ON, PACK).as_dict()
    assert found["area"] == "fz" and found["on"] == "2026-11-23"
    assert [item["street"] for item in found["streets"]] == ["fz.s01", "fz.s02"]
    assert groups_of(found, "fz.s01") == {
        "0-11": {"residents": 1, "first_dose": 0, "complete": 0, "exempt": 0},
        # eighteen on ON: an adult; complete by October
        "12-17": {"residents": 0, "first_dose": 0, "complete": 0, "exempt": 0},
        # the 1990 resident's second dose is the day after ON; the allergy is in force
        "18-59": {"residents": 3, "first_dose": 2, "complete": 1, "exempt": 1},
        # a single-dose series is complete
        "60+": {"residents": 1, "first_dose": 1, "complete": 1, "exempt": 0},
    }
    # fz.s02: 59 until tomorrow; a dose after ON does not count
    assert groups_of(found, "fz.s02") == {
        "0-11": {"residents": 0, "first_dose": 0, "complete": 0, "exempt": 0},
        "12-17": {"residents": 0, "first_dose": 0, "complete": 0, "exempt": 0},
        "18-59": {"residents": 1, "first_dose": 0, "complete": 0, "exempt": 0},
        "60+": {"residents": 1, "first_dose": 0, "complete": 0, "exempt": 0},
    }
    with district.session() as session:
        later = area_coverage(session, AUTHORITY, "fz", date(2026, 12, 2), PACK).as_dict()
        waiting = area_coverage(session, AUTHORITY, "fz", date(2026, 12, 7), PACK).as_dict()
        ready = area_coverage(session, AUTHORITY, "fz", date(2026, 12, 8), PACK).as_dict()
    # the pack's series is complete 14 days after its last dose: 2026-11-24 + 14
    assert groups_of(later, "fz.s01")["18-59"]["complete"] == 1
    assert groups_of(waiting, "fz.s01")["18-59"]["complete"] == 1
    assert groups_of(ready, "fz.s01")["18-59"]["complete"] == 2
    assert groups_of(later, "fz.s02")["60+"]["first_dose"] == 1
    assert groups_of(later, "fz.s02")["60+"]["residents"] == 2


def test_coverage_reads_people_under_the_policy_pack(district: Database, keys: RegistryKeys,
                                                      tmp_path: Path) -> None:
    # fz.s02, adults: a dose of a product the pack does not accept and a certificate of a
    # level-1 institution (the pack asks level 2); one dose of a two-dose product filed as a
    # series of one; the registry rows alone would count a first dose, a complete series and
    # an exemption
    unaccepted, short = "110101198001010088", "110101198101010099"
    with unit_of_work(district.sessions) as session:
        import_residents(session, write(tmp_path / "r2.csv", f"""
            id_number,name,sex,birth_date,phone,address,area
            {unaccepted},辛,M,1980-01-01,,,fz.s02.c01
            {short},壬,F,1981-01-01,,,fz.s02.c01
            """), keys, AT, TZ)
        doses = import_vaccinations(session, write(tmp_path / "v2.csv", f"""
            id_number,product,dose_number,series_total,date,site,lot
            {unaccepted},Sputnik-V,2,2,2026-06-01,,
            {short},BBIBP-CorV,1,1,2026-06-01,,
            """), keys, AT, TZ)
        assert not doses.rejections, doses.as_dict()
        ContraindicationRepository(session).add(Contraindication(
            pseudonymise(unaccepted, keys.pseudonym_key), "Clinic", 1, "allergy",
            date(2026, 11, 1), date(2027, 5, 1), "EX-L1"))
    with district.session() as session:
        found = area_coverage(session, AUTHORITY, "fz.s02", ON, PACK).as_dict()
        allergic = area_coverage(session, AUTHORITY, "fz.s01", ON, PACK).as_dict()
    assert groups_of(found, "fz.s02")["18-59"] == {
        "residents": 3, "first_dose": 1, "complete": 0, "exempt": 0}
    # the level-2 certificate in force still exempts
    assert groups_of(allergic, "fz.s01")["18-59"]["exempt"] == 1


def test_coverage_of_a_street_or_community_stays_inside_it(district: Database) -> None:
    with district.session() as session:
        street = area_coverage(session, STREET_ONE, "fz.s01", ON, PACK).as_dict()
        community = area_coverage(session, GRID, "fz.s01.c01", ON, PACK).as_dict()
    assert [item["street"] for item in street["streets"]] == ["fz.s01"]
    assert sum(g["residents"] for g in groups_of(street, "fz.s01").values()) == 5
    assert [item["street"] for item in community["streets"]] == ["fz.s01"]
    # c01 and its grid: the 2015 child, the adult of 2008, the allergic adult, the 1950 one
    assert sum(g["residents"] for g in groups_of(community, "fz.s01").values()) == 4
    assert groups_of(community, "fz.s01")["18-59"]["exempt"] == 1


def test_checks_per_day_from_the_roll_ups(district: Database) -> None:
    with district.session() as session:
        whole = checks_series(session, AUTHORITY, "fz", ON, 4).as_dict()
        street = checks_series(session, STREET_TWO, "fz.s02", ON, 3).as_dict()
    assert [(d["day"], d["rolled_up"]) for d in whole["days"]] == [
        ("2026-11-20", False), ("2026-11-21", True), ("2026-11-22", False),
        ("2026-11-23", True)]
    assert whole["days"][1]["by_outcome"] == {"admit": 15, "register": 0, "persuade": 0,
                                              "restrict": 0, "deny": 1}
    assert whole["days"][3]["by_outcome"]["register"] == 3
    assert street["days"][0]["by_outcome"]["admit"] == 5
    assert street["days"][2]["by_outcome"]["register"] == 0


def test_refusals_name_the_reason(district: Database) -> None:
    with district.session() as session:
        with pytest.raises(AccessDenied) as denied:
            area_coverage(session, STREET_ONE, "fz.s02", ON, PACK)
        assert denied.value.code == "outside-scope"
        with pytest.raises(AccessDenied) as denied:
            checks_series(session, STREET_ONE, "fz", ON, 7)
        assert denied.value.code == "outside-scope"
        with pytest.raises(AccessDenied) as denied:
            area_coverage(session, VENUE_OPERATOR, "fz.s01", ON, PACK)
        assert denied.value.code == "outside-scope"
        for call in (lambda: checks_series(session, AUTHORITY, "fz", ON, 0),
                     lambda: checks_series(session, AUTHORITY, "fz", ON, 93)):
            with pytest.raises(InputError) as wrong:
                call()
            assert wrong.value.code == "bad-days"
        with pytest.raises(InputError) as wrong:
            checks_series(session, GRID, "fz.s01.c01", ON, 7)
        assert wrong.value.code == "bad-area-level"
        with pytest.raises(InputError) as wrong:
            area_coverage(session, AUTHORITY, "FZ S01", ON, PACK)
        assert wrong.value.code == "bad-area"
        with pytest.raises(NotFoundError) as missing:
            area_coverage(session, AUTHORITY, "fz.s09", ON, PACK)
        assert missing.value.code == "unknown-area"


def test_streets_of_an_area(district: Database) -> None:
    with district.session() as session:
        assert area_streets(session, AUTHORITY, "fz") == {"fz.s01": "FZ.S01",
                                                          "fz.s02": "FZ.S02"}
        assert area_streets(session, GRID, "fz.s01.c01") == {"fz.s01": "FZ.S01"}


def test_targets_are_listed_to_those_who_may_read_them(district: Database) -> None:
    with unit_of_work(district.sessions) as session:
        trail = AuditTrail(session, b"a" * 32, FixedClock(AT))
        whole = set_target(session, trail, AUTHORITY,
                           TargetSpec("fz", 100, date(2026, 11, 1), date(2026, 11, 30)),
                           SplitMethod.MANUAL, PACK, {"fz.s01": 60, "fz.s02": 40})
        street = set_target(session, trail, AUTHORITY,
                            TargetSpec("fz.s02", 10, date(2026, 12, 1), date(2026, 12, 31)),
                            SplitMethod.PROPORTIONAL, PACK, None)
    with district.session() as session:
        assert [t.id for t in visible_targets(session, AUTHORITY, "fz")] == [street, whole]
        assert [t.id for t in visible_targets(session, STREET_ONE, "fz.s01")] == [whole]
        two = visible_targets(session, STREET_TWO, "fz.s02")
        assert [(t.id, t.area, t.streets) for t in two] == [
            (street, "fz.s02", ("fz.s02",)), (whole, "fz", ("fz.s01", "fz.s02"))]
        assert visible_targets(session, GRID, "fz.s01.c01") == []
        with pytest.raises(AccessDenied) as denied:
            visible_targets(session, INSPECTOR, "fz")
        assert denied.value.code == "role-not-allowed"
