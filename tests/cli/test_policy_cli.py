"""``jointcheck policy`` and ``jointcheck check``: output, JSON fields and exit codes."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from pathlib import Path

import pytest
import yaml

from jointcheck.rules.pack_files import shipped_pack
from jointcheck.rules.venues import VENUE_CATEGORIES
from tests.cli.test_cli import run

POPULATION = """person,birth_date,street,doses,exemption_level,exemption_valid_from,\
exemption_valid_until
a1,1980-01-01,Fengshan,,,,
a2,2015-03-01,Fengshan,,,,
b1,1975-06-30,Huangqibao,BBIBP-CorV@2021-05-01;BBIBP-CorV@2021-06-01,,,
"""


def pack_file(pack_id: str) -> str:
    return str(resources.files("jointcheck.rules").joinpath(f"packs/{pack_id}.yaml"))


# ---- policy list / show ----------------------------------------------------------------------

def test_policy_list_names_the_shipped_packs() -> None:
    code, out, _ = run("policy", "list")
    assert code == 0
    for pack_id in ("fangzi-2021", "yubei-2021", "baiyin-2021"):
        assert pack_id in out


def test_policy_list_json() -> None:
    code, out, _ = run("policy", "list", "--json")
    assert code == 0
    packs = json.loads(out)["packs"]
    assert [p["id"] for p in packs] == ["fangzi-2021", "yubei-2021", "baiyin-2021"]
    fangzi = packs[0]
    assert fangzi["version"] == "1.0.0" and fangzi["jurisdiction"]["zh"] == "坊子区"
    assert fangzi["valid_from"].startswith("2021-08-3") and fangzi["valid_until"] is None


def test_policy_show_lists_every_category() -> None:
    code, out, _ = run("policy", "show", "fangzi-2021")
    assert code == 0
    assert "fangzi-2021" in out and "susceptible" in out and "Comirnaty" in out
    for category in VENUE_CATEGORIES:
        assert category in out


def test_policy_show_json_is_the_document() -> None:
    code, out, _ = run("policy", "show", "--json", "yubei-2021")
    assert code == 0
    assert json.loads(out) == json.loads(json.dumps(dict(shipped_pack("yubei-2021").document)))


def test_policy_show_unknown_pack_exits_2() -> None:
    code, _, err = run("policy", "show", "atlantis-2021")
    assert code == 2 and "policy-unknown" in err


# ---- policy validate -------------------------------------------------------------------------

@pytest.mark.parametrize("pack_id", ["fangzi-2021", "yubei-2021", "baiyin-2021"])
def test_validate_shipped_pack_passes_every_scenario(pack_id: str) -> None:
    code, out, err = run("policy", "validate", pack_file(pack_id))
    assert code == 0, out + err
    scenarios = len(shipped_pack(pack_id).scenarios)
    assert out.strip().splitlines()[-1] == f"{scenarios} passed, 0 failed"


def test_validate_json() -> None:
    code, out, _ = run("policy", "validate", "--json", pack_file("fangzi-2021"))
    assert code == 0
    result = json.loads(out)
    assert (result["valid"], result["id"], result["scenarios_failed"]) == (
        True, "fangzi-2021", 0)
    assert all(s["passed"] for s in result["scenarios"])


@pytest.fixture
def fangzi_document() -> dict[str, object]:
    return json.loads(json.dumps(dict(shipped_pack("fangzi-2021").document)))


def test_validate_broken_pack_exits_1_naming_the_path(tmp_path: Path,
                                                      fangzi_document: dict) -> None:
    fangzi_document["rules"]["meeting"]["cases"][1]["when"] = {"frobnicate": [1]}
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(fangzi_document, allow_unicode=True), "utf-8")
    code, out, err = run("policy", "validate", str(path))
    assert code == 1
    assert "rules.meeting.cases[1].when" in err and "broken.yaml" in err
    code, out, _ = run("policy", "validate", "--json", str(path))
    assert code == 1
    result = json.loads(out)
    assert (result["valid"], result["code"]) == (False, "policy-invalid")


def test_validate_failing_scenario_exits_1(tmp_path: Path, fangzi_document: dict) -> None:
    fangzi_document["scenarios"][0]["expect"]["outcome"] = "deny"  # a wrong expectation
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps(fangzi_document), "utf-8")
    code, out, _ = run("policy", "validate", str(path))
    assert code == 1
    total = len(fangzi_document["scenarios"])
    assert out.strip().splitlines()[-1] == f"{total - 1} passed, 1 failed"
    assert "FAIL" in out


# ---- policy simulate -------------------------------------------------------------------------

@pytest.fixture
def population(tmp_path: Path) -> Path:
    path = tmp_path / "population.csv"
    path.write_text(POPULATION, "utf-8")
    return path


def simulate(population: Path, *args: str) -> tuple[int, str, str]:
    return run("policy", "simulate", "--policy", "fangzi-2021", "--population",
               str(population), "--at", "2021-09-10", *args)


def test_simulate_prints_a_table(population: Path) -> None:
    code, out, err = simulate(population, "--venue-category", "nursing-home")
    assert code == 0, err
    assert "fangzi-2021" in out and "3 people" in out
    assert "Fengshan" in out and "Huangqibao" in out and "nursing-home" in out


def test_simulate_csv(population: Path) -> None:
    code, out, _ = simulate(population, "--csv")
    assert code == 0
    assert out.splitlines()[0] == "street,venue_category,admit,register,persuade,restrict,deny"
    rows = {(r["street"], r["venue_category"]): r for r in csv.DictReader(io.StringIO(out))}
    assert len(rows) == 2 * len(VENUE_CATEGORIES)
    nursing = rows[("Fengshan", "nursing-home")]
    assert (nursing["admit"], nursing["restrict"], nursing["deny"]) == ("1", "1", "0")
    mall = rows[("Fengshan", "mall-supermarket")]
    assert (mall["admit"], mall["persuade"]) == ("1", "1")
    assert rows[("Huangqibao", "meeting")]["admit"] == "1"


def test_simulate_csv_with_filter(population: Path) -> None:
    code, out, _ = simulate(population, "--csv", "--venue-category", "meeting",
                            "--venue-category", "gym")
    assert code == 0
    assert {r["venue_category"] for r in csv.DictReader(io.StringIO(out))} == {"meeting", "gym"}


@pytest.mark.parametrize("text", [
    POPULATION + "c1,1990-02-30,Fengshan,,,,\n",
    "person,birth_date\nx,1990-01-01\n",
], ids=["bad-date", "missing-column"])
def test_simulate_bad_population_exits_2(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, "utf-8")
    code, _, err = simulate(path)
    assert code == 2 and "population-invalid" in err and "line" in err


def test_simulate_missing_population_file_exits_2(tmp_path: Path) -> None:
    assert simulate(tmp_path / "absent.csv")[0] == 2
