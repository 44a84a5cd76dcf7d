"""``jointcheck followup`` on a real database: refresh, list, outcome, funnel, survey and
coverage; a vaccination import closes the case; refusals exit 2 and change nothing."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jointcheck.cli.main import app

ZHANG, LI, CHILD = "110101199003070011", "110101198501020022", "110101201801020033"


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, *lines: str) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Return the environment of a migrated database with areas and three residents."""
    values = {"JOINTCHECK_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
              "JOINTCHECK_KEY_DIR": str(tmp_path / "keys"),
              "JOINTCHECK_AUDIT_KEY": base64.b64encode(b"a" * 32).decode(),
              "JOINTCHECK_ENVIRONMENT": "development",
              "JOINTCHECK_DISTRICT_TIMEZONE": "Asia/Shanghai"}
    assert run(values, "db", "upgrade")[0] == 0
    areas = write(tmp_path / "areas.csv", "code,name", "fz,Fangzi", "fz.s01,Street One",
                  "fz.s01.c01,Community One", "fz.s01.c01.g01,Grid One")
    assert run(values, "import", "areas", areas)[0] == 0
    residents = write(tmp_path / "r.csv", "id_number,name,sex,birth_date,phone,address,area",
                      f"{ZHANG},张 伟,M,1990-03-07,13800000000,1 Road,fz.s01.c01.g01",
                      f"{LI},李 娜,F,1955-01-02,,,fz.s01.c01.g01",
                      f"{CHILD},王 小明,M,2018-01-02,,,fz.s01.c01.g01")
    code, _, err = run(values, "import", "residents", residents)
    assert code == 0, err
    return values


def test_refresh_list_outcome_funnel(env: dict[str, str], tmp_path: Path) -> None:
    code, out, err = run(env, "followup", "refresh", "--area", "fz.s01", "--json")
    assert code == 0, err
    assert json.loads(out) == {"area": "fz.s01", "opened": 2, "closed": 0, "open": 2}
    code, out, _ = run(env, "followup", "refresh", "--area", "fz.s01")
    assert (code, out.strip()) == (0, "fz.s01: 0 cases opened, 0 closed, 2 open")
    code, out, err = run(env, "followup", "list", "--area", "fz.s01.c01.g01", "--json")
    assert code == 0, err
    items = json.loads(out)["items"]
    assert [(i["name"], i["priority"], i["reasons"]) for i in items] == [
        ("李 娜", 1, ["older-age", "long-eligible"]), ("张 伟", 2, ["long-eligible"])]
    code, out, _ = run(env, "followup", "list", "--area", "fz.s01")
    assert code == 0 and "李 娜" in out and "older-age: aged 60 or over" in out
    case_id, opened = str(items[1]["case_id"]), items[1]["opened_on"]
    code, out, err = run(env, "followup", "outcome", case_id, "contacted", "--on", opened,
                         "--note", "rang", "--json")
    assert code == 0, err
    assert json.loads(out)["outcomes"][0]["note"] == "rang"
    code, _, err = run(env, "followup", "outcome", case_id, "phoned", "--on", opened)
    assert code == 2 and "unknown-outcome" in err
    code, _, err = run(env, "followup", "outcome", case_id, "contacted", "--on", "2999-01-01")
    assert code == 2 and "bad-day" in err
    code, _, err = run(env, "followup", "outcome", "999", "contacted", "--on", opened)
    assert code == 2 and "unknown-case" in err
    code, out, _ = run(env, "followup", "funnel", "--area", "fz", "--json")
    assert json.loads(out)["stages"]["contacted"] == 1
    assert json.loads(out)["stages"]["not-yet-contacted"] == 1
    code, out, _ = run(env, "followup", "funnel", "--area", "fz")
    assert code == 0 and out.startswith("fz: 2 cases, 2 open, 0 closed")
    # A vaccination import closes 张 伟's case at once, by ``system``.
    doses = write(tmp_path / "v.csv", "id_number,product,dose_number,series_total,date,site,lot",
                  f"{ZHANG},BBIBP-CorV,1,2,{opened},Clinic,L1")
    assert run(env, "import", "vaccinations", doses)[0] == 0
    code, out, _ = run(env, "followup", "list", "--area", "fz", "--status", "closed", "--json")
    closed = json.loads(out)["items"]
    assert [(i["name"], i["last_outcome"]) for i in closed] == [("张 伟", "vaccinated")]
    code, _, err = run(env, "followup", "list", "--area", "fz", "--status", "done")
    assert code == 2 and "bad-status" in err


def test_survey_and_coverage(env: dict[str, str], tmp_path: Path) -> None:
    form = {"area": "fz.s01.c01.g01", "on": "2024-06-01", "address": "1 Road, 3-201",
            "members": [{"id_number": ZHANG, "status": "unvaccinated"},
                        {"id_number": CHILD, "status": "unvaccinated"},
                        {"id_number": "110101190001019999", "status": "away"}]}
    path = tmp_path / "household.json"
    path.write_text(json.dumps(form), encoding="utf-8")
    code, _, err = run(env, "followup", "survey", str(path))
    assert code == 2 and "members[2]" in err and "unknown-person" in err
    code, out, _ = run(env, "followup", "coverage", "--area", "fz", "--json")
    assert json.loads(out) == {"area": "fz", "grids": []}
    path.write_text(json.dumps(form | {"members": form["members"][:2]}), encoding="utf-8")
    code, out, err = run(env, "followup", "survey", str(path), "--json")
    assert code == 0, err
    assert json.loads(out)["members"] == 2 and json.loads(out)["cases_opened"] == 1
    code, out, _ = run(env, "followup", "coverage", "--area", "fz")
    assert code == 0 and "fz.s01.c01.g01" in out and "unvaccinated 2" in out
    code, _, err = run(env, "followup", "survey", str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read" in err
