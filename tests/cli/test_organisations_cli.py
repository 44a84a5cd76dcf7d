"""``jointcheck organisations ...`` on a real (SQLite) database."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from jointcheck.cli.main import app
from jointcheck.config import RegistryKeys
from jointcheck.registry.areas import Area
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.storage.db import make_engine, make_sessions, unit_of_work
from jointcheck.storage.models import MembershipRow
from jointcheck.storage.repositories.areas import AreaRepository
from tests.integration.conftest import AREAS, Database
from tests.integration.test_organisations import (
    POSTS,
    id_number,
    pid_of,
    seed_organisations,
    seed_people,
)

KEYS = RegistryKeys(b"k" * 32, FieldCipher({1: b"f" * 32}, 1))


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Return the environment of a migrated database holding the organisations' district."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    values = {"JOINTCHECK_DATABASE_URL": url, "JOINTCHECK_KEY_DIR": str(tmp_path / "keys"),
              "JOINTCHECK_AUDIT_KEY": b64(b"a" * 32), "JOINTCHECK_PSEUDONYM_KEY": b64(b"k" * 32),
              "JOINTCHECK_FIELD_KEYS": b64(b"f" * 32), "JOINTCHECK_ENVIRONMENT": "development",
              "JOINTCHECK_DISTRICT_TIMEZONE": "Asia/Shanghai"}
    assert run(values, "db", "upgrade")[0] == 0
    engine = make_engine(url)
    try:
        db = Database(make_url(url), engine, make_sessions(engine))
        with unit_of_work(db.sessions) as session:
            AreaRepository(session).upsert(Area.of(code, code.upper()) for code in AREAS)
        seed_people(db, KEYS, tmp_path)
        seed_organisations(db, KEYS)
    finally:
        engine.dispose()
    return values


def memberships(env: dict[str, str]) -> int:
    engine = make_engine(env["JOINTCHECK_DATABASE_URL"])
    try:
        with make_sessions(engine)() as session:
            return session.scalar(select(func.count()).select_from(MembershipRow)) or 0
    finally:
        engine.dispose()


def test_list_roster_and_posts(env: dict[str, str]) -> None:
    code, out, err = run(env, "organisations", "list", "--json")
    assert code == 0, err
    assert [(o["code"], o["members"]) for o in json.loads(out)["organisations"]] == [
        ("fac-1", 2), ("rest-1", 3), ("sch-1", 7)]
    code, out, err = run(env, "organisations", "roster", "sch-1", "--on", "2026-11-23",
                         "--json")
    assert code == 0, err
    members = json.loads(out)["members"]
    assert len(members) == 8
    code, out, err = run(env, "organisations", "posts", "sch-1", "--on", "2026-11-23")
    assert code == 0, err
    assert "1 members hold a post they may not hold" in out
    assert "Name T2" in out and "MAY NOT HOLD" in out
    code, _, err = run(env, "organisations", "roster", "nowhere")
    assert code == 2 and "unknown-organisation" in err


def test_import_is_all_or_nothing(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(f"id_number,post\n{id_number('x1')},office\nNOBODY1,office\n",
                   encoding="utf-8")
    code, _, err = run(env, "organisations", "import", "rest-1", str(bad))
    assert code == 2 and "line 3" in err and "unknown-person" in err
    assert memberships(env) == len(POSTS)
    good = tmp_path / "good.csv"
    good.write_text(f"id_number,post\n{id_number('x1')},office\n", encoding="utf-8")
    code, out, err = run(env, "organisations", "import", "rest-1", str(good))
    assert code == 0, err
    assert "1 posts added, 0 unchanged" in out
    assert memberships(env) == len(POSTS) + 1


def test_investigation_meeting_and_coverage(env: dict[str, str], tmp_path: Path) -> None:
    code, out, err = run(env, "organisations", "investigate", "sch-1", "--term-start",
                         "2026-11-20", "--json")
    assert code == 0, err
    opened = json.loads(out)
    assert opened["deadline"] == "2026-11-26" and not opened["complete"]  # the seventh day
    code, out, err = run(env, "organisations", "investigation", "sch-1", str(opened["id"]),
                         "--check-all", "--on", "2026-11-23", "--json")
    assert code == 0, err
    done = json.loads(out)
    assert done["complete"]
    assert done["groups"]["students"]["by_status"] == {
        "complete": 0, "partial": 0, "unvaccinated": 1, "exempt": 0, "not-eligible": 1}

    attendees = tmp_path / "attendees.txt"
    attendees.write_text(f"{id_number('t1')}\n{pid_of(KEYS, 't2')}\n\n", encoding="utf-8")
    code, out, err = run(env, "organisations", "meeting", "sch-1", str(attendees), "--on",
                         "2026-11-23", "--kind", "training", "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert [(a["may_attend"], a["status"]) for a in answer["attendees"]] == [
        (True, "complete"), (False, "unvaccinated")]
    code, _, err = run(env, "organisations", "meeting", "sch-1", str(attendees), "--on",
                       "2026-11-23", "--kind", "party")
    assert code == 2 and "bad-kind" in err

    code, out, err = run(env, "organisations", "coverage", "--on", "2026-11-23", "--json")
    assert code == 0, err
    figures = json.loads(out)
    assert [(o["code"], o["members"], o["complete"]) for o in figures["organisations"]] == [
        ("fac-1", 2, 0), ("rest-1", 3, 1), ("sch-1", 7, 2)]
    assert [i["industry"] for i in figures["industries"]] == [
        "catering", "education", "manufacturing"]
    code, out, err = run(env, "organisations", "coverage", "--industry", "catering", "--on",
                         "2026-11-23")
    assert code == 0, err
    assert "rest-1" in out and "sch-1" not in out
