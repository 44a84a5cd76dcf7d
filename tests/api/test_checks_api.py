"""Check events through the API: batches from nodes, the page's checks and registrations, purge."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jointcheck.api.app import create_app
from jointcheck.api.deps import ApiContext
from jointcheck.api.periodic import stop
from jointcheck.api.routers.checks import MAX_BATCH_BYTES, purge_hourly
from jointcheck.clock import FixedClock
from jointcheck.storage.db import make_engine, make_sessions, unit_of_work
from jointcheck.storage.models import (
    AuditLogRow,
    CheckCountRow,
    CheckReceiptRow,
    RegistrationRow,
)
from jointcheck.storage.repositories.checks import context as field_context
from tests.api.conftest import VENUE, ZHANG, World, bearer, error_of, settings_for
from tests.api.test_credentials_api import district as district  # noqa: PLC0414
from tests.api.test_credentials_api import issued
from tests.integration.conftest import AT, Database
from tests.integration.test_check_events import batch, event, event_id, registration


@pytest.fixture
def gate(client: TestClient, world: World) -> dict[str, str]:
    """Return the bearer header of a checkpoint token of the mall: checks.upload only."""
    response = client.post("/api/users/mall/tokens", headers=world.headers["cdc"],
                           json={"label": "gate 1", "permissions": ["checks.upload"]})
    assert response.status_code == 201, response.text
    return bearer(response.json()["token"])


def counted(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.coalesce(func.sum(CheckCountRow.count), 0)))
                   or 0)


def rows(db: Database, model: Any) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_batch_is_answered_with_its_tallies_and_resending_it_counts_nothing(
        client: TestClient, world: World, gate: dict[str, str]) -> None:
    document = batch([event(1), event(2, "persuade", "unvaccinated"), event(3, "deny",
                                                                             "code-color")],
                     [registration(2)])
    first = client.post("/api/checks/batches", headers=gate, json=document)
    assert first.status_code == 200, first.text
    assert first.json() == {"batch_id": document["batch_id"],
                            "events": {"received": 3, "new": 3, "duplicate": 0, "too_old": 0},
                            "registrations": {"received": 1, "new": 1, "duplicate": 0,
                                              "too_old": 0}}
    again = client.post("/api/checks/batches", headers=gate, json=document)
    assert again.json()["events"] == {"received": 3, "new": 0, "duplicate": 3, "too_old": 0}
    assert again.json()["registrations"]["duplicate"] == 1
    assert counted(world.db) == 3 and rows(world.db, RegistrationRow) == 1


def test_a_full_batch_fits_though_other_calls_keep_the_upload_limit(
        client: TestClient, world: World, gate: dict[str, str]) -> None:
    full = batch([event(i, minutes_ago=i % 50) for i in range(1, 5001)])
    response = client.post("/api/checks/batches", headers=gate, json=full)
    assert response.status_code == 200, response.text[:300]
    assert response.json()["events"]["new"] == 5000
    too_many = batch([event(i) for i in range(1, 5002)])
    assert error_of(client.post("/api/checks/batches", headers=gate, json=too_many)) == (
        413, "batch-too-large")
    # The room is this route's alone: the same size elsewhere meets the upload limit.
    big = client.post("/api/check", headers=gate, json={"codes": ["x" * 100_000]})
    assert error_of(big) == (413, "upload-too-large")
    huge = client.post("/api/checks/batches", content=b" " * (MAX_BATCH_BYTES + 1),
                       headers=gate | {"Content-Type": "application/json"})
    assert error_of(huge) == (413, "upload-too-large")
    assert counted(world.db) == 5000


@pytest.mark.parametrize(("document", "status", "code", "where"), [
    (batch([event(1), {**event(2), "basis": "lucky"}]), 422, "event-invalid", "events[1]: "),
    (batch([event(1, "persuade", "unvaccinated")], [registration(1, "register")]), 422,
     "registration-event-unknown", "registrations[0]: "),
    (batch([event(1), event(2, venue="v-other-9")]), 403, "event-venue-mismatch",
     "events[1]: "),
    (batch([event(1, minutes_ago=-120)]), 422, "event-in-future", "events[0]: "),
    ({"events": [event(1)]}, 422, "batch-invalid", "batch_id"),
])
def test_a_refused_batch_records_nothing(client: TestClient, world: World,
                                         gate: dict[str, str], document: dict[str, Any],
                                         status: int, code: str, where: str) -> None:
    response = client.post("/api/checks/batches", headers=gate, json=document)
    assert error_of(response) == (status, code)
    assert response.json()["error"]["message"].startswith(where)
    for model in (CheckReceiptRow, CheckCountRow, RegistrationRow):
        assert rows(world.db, model) == 0


def test_only_a_venues_checkpoint_uploads(client: TestClient, world: World) -> None:
    document = batch([event(1)])
    assert error_of(client.post("/api/checks/batches", json=document)) == (401, "token-missing")
    for user in ("cdc", "officer1", "zhang"):
        response = client.post("/api/checks/batches", headers=world.headers[user],
                               json=document)
        assert error_of(response) == (403, "role-not-allowed"), user
    not_json = client.post("/api/checks/batches", content=b"{not json",
                           headers=world.headers["mall"] | {"Content-Type": "application/json"})
    assert error_of(not_json) == (400, "bad-json")
    assert error_of(client.post("/api/checks/batches", headers=world.headers["mall"],
                                json=[document])) == (422, "bad-request")
    assert rows(world.db, CheckReceiptRow) == 0


def _scan(client: TestClient, headers: dict[str, str], codes: list[str],
          **extra: Any) -> dict[str, Any]:
    response = client.post("/api/check", headers=headers, json={"codes": codes} | extra)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_final_answer_is_recorded_once_under_its_event_id(
        issuing_client: TestClient, district: World) -> None:
    mall = district.headers["mall"]
    code = issued(issuing_client, district, "cdc", "zhang")["qr"]
    certificate = issued(issuing_client, district, "cdc", "zhang",
                         "vaccination-certificate")["qr"]
    person = str(uuid.uuid4())
    waiting = _scan(issuing_client, mall, [certificate], event_id=person)
    assert (waiting["final"], waiting["event_id"]) == (False, None)
    assert rows(district.db, CheckReceiptRow) == 0
    final = _scan(issuing_client, mall, [certificate, code], event_id=person)
    assert (final["outcome"], final["final"], final["event_id"]) == ("admit", True, person)
    repeated = _scan(issuing_client, mall, [code, certificate], event_id=person)
    assert repeated["event_id"] == person
    assert counted(district.db) == 1
    unnamed = _scan(issuing_client, mall, [code, certificate])
    assert uuid.UUID(unnamed["event_id"]).version == 4 and unnamed["event_id"] != person
    assert counted(district.db) == 2
    malformed = issuing_client.post("/api/check", headers=mall,
                                    json={"codes": [code], "event_id": "person-1"})
    assert error_of(malformed) == (422, "event-id-invalid")
    assert counted(district.db) == 2


def test_the_page_registers_a_persuaded_person_once(
        issuing_client: TestClient, district: World) -> None:
    mall = district.headers["mall"]
    wang = issued(issuing_client, district, "cdc", "wang")["qr"]
    zhang = issued(issuing_client, district, "cdc", "zhang")["qr"]
    zhang_certificate = issued(issuing_client, district, "cdc", "zhang",
                               "vaccination-certificate")["qr"]
    persuaded = _scan(issuing_client, mall, [wang], end=True, event_id=str(uuid.uuid4()))
    admitted = _scan(issuing_client, mall, [zhang, zhang_certificate])
    assert (persuaded["outcome"], admitted["outcome"]) == ("persuade", "admit")
    form = {"event_id": persuaded["event_id"], "name": "王小明", "id_number": ZHANG,
            "phone": "13900000000", "reason": "visiting a relative"}
    first = issuing_client.post("/api/registrations", headers=mall, json=form)
    assert (first.status_code, first.json()) == (201, {"event_id": persuaded["event_id"],
                                                       "recorded": True})
    again = issuing_client.post("/api/registrations", headers=mall, json=form)
    assert (again.status_code, again.json()["recorded"]) == (200, False)
    for changed, expected in (
            ({"event_id": admitted["event_id"]}, (422, "registration-invalid")),
            ({"event_id": str(uuid.uuid4())}, (422, "registration-event-unknown")),
            ({"event_id": "nope"}, (422, "event-id-invalid")),
            ({"phone": "none"}, (422, "registration-invalid"))):
        refused = issuing_client.post("/api/registrations", headers=mall, json=form | changed)
        assert error_of(refused) == expected, changed
    assert error_of(issuing_client.post("/api/registrations", headers=district.headers["cdc"],
                                        json=form)) == (403, "role-not-allowed")
    with district.db.session() as session:
        row = session.get(RegistrationRow, persuaded["event_id"])
        assert row is not None and row.venue_code == VENUE and row.outcome == "persuade"
        assert district.keys.cipher.decrypt(
            row.name_enc, field_context(persuaded["event_id"], "name")) == "王小明"
        actions = session.scalars(select(AuditLogRow.action)).all()
    assert actions.count("checks.registration.recorded") == 1


def _context(db: Database, tmp_path: Path, world: World) -> ApiContext:
    settings = settings_for(db, tmp_path)
    return ApiContext(settings, db.sessions, world.keys, b"a" * 32, FixedClock(AT))


async def _until(check: Any, limit: float = 20.0) -> None:
    for _ in range(int(limit / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition was not met")


def test_the_hourly_purge_deletes_expired_registrations_and_stops_cleanly(
        client: TestClient, world: World, gate: dict[str, str], tmp_path: Path) -> None:
    old = registration(1) | {"registered_at": (AT - timedelta(days=40)).isoformat()}
    response = client.post("/api/checks/batches", headers=gate, json=batch(
        [event(1, "persuade", "unvaccinated"), event(2, "persuade", "unvaccinated")],
        [old, registration(2)]))
    assert response.status_code == 200, response.text
    context = _context(world.db, tmp_path, world)

    async def run() -> None:
        task = asyncio.create_task(purge_hourly(context, every=0.01))
        await _until(lambda: rows(world.db, RegistrationRow) == 1)
        await stop(task)
        assert task.cancelled()

    asyncio.run(run())
    with world.db.session() as session:
        assert session.scalars(select(RegistrationRow.event_id)).all() == [event_id(2)]
        purged = session.scalars(select(AuditLogRow.detail)
                                 .where(AuditLogRow.action == "checks.registrations.purged"))
        assert [detail["count"] for detail in purged] == [1]


def test_the_hourly_purge_logs_a_database_error_and_keeps_going(
        world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # no tables: every purge fails
    context = ApiContext(settings_for(world.db, tmp_path), make_sessions(engine), world.keys,
                         b"a" * 32, FixedClock(AT))

    def failures() -> int:
        return sum("checks.purge.failed" in r.getMessage() for r in caplog.records)

    async def run() -> None:
        task = asyncio.create_task(purge_hourly(context, every=0.01))
        await _until(lambda: failures() >= 2)
        assert not task.done()
        await stop(task)

    with caplog.at_level(logging.ERROR, logger="jointcheck.api.checks"):
        asyncio.run(run())
    engine.dispose()
    assert failures() >= 2


def test_the_server_purges_when_it_starts(world: World, gate: dict[str, str],
                                          client: TestClient, tmp_path: Path) -> None:
    old = registration(1) | {"registered_at": (AT - timedelta(days=40)).isoformat()}
    response = client.post("/api/checks/batches", headers=gate, json=batch(
        [event(1, "persuade", "unvaccinated")], [old]))
    assert response.status_code == 200, response.text
    app = create_app(settings_for(world.db, tmp_path), engine=world.db.engine,
                     clock=FixedClock(AT))

    async def started() -> None:
        await _until(lambda: rows(world.db, RegistrationRow) == 0)

    with TestClient(app):
        asyncio.run(started())
    with unit_of_work(world.db.sessions) as session:
        assert session.get(RegistrationRow, event_id(1)) is None
