"""``jointcheck checks counts`` and ``checks purge`` on a real database."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from jointcheck.checkpoint.events import iso
from jointcheck.cli.main import app
from jointcheck.clock import FixedClock
from jointcheck.config import RegistryKeys
from jointcheck.policy_sources import find_pack
from jointcheck.registry.venues import Venue
from jointcheck.security.access import Principal, Role
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.services.audit import AuditTrail
from jointcheck.services.check_events import ingest_batch
from jointcheck.storage.db import make_engine, make_sessions, unit_of_work
from jointcheck.storage.models import AuditLogRow, RegistrationRow
from jointcheck.storage.repositories.venues import VenueRepository

AUDIT_KEY = b"a" * 32
SHANGHAI = ZoneInfo("Asia/Shanghai")
VENUE = "v-mall-1"
# Noon yesterday in the district: every event below falls on that one local day.
NOON = datetime.combine(datetime.now(SHANGHAI).date() - timedelta(days=1), time(12),
                        SHANGHAI).astimezone(UTC)


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def _event(number: int, at: datetime, outcome: str, basis: str) -> dict[str, Any]:
    return {"id": str(uuid.UUID(int=number, version=4)), "venue_id": VENUE,
            "checked_at": iso(at), "outcome": outcome, "basis": basis, "rule": "r",
            "policy": {"id": "fangzi-2021", "version": "1.0.0"}}


def _registration(number: int, at: datetime) -> dict[str, Any]:
    return {"event_id": str(uuid.UUID(int=number, version=4)), "venue_id": VENUE,
            "registered_at": iso(at), "outcome": "persuade", "name": "张伟",
            "id_number": "110101199003070011", "phone": "13800000000", "reason": "work"}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Return the environment of a migrated database holding a venue's checks."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    values = {"JOINTCHECK_DATABASE_URL": url, "JOINTCHECK_KEY_DIR": str(tmp_path / "keys"),
              "JOINTCHECK_AUDIT_KEY": base64.b64encode(AUDIT_KEY).decode(),
              "JOINTCHECK_ENVIRONMENT": "development",
              "JOINTCHECK_DISTRICT_TIMEZONE": "Asia/Shanghai"}
    assert run(values, "db", "upgrade")[0] == 0
    areas = tmp_path / "areas.csv"
    areas.write_text("code,name\nfz,Fangzi\nfz.s01,Street One\n", encoding="utf-8")
    assert run(values, "import", "areas", str(areas))[0] == 0
    keys = RegistryKeys(b"k" * 32, FieldCipher({1: b"f" * 32}, 1))
    month_ago = NOON - timedelta(days=30)
    events = ([_event(i, NOON - timedelta(minutes=10), "admit", "vaccinated")
               for i in range(1, 8)]
              + [_event(8, NOON + timedelta(hours=2), "deny", "code-color"),
                 _event(9, NOON + timedelta(hours=2), "persuade", "unvaccinated"),
                 _event(10, month_ago, "persuade", "unvaccinated")])
    engine = make_engine(url)
    try:
        with unit_of_work(make_sessions(engine)) as session:
            VenueRepository(session).add(Venue(VENUE, "Mall", "mall-supermarket", "fz.s01",
                                               None))
            ingest_batch(session, AuditTrail(session, AUDIT_KEY, FixedClock(NOON)),
                         Principal("mall", Role.VENUE_OPERATOR, VENUE),
                         {"batch_id": str(uuid.uuid4()), "events": events,
                          "registrations": [_registration(9, NOON + timedelta(hours=2)),
                                            _registration(10, month_ago)]},
                         NOON + timedelta(hours=3), keys, find_pack("fangzi-2021"))
    finally:
        engine.dispose()
    return values


def test_counts_of_a_day_per_hour_outcome_and_basis(env: dict[str, str]) -> None:
    day = NOON.astimezone(SHANGHAI).date().isoformat()
    code, out, err = run(env, "checks", "counts", "--venue", VENUE, "--day", day, "--json")
    assert code == 0, err
    document = json.loads(out)
    assert (document["venue"], document["day"], document["total"]) == (VENUE, day, 9)
    hours = [(line["hour"], line["outcome"], line["basis"], line["count"])
             for line in document["hours"]]
    eleven, two = iso(NOON - timedelta(hours=1)), iso(NOON + timedelta(hours=2))
    assert hours == [(eleven, "admit", "vaccinated", 7), (two, "deny", "code-color", 1),
                     (two, "persuade", "unvaccinated", 1)]
    assert document["hours"][0]["local_hour"].startswith(f"{day}T11:00:00+08:00")
    code, out, _ = run(env, "checks", "counts", "--venue", VENUE, "--day", day)
    assert code == 0 and out.startswith(f"{VENUE} on {day} (Asia/Shanghai): 9 checks")
    assert "11:00" in out and "code-color" in out
    _, out, _ = run(env, "checks", "counts", "--venue", VENUE, "--json")  # today: nothing
    assert json.loads(out)["total"] == 0


@pytest.mark.parametrize(("args", "message"), [
    (("--venue", "v-none"), "venue-unknown"),
    (("--venue", VENUE, "--day", "23/11/2026"), "is not a date"),
])
def test_counts_refusals_are_usage_errors(env: dict[str, str], args: tuple[str, ...],
                                          message: str) -> None:
    code, _, err = run(env, "checks", "counts", *args)
    assert code == 2 and message in err


def test_purge_deletes_expired_registrations_and_audits_it(env: dict[str, str],
                                                          tmp_path: Path) -> None:
    code, out, err = run(env, "checks", "purge")
    none_old = "0 receipts older than 120 days deleted"
    assert (code, out.strip()) == (0, f"1 registration purged; {none_old}"), err
    assert run(env, "checks", "purge")[1].strip() == f"0 registrations purged; {none_old}"
    engine = make_engine(env["JOINTCHECK_DATABASE_URL"])
    try:
        with make_sessions(engine)() as session:
            kept = session.scalars(select(RegistrationRow.event_id)).all()
            entries = session.execute(select(AuditLogRow.actor_id, AuditLogRow.detail)
                                      .where(AuditLogRow.action
                                             == "checks.registrations.purged")).all()
    finally:
        engine.dispose()
    assert kept == [str(uuid.UUID(int=9, version=4))]
    assert [(actor.startswith("cli:"), detail) for actor, detail in entries] == [
        (True, {"count": 1, "receipts": 0})]
    missing = run(env | {"JOINTCHECK_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"},
                  "checks", "purge")
    assert missing[0] == 2 and "jointcheck db upgrade" in missing[2]


def test_bench_ingest_uploads_everything_and_reports_the_ratio(tmp_path: Path) -> None:
    env = {"JOINTCHECK_KEY_DIR": str(tmp_path / "keys"), "JOINTCHECK_ENVIRONMENT": "development"}
    result = CliRunner().invoke(app, ["bench", "ingest", "--db", "sqlite://", "--events", "3000",
                                      "--batch", "700", "--json"], env=env)
    assert result.exit_code == 0, result.stderr or result.output
    document = json.loads(result.stdout)
    assert (document["events"], document["batch"]) == (3000, 700)
    (figures,) = document["results"]
    assert (figures["database"], figures["batches"]) == ("sqlite", 5)
    assert 0 < figures["registrations"] < 3000 * 0.05
    assert figures["api_events_per_s"] > 0 and figures["bare_events_per_s"] > 0
    assert figures["ratio"] == pytest.approx(
        figures["api_events_per_s"] / figures["bare_events_per_s"], rel=0.01, abs=0.001)
    assert figures["batch_ms_p50"] <= figures["batch_ms_p99"]
