"""The command line of the registry: db upgrade, the imports, their JSON and exit codes."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jointcheck.cli.main import app
from jointcheck.storage.migrations import head_revision

SUMMARY_FIELDS = {"imported", "updated", "unchanged", "rejected"}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"JOINTCHECK_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
            "JOINTCHECK_KEY_DIR": str(tmp_path / "keys"),
            "JOINTCHECK_ENVIRONMENT": "development"}


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, *lines: str) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def ready(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    code, out, err = run(env, "db", "upgrade")
    assert (code, out.strip()) == (0, f"database at revision {head_revision()}"), err
    areas = write(tmp_path / "areas.csv", "code,name", "fz,Fangzi", "fz.s01,Street One",
                  "fz.s01.c01,Community One")
    code, out, _ = run(env, "import", "areas", areas)
    assert (code, out.strip()) == (0, "3 imported, 0 unchanged, 0 rejected")
    return env


def test_import_residents_then_again(ready: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", "id_number,name,sex,birth_date,phone,address,area",
                 "110101199003070011,张 伟,M,1990-03-07,,,fz.s01.c01",
                 "110101198501020022,李 娜,F,1985-01-02,,,fz.s01")
    code, out, _ = run(ready, "import", "residents", path)
    assert (code, out.strip()) == (0, "2 imported, 0 unchanged, 0 rejected")
    code, out, _ = run(ready, "import", "residents", path, "--json")
    assert code == 0
    assert json.loads(out) == {"imported": 0, "updated": 0, "unchanged": 2, "rejected": []}
    assert (tmp_path / "keys" / "pseudonym.key").exists()


def test_rejected_rows_are_listed_and_exit_1(ready: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", "id_number,product,dose_number,series_total,date,site,lot",
                 "999,CoronaVac,1,2,2021-05-01,,",
                 "998,NotAVaccine,1,2,2021-05-01,,")
    code, out, _ = run(ready, "import", "vaccinations", path)
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[0].startswith("line 2: unknown-person: ")
    assert lines[1].startswith("line 3: unknown-product: ")
    assert lines[-1] == "0 imported, 0 unchanged, 2 rejected"
    code, out, _ = run(ready, "import", "vaccinations", path, "--json")
    document = json.loads(out)
    assert code == 1 and set(document) == SUMMARY_FIELDS
    assert [set(r) for r in document["rejected"]] == [{"line", "reason", "code"}] * 2
    assert [r["code"] for r in document["rejected"]] == ["unknown-person", "unknown-product"]


def test_fhir_import(ready: dict[str, str], tmp_path: Path) -> None:
    patient = {"resourceType": "Patient", "id": "a",
               "identifier": [{"value": "110101199003070011"}], "name": [{"text": "张 伟"}],
               "gender": "male", "birthDate": "1990-03-07",
               "extension": [{"url": "urn:jointcheck:fhir:area", "valueCode": "fz.s01.c01"}]}
    shot = {"resourceType": "Immunization", "id": "i1", "status": "completed",
            "vaccineCode": {"coding": [{"code": "CoronaVac"}]},
            "patient": {"reference": "Patient/a"}, "occurrenceDateTime": "2021-05-01",
            "protocolApplied": [{"doseNumberPositiveInt": 1}]}
    path = write(tmp_path / "x.ndjson", json.dumps(patient), json.dumps(shot))
    code, out, _ = run(ready, "import", "fhir", path, "--json")
    assert (code, json.loads(out)["imported"]) == (0, 2)
    code, out, _ = run(ready, "import", "vaccinations", path, "--json")
    assert (code, json.loads(out)["unchanged"]) == (0, 1)
    bad = write(tmp_path / "bad.json", "not json")
    code, out, _ = run(ready, "import", "fhir", bad, "--json")
    assert (code, [r["code"] for r in json.loads(out)["rejected"]]) == (1, ["bad-json"])


def test_usage_errors_exit_2(env: dict[str, str], ready: dict[str, str],
                             tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", "id_number,name,sex,birth_date,phone,address,area")
    assert run(ready, "import", "residents", str(tmp_path / "missing.csv"))[0] == 2
    assert run(ready, "import", "residents", path, "--format", "xml")[0] == 2
    fresh = env | {"JOINTCHECK_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    code, _, err = run(fresh, "import", "residents", path)
    assert code == 2 and "db upgrade" in err
    production = ready | {"JOINTCHECK_ENVIRONMENT": "production"}
    code, _, err = run(production, "import", "residents", path)
    assert code == 2 and "SECRET_KEY" in err
    bad_key = ready | {"JOINTCHECK_PSEUDONYM_KEY": base64.b64encode(b"short").decode()}
    code, _, err = run(bad_key, "import", "residents", path)
    assert code == 2 and "key-too-short" in err


def test_db_option_overrides_the_settings(env: dict[str, str], tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    code, _, _ = run(env, "db", "upgrade", "--db", f"sqlite:///{other}")
    assert code == 0 and other.exists() and not (tmp_path / "cli.db").exists()


def test_bench_import_reports_rates_and_ratio(env: dict[str, str]) -> None:
    code, out, err = run(env, "bench", "import", "--records", "30", "--db", "sqlite://",
                         "--json")
    assert code == 0, err
    document = json.loads(out)
    (result,) = document["results"]
    assert result["database"] == "sqlite" and result["records"] == 30
    assert result["service_per_s"] > 0 and result["reference_per_s"] > 0
    assert result["ratio"] == pytest.approx(result["service_per_s"] / result["reference_per_s"],
                                            rel=0.05, abs=0.001)


def test_policy_simulate_on_the_registry(ready: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", "id_number,name,sex,birth_date,phone,address,area",
                 "110101199003070011,张伟,M,1990-03-07,,,fz.s01.c01",
                 "110101201501020022,李娜,F,2015-01-02,,,fz.s01")
    assert run(ready, "import", "residents", path)[0] == 0
    code, out, err = run(ready, "policy", "simulate", "--policy", "fangzi-2021", "--registry",
                         "--at", "2021-09-10T10:00:00+08:00", "--venue-category",
                         "nursing-home", "--csv")
    assert code == 0, err
    assert out.splitlines() == ["street,venue_category,admit,register,persuade,restrict,deny",
                                "fz.s01,nursing-home,1,0,0,1,0"]
    code, _, err = run(ready, "policy", "simulate", "--policy", "fangzi-2021", "--registry",
                       "--population", path)
    assert code == 2 and "either" in err
