"""Importing residents and vaccination records from CSV: idempotent, all-or-nothing per person."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from jointcheck.config import RegistryKeys
from jointcheck.registry.people import VaccinationRecord
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services.registry_import import (
    ImportReport,
    import_areas,
    import_residents,
    import_vaccinations,
)
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.repositories.residents import ResidentRepository
from jointcheck.storage.repositories.vaccinations import VaccinationRepository
from tests.integration.conftest import AT, TZ, Database, write

RESIDENTS = """
id_number,name,sex,birth_date,phone,address,area
110101199003070011,张 伟,男,1990-03-07,13800000000,"1 Road, Fangzi",fz.s01.c01.g01
110101198501020022,李 娜,F,1985-01-02,,,fz.s01.c02
110101200801020033,王 小明,M,2008-01-02,13900000000,2 Road,fz.s02.c01
"""
VACCINATIONS = """
id_number,product,dose_number,series_total,date,site,lot
110101199003070011,BBIBP-CorV,1,2,2021-05-01,Fangzi CDC,L1
110101199003070011,BBIBP-CorV,2,2,2021-06-01,Fangzi CDC,L2
110101198501020022,CoronaVac,1,,2021-05-03,,
"""


def pid(number: str, keys: RegistryKeys) -> str:
    return pseudonymise(number, keys.pseudonym_key)


def residents(db: Database, path: Path, keys: RegistryKeys, **options: Any) -> ImportReport:
    with unit_of_work(db.sessions) as session:
        return import_residents(session, path, keys, AT, TZ, **options)


def vaccinations(db: Database, path: Path, keys: RegistryKeys) -> ImportReport:
    with unit_of_work(db.sessions) as session:
        return import_vaccinations(session, path, keys, AT, TZ)


def codes(report: ImportReport) -> list[tuple[int, str]]:
    return [(r["line"], r["code"]) for r in report.as_dict()["rejected"]]


def stored(db: Database) -> tuple[int, int]:
    with db.session() as session:
        return ResidentRepository(session).count(), VaccinationRepository(session).count()


def test_import_residents_and_records_then_again_changes_nothing(
        areas: Database, keys: RegistryKeys, tmp_path: Path) -> None:
    people = write(tmp_path / "residents.csv", RESIDENTS)
    doses = write(tmp_path / "vaccinations.csv", VACCINATIONS)
    first = residents(areas, people, keys)
    assert (first.imported, first.unchanged, first.rejections) == (3, 0, [])
    assert (vaccinations(areas, doses, keys).imported, stored(areas)) == (3, (3, 3))
    again = residents(areas, people, keys)
    assert (again.imported, again.unchanged, again.rejections) == (0, 3, [])
    doses_again = vaccinations(areas, doses, keys)
    assert (doses_again.imported, doses_again.unchanged, doses_again.rejections) == (0, 3, [])
    assert stored(areas) == (3, 3)
    with areas.session() as session:
        zhang = pid("110101199003070011", keys)
        resident = ResidentRepository(session).get(zhang, keys.cipher)
        assert resident is not None
        assert (resident.name, resident.sex, resident.address) == ("张 伟", "male",
                                                                   "1 Road, Fangzi")
        assert VaccinationRepository(session).for_person(zhang) == [
            VaccinationRecord(zhang, "BBIBP-CorV", 1, 2, date(2021, 5, 1), "Fangzi CDC", "L1"),
            VaccinationRecord(zhang, "BBIBP-CorV", 2, 2, date(2021, 6, 1), "Fangzi CDC", "L2")]
        li = VaccinationRepository(session).for_person(pid("110101198501020022", keys))
        assert li[0].series_total == 2  # the product's primary series, CoronaVac


def test_a_changed_row_is_updated_not_duplicated(areas: Database, keys: RegistryKeys,
                                                 tmp_path: Path) -> None:
    residents(areas, write(tmp_path / "r.csv", RESIDENTS), keys)
    vaccinations(areas, write(tmp_path / "v.csv", VACCINATIONS), keys)
    moved = RESIDENTS.replace("2 Road,fz.s02.c01", "3 Road,fz.s01.c01")
    report = residents(areas, write(tmp_path / "r2.csv", moved), keys)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 2)
    relotted = VACCINATIONS.replace("Fangzi CDC,L2", "Fangzi CDC,L2-corrected")
    report = vaccinations(areas, write(tmp_path / "v2.csv", relotted), keys)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 2)
    with areas.session() as session:
        wang = ResidentRepository(session).get(pid("110101200801020033", keys), keys.cipher)
        assert wang is not None and (wang.area, wang.address) == ("fz.s01.c01", "3 Road")
        lots = [r.lot for r in VaccinationRepository(session).for_person(
            pid("110101199003070011", keys))]
        assert lots == ["L1", "L2-corrected"]
    assert stored(areas) == (3, 3)


@pytest.mark.parametrize(("text", "expected"), [
    ("id_number,name,sex,birth_date,phone,address\n1,A,M,1990-01-01,,\n", [(1, "bad-header")]),
    ("", [(1, "bad-header")]),
    ("id_number,name,sex,birth_date,phone,address,area\n"
     "1,A,M,1990-02-30,,,fz.s01\n", [(2, "bad-date")]),
    ("id_number,name,sex,birth_date,phone,address,area\n"
     "1,,M,1990-01-01,,,fz.s01\n", [(2, "missing-field")]),
    ("id_number,name,sex,birth_date,phone,address,area\n"
     ",A,M,1990-01-01,,,fz.s01\n", [(2, "missing-field")]),
    ("id_number,name,sex,birth_date,phone,address,area\n"
     "1,A,M,1990-01-01,,fz.s01\n", [(2, "bad-csv")]),
    ("id_number,name,sex,birth_date,phone,address,area\n"
     "1,A,X,1990-01-01,,,fz.s01\n", [(2, "bad-sex")]),
    ("id_number,name,sex,birth_date,phone,address,area\n"
     "1,A,M,1990-01-01,,,fz.s09\n2,B,F,1990-01-01,,,FZ..S01\n",
     [(2, "unknown-area"), (3, "bad-area-code")]),
    ("id_number,name,sex,birth_date,phone,address,area\n"
     "1,A,M,1990-01-01,,,fz.s01\n\n1,A,M,1990-01-01,,,fz.s01\n",
     [(2, "person-rejected"), (4, "duplicate-person")]),
    ("id_number,name,sex,birth_date,phone,address,area\n"
     '1,A,M,1990-01-01,,"unclosed,fz.s01\n', [(2, "bad-csv")]),
], ids=["wrong-header", "empty", "bad-date", "missing-name", "missing-id", "missing-field",
        "bad-sex", "unknown-area", "duplicate-person", "unclosed-quote"])
def test_bad_resident_rows_are_rejected_with_line_and_code(
        areas: Database, keys: RegistryKeys, tmp_path: Path, text: str,
        expected: list[tuple[int, str]]) -> None:
    path = tmp_path / "residents.csv"
    path.write_text(text, encoding="utf-8")
    report = residents(areas, path, keys)
    assert codes(report) == expected
    assert report.imported == 0
    assert stored(areas) == (0, 0)


def test_a_good_row_beside_bad_ones_is_imported(areas: Database, keys: RegistryKeys,
                                                tmp_path: Path) -> None:
    text = RESIDENTS + "110101199001010044,Bad Date,M,1990-01-32,,,fz.s01\n"
    report = residents(areas, write(tmp_path / "r.csv", text), keys)
    assert (report.imported, codes(report)) == (3, [(5, "bad-date")])
    assert report.rejections[0].reason == "birth_date '1990-01-32' is not a date (YYYY-MM-DD)"


def test_a_person_whose_second_row_is_bad_leaves_nothing(areas: Database, keys: RegistryKeys,
                                                         tmp_path: Path) -> None:
    residents(areas, write(tmp_path / "r.csv", RESIDENTS), keys)
    text = VACCINATIONS + """
    110101200801020033,WIBP-CorV,1,2,2021-07-01,,
    110101200801020033,WIBP-CorV,2,2,2021-13-01,,
    110101199003070011,BBIBP-CorV,3,2,2021-12-01,Fangzi CDC,L3
    110101199003070011,Sputnik-X,4,2,2022-01-01,,
    """
    report = vaccinations(areas, write(tmp_path / "v.csv", text), keys)
    # Line 5 is blank: the lines are the file's.
    assert codes(report) == [(2, "person-rejected"), (3, "person-rejected"),
                             (6, "person-rejected"), (7, "bad-date"), (8, "person-rejected"),
                             (9, "unknown-product")]
    assert report.imported == 1  # only Li Na's dose
    with areas.session() as session:
        repository = VaccinationRepository(session)
        assert repository.for_person(pid("110101200801020033", keys)) == []
        assert repository.for_person(pid("110101199003070011", keys)) == []
        assert repository.count() == 1


@pytest.mark.parametrize(("row", "code"), [
    ("110101199003070011,Foo-Vax,1,2,2021-05-01,,", "unknown-product"),
    ("110101199003070011,BBIBP-CorV,one,2,2021-05-01,,", "bad-dose"),
    ("110101199003070011,BBIBP-CorV,0,2,2021-05-01,,", "bad-dose"),
    ("110101199003070011,BBIBP-CorV,1,2,2019-05-01,,", "bad-date"),
    ("110101199003070011,BBIBP-CorV,1,2,,,", "missing-field"),
    ("999999,BBIBP-CorV,1,2,2021-05-01,,", "unknown-person"),
    ("110101199003070011,BBIBP-CorV,1,2,2021-05-01,,\n"
     "110101199003070011,BBIBP-CorV,1,2,2021-05-01,,", "duplicate-record"),
], ids=["unknown-product", "bad-dose", "dose-zero", "too-early", "missing-date",
        "unknown-person", "duplicate-record"])
def test_bad_vaccination_rows_are_rejected(areas: Database, keys: RegistryKeys, tmp_path: Path,
                                           row: str, code: str) -> None:
    residents(areas, write(tmp_path / "r.csv", RESIDENTS), keys)
    header = "id_number,product,dose_number,series_total,date,site,lot\n"
    path = tmp_path / "v.csv"
    path.write_text(header + row + "\n", encoding="utf-8")
    report = vaccinations(areas, path, keys)
    assert code in [c for _, c in codes(report)]
    assert report.imported == 0 and stored(areas) == (3, 0)


def test_a_date_in_the_future_of_the_district_is_rejected(areas: Database, keys: RegistryKeys,
                                                          tmp_path: Path) -> None:
    residents(areas, write(tmp_path / "r.csv", RESIDENTS), keys)
    today = AT.astimezone(TZ).date()
    text = ("id_number,product,dose_number,series_total,date,site,lot\n"
            f"110101199003070011,BBIBP-CorV,1,2,{today},,\n"
            f"110101198501020022,BBIBP-CorV,1,2,{today + timedelta(days=1)},,\n")
    path = tmp_path / "v.csv"
    path.write_text(text, encoding="utf-8")
    report = vaccinations(areas, path, keys)
    assert (report.imported, codes(report)) == (1, [(3, "bad-date")])


def test_a_batch_boundary_does_not_matter(areas: Database, keys: RegistryKeys, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("jointcheck.services.import_engine.BATCH", 2)
    monkeypatch.setattr("jointcheck.services.import_engine.REPLAY_ROWS", 1)
    residents(areas, write(tmp_path / "r.csv", RESIDENTS), keys)
    doses = write(tmp_path / "v.csv", VACCINATIONS)
    assert vaccinations(areas, doses, keys).imported == 3
    assert vaccinations(areas, doses, keys).unchanged == 3
    assert stored(areas) == (3, 3)


def test_areas_import_from_csv(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path / "areas.csv", """
    code,name
    fz.s01,Street One
    fz,Fangzi
    fz.s01.c01,Community
    fz.s01.c01.g01.x1,Too deep
    """)
    with unit_of_work(db.sessions) as session:
        report = import_areas(session, path)
    assert (report.imported, codes(report)) == (3, [(5, "bad-area-code")])
    with unit_of_work(db.sessions) as session:
        assert import_areas(session, path).unchanged == 3
