"""A policy simulated on the registry: the same counts as the door would give, per street."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from jointcheck.clock import parse_instant
from jointcheck.config import RegistryKeys
from jointcheck.registry.people import Contraindication
from jointcheck.rules.pack_files import shipped_pack
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services.registry_import import import_residents, import_vaccinations
from jointcheck.services.simulation import registry_population, simulate_registry
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.repositories.residents import ContraindicationRepository
from tests.integration.conftest import AT, TZ, Database, write

RESIDENTS = """
id_number,name,sex,birth_date,phone,address,area
110101199003070011,张伟,男,1990-03-07,,,fz.s01.c01.g01
110101198501020022,李娜,F,1985-01-02,,,fz.s01.c02
110101201501020033,王小明,M,2015-01-02,,,fz.s02.c01
110101195001020044,赵敏,F,1950-01-02,,,fz.s02.c01
"""
VACCINATIONS = """
id_number,product,dose_number,series_total,date,site,lot
110101199003070011,BBIBP-CorV,1,2,2021-05-01,Fangzi CDC,L1
110101199003070011,BBIBP-CorV,2,2,2021-06-01,Fangzi CDC,L2
"""
WHEN = parse_instant("2021-09-10T10:00:00+08:00")


def seed(db: Database, keys: RegistryKeys, tmp_path: Path) -> None:
    with unit_of_work(db.sessions) as session:
        import_residents(session, write(tmp_path / "r.csv", RESIDENTS), keys, AT, TZ)
        import_vaccinations(session, write(tmp_path / "v.csv", VACCINATIONS), keys, AT, TZ)
        ContraindicationRepository(session).add(Contraindication(
            pseudonymise("110101195001020044", keys.pseudonym_key), "Fangzi People's Hospital",
            2, "immunocompromised", date(2021, 8, 1), date(2022, 8, 1), "URN:UVCI:01:CN:X1"))


def test_registry_population_streams_every_resident_with_doses_and_exemptions(
        areas: Database, keys: RegistryKeys, tmp_path: Path) -> None:
    seed(areas, keys, tmp_path)
    with areas.session() as session:
        people = {p.key: p for p in registry_population(session)}
        street_two = list(registry_population(session, "fz.s02"))
    assert len(people) == 4 and len(street_two) == 2
    zhang = people[pseudonymise("110101199003070011", keys.pseudonym_key)]
    assert zhang.street == "fz.s01" and [d.number for d in zhang.doses] == [1, 2]
    zhao = people[pseudonymise("110101195001020044", keys.pseudonym_key)]
    assert zhao.exemptions[0].institution_level == 2 and zhao.doses == ()


def test_simulation_on_the_registry_counts_per_street(areas: Database, keys: RegistryKeys,
                                                      tmp_path: Path) -> None:
    seed(areas, keys, tmp_path)
    with areas.session() as session:
        result = simulate_registry(session, shipped_pack("fangzi-2021"), WHEN,
                                   ["nursing-home", "mall-supermarket"])
    rows = {(r["street"], r["venue_category"]): r for r in result.rows()}
    # fz.s01: one vaccinated adult (admit), one unvaccinated adult (restrict / persuade).
    assert (rows[("fz.s01", "nursing-home")]["admit"],
            rows[("fz.s01", "nursing-home")]["restrict"]) == (1, 1)
    assert rows[("fz.s01", "mall-supermarket")]["persuade"] == 1
    # fz.s02: a 6-year-old (admit, not eligible) and an exempt elder (register at a nursing
    # home, admit at a supermarket).
    assert (rows[("fz.s02", "nursing-home")]["admit"],
            rows[("fz.s02", "nursing-home")]["register"]) == (1, 1)
    assert rows[("fz.s02", "mall-supermarket")]["admit"] == 2
    assert dict(result.people) == {"fz.s01": 2, "fz.s02": 2}
