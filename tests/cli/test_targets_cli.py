"""``jointcheck targets set`` and ``targets show`` on a real (SQLite) database."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from jointcheck.cli.main import app
from jointcheck.services.audit import verify
from jointcheck.storage.db import make_engine, make_sessions
from jointcheck.storage.models import DoseTargetRow, DoseTargetShareRow
from jointcheck.storage.repositories.audit import AuditRepository

AUDIT_KEY = b"a" * 32
# Three adults (eligible from 12 in fangzi-2021), none vaccinated: two in fz.s01, one in fz.s02.
RESIDENTS = """id_number,name,sex,birth_date,phone,address,area
110101199003070011,张 伟,男,1990-03-07,13800000000,1 Road,fz.s01.c01
110101198501020022,李 娜,F,1985-01-02,,,fz.s01
110101200801020033,王 小明,M,2008-01-02,13900000000,2 Road,fz.s02
"""
PERIOD = ("--start", "2026-12-01", "--end", "2026-12-10")


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Return the environment of a migrated database with a district, two streets and
    three residents."""
    values = {"JOINTCHECK_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
              "JOINTCHECK_KEY_DIR": str(tmp_path / "keys"),
              "JOINTCHECK_AUDIT_KEY": base64.b64encode(AUDIT_KEY).decode(),
              "JOINTCHECK_ENVIRONMENT": "development",
              "JOINTCHECK_DISTRICT_TIMEZONE": "Asia/Shanghai"}
    assert run(values, "db", "upgrade")[0] == 0
    areas = tmp_path / "areas.csv"
    areas.write_text("code,name\nfz,Fangzi\nfz.s01,Street One\nfz.s01.c01,Community\n"
                     "fz.s02,Street Two\n", encoding="utf-8")
    assert run(values, "import", "areas", str(areas))[0] == 0
    residents = tmp_path / "residents.csv"
    residents.write_text(RESIDENTS, encoding="utf-8")
    code, out, err = run(values, "import", "residents", str(residents))
    assert code == 0, out + err
    return values


def stored(env: dict[str, str]) -> tuple[int, int, list[tuple[str, str | None]]]:
    """Return the targets, the shares and the (action, subject) of each audit entry."""
    engine = make_engine(env["JOINTCHECK_DATABASE_URL"])
    try:
        with make_sessions(engine)() as session:
            targets = session.scalar(select(func.count()).select_from(DoseTargetRow)) or 0
            shares = session.scalar(select(func.count()).select_from(DoseTargetShareRow)) or 0
            entries = [(e.action, e.subject) for e in AuditRepository(session).stream()
                       if e.action.startswith("targets.")]
            assert verify(session, AUDIT_KEY).ok
    finally:
        engine.dispose()
    return targets, shares, entries


def test_set_by_hand_then_show(env: dict[str, str]) -> None:
    code, out, err = run(env, "targets", "set", "--area", "fz", "--doses", "100", *PERIOD,
                         "--split", "manual", "--street", "fz.s01=60", "--street", "fz.s02=40",
                         "--json")
    assert code == 0, err
    assigned = json.loads(out)
    assert (assigned["area"], assigned["doses"], assigned["split"]) == ("fz", 100, "manual")
    assert assigned["assigned_by"].startswith("cli:")
    assert [(s["street"], s["doses"]) for s in assigned["streets"]] == [
        ("fz.s01", 60), ("fz.s02", 40)]
    assert stored(env) == (1, 2, [("targets.assigned", str(assigned["id"]))])

    code, out, err = run(env, "targets", "show", str(assigned["id"]), "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["streets"] == assigned["streets"]
    assert shown["progress"]["given"] == 0 and shown["progress"]["phase"] == "not-started"
    code, out, _ = run(env, "targets", "show", str(assigned["id"]))
    assert code == 0
    assert out.startswith(f"target {assigned['id']}: 100 doses for fz from 2026-12-01 to "
                          "2026-12-10 (manual split")
    assert "fz.s02" in out


def test_a_proportional_split_follows_the_eligible_residents(env: dict[str, str]) -> None:
    code, out, err = run(env, "targets", "set", "--area", "fz", "--doses", "300", *PERIOD,
                         "--json")
    assert code == 0, err
    assigned = json.loads(out)
    assert [(s["street"], s["doses"], s["eligible_unvaccinated"])
            for s in assigned["streets"]] == [("fz.s01", 200, 2), ("fz.s02", 100, 1)]
    assert assigned["eligible_from"] == 12
    code, out, _ = run(env, "targets", "set", "--area", "fz.s02", "--doses", "5", *PERIOD)
    assert code == 0
    assert "(1 eligible unvaccinated)" in out
    assert stored(env)[:2] == (2, 3)


@pytest.mark.parametrize(("args", "message"), [
    (("--area", "fz", "--doses", "100", "--start", "1 Dec", "--end", "2026-12-10"),
     "is not a date"),
    (("--area", "fz", "--doses", "100", "--start", "2026-12-10", "--end", "2026-12-01"),
     "bad-period"),
    (("--area", "fz", "--doses", "0", *PERIOD), "bad-doses"),
    (("--area", "fz", "--doses", "100", *PERIOD, "--split", "by-lottery"), "by-lottery"),
    (("--area", "fz", "--doses", "100", *PERIOD, "--split", "manual", "--street",
      "fz.s01=sixty"), "bad-split"),
    (("--area", "fz", "--doses", "100", *PERIOD, "--split", "manual", "--street",
      "fz.s01=60", "--street", "fz.s02=39"), "split-mismatch"),
    (("--area", "fz", "--doses", "100", *PERIOD, "--split", "manual", "--street",
      "fz.s01=60", "--street", "fz.s09=40"), "unknown-street"),
    (("--area", "fz", "--doses", "100", *PERIOD, "--street", "fz.s01=100"), "bad-split"),
    (("--area", "fz.s01.c01", "--doses", "100", *PERIOD), "bad-area"),
    (("--area", "fz.s07", "--doses", "100", *PERIOD), "unknown-area"),
    (("--area", "fz", "--doses", "100", *PERIOD, "--policy", "no-such-pack"), "no-such-pack"),
])
def test_bad_input_is_a_usage_error_and_stores_nothing(env: dict[str, str],
                                                       args: tuple[str, ...],
                                                       message: str) -> None:
    code, out, err = run(env, "targets", "set", *args)
    assert code == 2, out
    assert message in " ".join(err.split())
    assert stored(env) == (0, 0, [])


def test_showing_an_unknown_target_is_a_usage_error(env: dict[str, str]) -> None:
    code, _, err = run(env, "targets", "show", "404")
    assert code == 2
    assert "unknown-target" in err
