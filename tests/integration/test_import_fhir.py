"""Importing FHIR R4 Patients and Immunizations (Bundle or NDJSON)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from jointcheck.config import RegistryKeys
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services.fhir_import import AREA_EXTENSION
from jointcheck.services.registry_import import (
    FileFormat,
    ImportReport,
    import_fhir,
    import_residents,
    import_vaccinations,
)
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.repositories.residents import ResidentRepository
from jointcheck.storage.repositories.vaccinations import VaccinationRepository
from tests.integration.conftest import AT, TZ, Database

DCC = "http://ec.europa.eu/temp/vaccineproductname"
EU = "https://ec.europa.eu/health/documents/community-register/html/"


def patient(ident: str, number: str, area: str = "fz.s01.c01.g01", **extra: Any) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": ident,
            "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": "MRN-" + ident},
                           {"type": {"coding": [{"code": "NI"}]}, "value": number}],
            "name": [{"family": "张", "given": ["伟"]}], "gender": "male",
            "birthDate": "1990-03-07", "telecom": [{"system": "phone", "value": "138"}],
            "address": [{"text": "1 Road", "extension": [{"url": AREA_EXTENSION,
                                                          "valueCode": area}]}]} | extra


def immunization(ident: str, patient_ref: str, code: str = "BBIBP-CorV", dose: int = 1,
                 when: str = "2021-05-01", system: str = DCC, **extra: Any) -> dict[str, Any]:
    return {"resourceType": "Immunization", "id": ident, "status": "completed",
            "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "510"},
                                       {"system": system, "code": code}]},
            "patient": {"reference": patient_ref}, "occurrenceDateTime": when,
            "lotNumber": "L" + ident, "location": {"display": "Fangzi CDC"},
            "protocolApplied": [{"doseNumberPositiveInt": dose, "seriesDosesPositiveInt": 2}]
            } | extra


def bundle(path: Path, *resources: dict[str, Any]) -> Path:
    entries = [{"fullUrl": f"urn:uuid:{r['resourceType']}-{r['id']}", "resource": r}
               for r in resources]
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                                "entry": entries}), encoding="utf-8")
    return path


def ndjson(path: Path, *lines: dict[str, Any] | str) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
                    encoding="utf-8")
    return path


def run(db: Database, path: Path, keys: RegistryKeys) -> ImportReport:
    with unit_of_work(db.sessions) as session:
        return import_fhir(session, path, keys, AT, TZ)


def codes(report: ImportReport) -> list[tuple[int, str]]:
    return [(r["line"], r["code"]) for r in report.as_dict()["rejected"]]


def pid(number: str, keys: RegistryKeys) -> str:
    return pseudonymise(number, keys.pseudonym_key)


def test_a_bundle_imports_patients_and_immunizations_once(areas: Database, keys: RegistryKeys,
                                                          tmp_path: Path) -> None:
    path = bundle(tmp_path / "b.json",
                  immunization("i1", "Patient/a", when="2021-05-01T01:00:00Z"),
                  patient("a", "110101199003070011"),
                  immunization("i2", "urn:uuid:Patient-a", dose=2, code="EU/1/20/1528",
                               system=EU, when="2021-05-31T20:00:00Z"))
    report = run(areas, path, keys)
    assert (report.imported, report.rejections) == (3, [])
    again = run(areas, path, keys)
    assert (again.imported, again.unchanged, again.rejections) == (0, 3, [])
    with areas.session() as session:
        zhang = pid("110101199003070011", keys)
        resident = ResidentRepository(session).get(zhang, keys.cipher)
        assert resident is not None
        assert (resident.name, resident.phone, resident.area) == ("张 伟", "138",
                                                                  "fz.s01.c01.g01")
        assert ResidentRepository(session).id_number(zhang, keys.cipher) == "110101199003070011"
        records = VaccinationRepository(session).for_person(zhang)
        # 20:00 UTC on 31 May is 04:00 on 1 June in Shanghai: the day is the district's.
        assert [(r.product, r.dose_number, r.date, r.site, r.lot) for r in records] == [
            ("BBIBP-CorV", 1, date(2021, 5, 1), "Fangzi CDC", "Li1"),
            ("EU/1/20/1528", 2, date(2021, 6, 1), "Fangzi CDC", "Li2")]


def test_ndjson_with_bad_lines(areas: Database, keys: RegistryKeys, tmp_path: Path) -> None:
    path = ndjson(tmp_path / "x.ndjson",
                  patient("a", "110101199003070011"),
                  "{not json",
                  {"resourceType": "Observation", "id": "o1"},
                  immunization("i1", "Patient/a"),
                  immunization("i2", "Patient/nobody"),
                  "",
                  patient("b", "110101198501020022", area="fz.s77"),
                  immunization("i3", "Patient/b"),
                  '["a list"]')
    report = run(areas, path, keys)
    assert codes(report) == [(2, "bad-json"), (3, "bad-resource"), (5, "unknown-person"),
                             (7, "unknown-area"), (8, "person-rejected"), (9, "bad-resource")]
    assert report.imported == 2


def test_a_file_that_is_not_json(areas: Database, keys: RegistryKeys, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("this is not JSON at all\nnor this\n", encoding="utf-8")
    assert codes(run(areas, path, keys)) == [(1, "bad-json")]
    path.write_text('{"resourceType": "Bundle",\n "entry": [\n', encoding="utf-8")
    assert [c for _, c in codes(run(areas, path, keys))] == ["bad-json"]
    path.write_text('{"resourceType": "Bundle", "entry": {}}', encoding="utf-8")
    assert codes(run(areas, path, keys)) == [(1, "bad-resource")]
    path.write_bytes(b"\xff\xfe\x00garbage")
    assert codes(run(areas, path, keys)) == [(1, "bad-json")]


def test_a_bundle_person_with_one_bad_immunization_leaves_nothing(
        areas: Database, keys: RegistryKeys, tmp_path: Path) -> None:
    path = bundle(tmp_path / "b.json",
                  patient("a", "110101199003070011"),
                  immunization("i1", "Patient/a"),
                  immunization("i2", "Patient/a", dose=2, code="Made-Up-Vax"),
                  patient("b", "110101198501020022"),
                  immunization("i3", "Patient/b"))
    report = run(areas, path, keys)
    assert codes(report) == [(1, "person-rejected"), (2, "person-rejected"),
                             (3, "unknown-product")]
    assert report.imported == 2
    with areas.session() as session:
        assert ResidentRepository(session).get(pid("110101199003070011", keys),
                                               keys.cipher) is None
        assert VaccinationRepository(session).count() == 1


@pytest.mark.parametrize(("change", "code"), [
    ({"status": "not-done"}, "bad-resource"),
    ({"occurrenceDateTime": "2021-05"}, "bad-date"),
    ({"protocolApplied": [{"doseNumberPositiveInt": 0}]}, "bad-dose"),
    ({"protocolApplied": [{}]}, "missing-field"),
    ({"vaccineCode": {"text": "some vaccine"}}, "unknown-product"),
    ({"patient": {"display": "no reference"}}, "unknown-person"),
], ids=["not-done", "partial-date", "dose-zero", "no-dose", "no-coding", "no-patient"])
def test_bad_immunizations(areas: Database, keys: RegistryKeys, tmp_path: Path,
                           change: dict[str, Any], code: str) -> None:
    path = bundle(tmp_path / "b.json", patient("a", "110101199003070011"),
                  immunization("i1", "Patient/a") | change)
    report = run(areas, path, keys)
    assert code in [c for _, c in codes(report)]
    # A dose that names nobody cannot reject anybody: the Patient is imported then.
    assert report.imported == (1 if code == "unknown-person" else 0)


@pytest.mark.parametrize(("change", "code"), [
    ({"identifier": []}, "missing-field"),
    ({"gender": "robot"}, "bad-sex"),
    ({"birthDate": "1990"}, "bad-date"),
    ({"address": [{"text": "no area"}]}, "missing-field"),
], ids=["no-identifier", "bad-gender", "partial-birth-date", "no-area"])
def test_bad_patients(areas: Database, keys: RegistryKeys, tmp_path: Path,
                      change: dict[str, Any], code: str) -> None:
    report = run(areas, bundle(tmp_path / "b.json", patient("a", "1101") | change), keys)
    assert codes(report) == [(1, code)]


def test_duplicate_patients_in_one_file(areas: Database, keys: RegistryKeys,
                                        tmp_path: Path) -> None:
    path = bundle(tmp_path / "b.json", patient("a", "110101199003070011"),
                  patient("a2", "110101199003070011"))
    assert codes(run(areas, path, keys)) == [(1, "person-rejected"), (2, "duplicate-person")]


def test_residents_and_vaccinations_commands_take_their_own_resources(
        areas: Database, keys: RegistryKeys, tmp_path: Path) -> None:
    path = bundle(tmp_path / "b.json", patient("a", "110101199003070011"),
                  immunization("i1", "Patient/a"))
    with unit_of_work(areas.sessions) as session:
        early = import_vaccinations(session, path, keys, AT, TZ, FileFormat.FHIR)
    assert codes(early) == [(2, "unknown-person")]
    with unit_of_work(areas.sessions) as session:
        people = import_residents(session, path, keys, AT, TZ, FileFormat.FHIR)
    assert (people.imported, people.rejections) == (1, [])
    with unit_of_work(areas.sessions) as session:
        doses = import_vaccinations(session, path, keys, AT, TZ, FileFormat.FHIR)
    assert (doses.imported, doses.rejections) == (1, [])


def test_an_immunization_may_name_a_stored_resident_by_identifier(
        areas: Database, keys: RegistryKeys, tmp_path: Path) -> None:
    run(areas, bundle(tmp_path / "p.json", patient("a", "110101199003070011")), keys)
    shot = immunization("i1", "x") | {"patient": {"identifier": {
        "value": "110101199003070011"}}}
    report = run(areas, ndjson(tmp_path / "i.ndjson", shot), keys)
    assert (report.imported, report.rejections) == (1, [])
