"""``jointcheck reports rollup`` and ``reports daily`` on a real database."""

from __future__ import annotations

import base64
import csv
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from jointcheck.cli.main import app
from jointcheck.registry.venues import Venue
from jointcheck.storage.db import make_engine, make_sessions, unit_of_work
from jointcheck.storage.repositories.checks import CheckRepository, CountKey
from jointcheck.storage.repositories.venues import VenueRepository

DAY = "2026-11-22"
START = datetime(2026, 11, 21, 16, tzinfo=UTC)  # local midnight of DAY in Shanghai


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Return the environment of a migrated database with two venues and a day's counts."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    values = {"JOINTCHECK_DATABASE_URL": url, "JOINTCHECK_KEY_DIR": str(tmp_path / "keys"),
              "JOINTCHECK_AUDIT_KEY": base64.b64encode(b"a" * 32).decode(),
              "JOINTCHECK_ENVIRONMENT": "development",
              "JOINTCHECK_DISTRICT_TIMEZONE": "Asia/Shanghai"}
    assert run(values, "db", "upgrade")[0] == 0
    areas = tmp_path / "areas.csv"
    areas.write_text("code,name\nfz,Fangzi\nfz.s01,Street One\nfz.s02,Street Two\n",
                     encoding="utf-8")
    assert run(values, "import", "areas", str(areas))[0] == 0
    engine = make_engine(url)
    try:
        with unit_of_work(make_sessions(engine)) as session:
            venues = VenueRepository(session)
            venues.add(Venue("v-mall", "Mall", "mall-supermarket", "fz.s01", None))
            venues.add(Venue("v-gym", "Gym", "gym", "fz.s01", None))
            CheckRepository(session).add_counts(Counter({
                CountKey("v-mall", START + timedelta(hours=2), "admit", "vaccinated"): 40,
                CountKey("v-mall", START + timedelta(hours=9), "admit", "vaccinated"): 2,
                CountKey("v-mall", START + timedelta(hours=9), "deny", "code-color"): 3,
                CountKey("v-mall", START + timedelta(hours=24), "deny", "code-color"): 8}))
    finally:
        engine.dispose()
    return values


def test_rollup_then_daily_prints_the_street_day(env: dict[str, str], tmp_path: Path) -> None:
    code, out, err = run(env, "reports", "rollup", "--day", DAY, "--days", "2", "--json")
    assert code == 0, err
    document = json.loads(out)
    assert [(d["day"], d["checks"]) for d in document["days"]] == [
        ("2026-11-21", 0), (DAY, 45)]
    code, out, err = run(env, "reports", "daily", "--street", "fz.s01", "--day", DAY, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["venues"] == [{
        "venue": "v-mall", "name": "Mall", "category": "mall-supermarket",
        "counts": {"admit": 42, "register": 0, "persuade": 0, "restrict": 0, "deny": 3},
        "total": 45}]
    assert (report["silent_venues"], report["registrations"],
            report["new_vaccinations"]) == (["v-gym"], 0, 0)
    code, out, _ = run(env, "reports", "daily", "--street", "fz.s01", "--day", DAY)
    assert code == 0
    assert out.startswith(f"fz.s01 on {DAY} (Asia/Shanghai): 45 checks")
    assert "venues with no checks: v-gym" in out

    sheet = tmp_path / "day.csv"
    assert run(env, "reports", "daily", "--street", "fz.s01", "--day", DAY,
               "--csv", str(sheet))[0] == 0
    rows = list(csv.reader(sheet.open(encoding="utf-8")))
    assert ["venue", "v-mall", "Mall", "mall-supermarket", "42", "0", "0", "0", "3",
            "45"] in rows
    assert rows[-1][:2] == ["silent_venue", "v-gym"]
    book = tmp_path / "day.xlsx"
    assert run(env, "reports", "daily", "--street", "fz.s01", "--day", DAY,
               "--xlsx", str(book))[0] == 0
    cells = [list(row) for row in load_workbook(book).active.iter_rows(values_only=True)]
    assert ["venue", "v-mall", "Mall", "mall-supermarket", 42, 0, 0, 0, 3, 45] in cells


def test_daily_writes_a_printable_pdf(env: dict[str, str], tmp_path: Path) -> None:
    assert run(env, "reports", "rollup", "--day", DAY, "--days", "1")[0] == 0
    document = tmp_path / "day.pdf"
    code, out, err = run(env, "reports", "daily", "--street", "fz.s01", "--day", DAY,
                         "--format", "pdf", "--out", str(document))
    assert code == 0, err
    assert out.strip() == f"wrote {document}"
    reader = PdfReader(document)
    assert len(reader.pages) == 1
    text = "".join("".join(page.extract_text().replace("\x00", " ").split())
                   for page in reader.pages)
    for expected in ("StreetOne(fz.s01)", DAY, "Asia/Shanghai", "45Checks", "admit42",
                     "deny3", "v-mallMallmall-supermarket42000345",
                     "Venuesthatreportednochecks(1)v-gym"):
        assert expected in text
    sheet = tmp_path / "day.csv"
    assert run(env, "reports", "daily", "--street", "fz.s01", "--day", DAY, "--format", "csv",
               "--out", str(sheet))[0] == 0
    assert ["venue", "v-mall", "Mall", "mall-supermarket", "42", "0", "0", "0", "3",
            "45"] in list(csv.reader(sheet.open(encoding="utf-8")))
    code, out, _ = run(env, "reports", "daily", "--street", "fz.s01", "--day", DAY,
                       "--format", "json")
    assert code == 0 and json.loads(out)["checks"] == 45


@pytest.mark.parametrize(("args", "message"), [
    (("daily", "--street", "fz.s01", "--day", DAY, "--format", "pdf"),
     "--format pdf needs --out FILE"),
    (("daily", "--street", "fz.s01", "--day", DAY, "--out", "x.pdf"), "--out needs --format"),
    (("daily", "--street", "fz.s01", "--day", DAY, "--format", "json", "--out", "x.pdf"),
     "--out goes with csv, xlsx or pdf"),
    (("daily", "--street", "fz.s01", "--day", DAY, "--format", "pdf", "--out", "x.pdf",
      "--csv", "x.csv"), "choose one of"),
    (("daily", "--street", "fz.s01", "--day", DAY, "--format", "ps", "--out", "x.ps"),
     "ps"),
    (("daily", "--street", "fz.s01", "--day", DAY), "has not been rolled up"),
    (("daily", "--street", "fz.s09", "--day", DAY), "not a registered street"),
    (("daily", "--street", "fz.s01", "--day", "22/11/2026"), "is not a date"),
    (("daily", "--street", "fz.s01", "--day", DAY, "--json", "--csv", "x.csv"),
     "choose one of"),
    (("rollup", "--day", "yesterday"), "is not a date"),
])
def test_bad_input_is_a_usage_error(env: dict[str, str], args: tuple[str, ...],
                                    message: str) -> None:
    code, _, err = run(env, "reports", *args)
    assert code == 2
    assert message in " ".join(err.split())


def test_bench_rollup_measures_the_roll_up_beside_a_group_by() -> None:
    code, out, err = run({}, "bench", "rollup", "--events", "20000", "--venues", "60",
                         "--streets", "3", "--repeat", "1", "--json")
    assert code == 0, err
    figures = json.loads(out)
    [result] = figures["results"]
    assert result["database"] == "sqlite"
    # Poisson draws around the shares: near the events asked for, and all of them rolled up.
    assert 19_000 < result["events"] < 21_000
    assert result["fact_rows"] == result["groups"] > 0
    assert result["rollup_ms"] > 0 and result["group_by_ms"] > 0
