"""``GET /api/reports/streets/{street}/days/{day}``: the street's day, within reports.read."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader

from jointcheck.api.deps import ApiContext
from jointcheck.api.periodic import stop
from jointcheck.api.routers.reports import rollup_once, rollup_periodically
from jointcheck.clock import FixedClock
from jointcheck.services.daily_reports import recompute_days, street_daily_summary
from jointcheck.storage.db import make_engine, make_sessions, unit_of_work
from jointcheck.storage.repositories.checks import CheckRepository, CountKey
from jointcheck.storage.repositories.reports import ReportRepository
from tests.api.conftest import (
    AUDIT_KEY,
    VENUE,
    MovableClock,
    World,
    error_of,
    settings_for,
)
from tests.integration.conftest import AT

DAY = date(2026, 11, 22)
START = datetime(2026, 11, 21, 16, tzinfo=UTC)  # local midnight of DAY in Shanghai
PATH = "/api/reports/streets/{street}/days/{day}"


def _rolled_up(world: World) -> None:
    with unit_of_work(world.db.sessions) as session:
        CheckRepository(session).add_counts(Counter({
            CountKey(VENUE, START + timedelta(hours=1), "admit", "vaccinated"): 30,
            CountKey(VENUE, START + timedelta(hours=5), "persuade", "unvaccinated"): 4}))
        recompute_days(session, [DAY], ZoneInfo("Asia/Shanghai"), START + timedelta(days=1))


def test_a_street_officer_reads_its_street_day(world: World, client: TestClient) -> None:
    _rolled_up(world)
    response = client.get(PATH.format(street="fz.s01", day=DAY),
                          headers=world.headers["officer1"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["street"], body["day"], body["checks"]) == ("fz.s01", "2026-11-22", 34)
    assert body["venues"] == [{"venue": VENUE, "name": "Mall", "category": "mall-supermarket",
                               "counts": {"admit": 30, "register": 0, "persuade": 4,
                                          "restrict": 0, "deny": 0}, "total": 34}]
    assert (body["registrations"], body["silent_venues"], body["new_vaccinations"]) == (
        0, [], 0)


def test_csv_and_xlsx_downloads(world: World, client: TestClient) -> None:
    _rolled_up(world)
    url = PATH.format(street="fz.s01", day=DAY)
    response = client.get(url, params={"format": "csv"}, headers=world.headers["cdc"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert ["venue", VENUE, "Mall", "mall-supermarket", "30", "0", "4", "0", "0", "34"] in rows
    response = client.get(url, params={"format": "xlsx"}, headers=world.headers["cdc"])
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert ["venue", VENUE, "Mall", "mall-supermarket", 30, 0, 4, 0, 0, 34] in [
        list(row) for row in sheet.iter_rows(values_only=True)]


def test_a_street_officer_is_refused_another_street(world: World, client: TestClient) -> None:
    _rolled_up(world)
    response = client.get(PATH.format(street="fz.s01", day=DAY),
                          headers=world.headers["officer2"])
    assert error_of(response) == (403, "outside-scope")
    response = client.get(PATH.format(street="fz.s01", day=DAY),
                          headers=world.headers["zhang"])
    assert error_of(response) == (403, "role-not-allowed")


def test_bad_day_unknown_street_and_day_not_rolled_up(world: World,
                                                      client: TestClient) -> None:
    headers = world.headers["cdc"]
    assert error_of(client.get(PATH.format(street="fz.s01", day="22-11-2026"),
                               headers=headers)) == (400, "bad-day")
    assert error_of(client.get(PATH.format(street="fz.s01", day=DAY),
                               headers=headers)) == (404, "report-not-computed")
    assert error_of(client.get(PATH.format(street="fz.s09", day=DAY),
                               headers=headers)) == (404, "unknown-area")


def _pdf_text(document: bytes) -> str:
    """Return the text of a PDF without whitespace (and the NULs pypdf leaves in CJK text)."""
    reader = PdfReader(io.BytesIO(document))
    return "".join("".join(page.extract_text().replace("\x00", " ").split())
                   for page in reader.pages)


def test_a_printable_pdf_of_the_day(world: World, client: TestClient,
                                    clock: MovableClock) -> None:
    _rolled_up(world)
    url = PATH.format(street="fz.s01", day=DAY)
    response = client.get(url, params={"format": "pdf"}, headers=world.headers["officer1"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        'attachment; filename="fz.s01-2026-11-22.pdf"')
    assert response.content.startswith(b"%PDF-")
    text = _pdf_text(response.content)
    generated = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds")
    for expected in ("FZ.S01(fz.s01)", "2026-11-22", "Asia/Shanghai", f"Generatedat{generated}",
                     "34Checks", "admit30", "persuade4", "deny0", "mall-supermarket34",
                     f"{VENUE}Mallmall-supermarket30040034",
                     "Venuesthatreportednochecks(0)none"):
        assert expected in text


def test_the_pdf_keeps_to_the_scope(world: World, client: TestClient) -> None:
    _rolled_up(world)
    url = PATH.format(street="fz.s01", day=DAY)
    for user, refusal in (("officer2", (403, "outside-scope")),
                          ("zhang", (403, "role-not-allowed"))):
        response = client.get(url, params={"format": "pdf"}, headers=world.headers[user])
        assert error_of(response) == refusal
    response = client.get(url, params={"format": "pdf"})
    assert error_of(response) == (401, "token-missing")
    response = client.get(url, params={"format": "ps"}, headers=world.headers["cdc"])
    assert response.status_code == 422


def test_the_scheduled_job_rolls_the_trailing_days_up(world: World, client: TestClient,
                                                      clock: MovableClock) -> None:
    context = client.app.state.jointcheck  # type: ignore[attr-defined]
    with unit_of_work(world.db.sessions) as session:
        CheckRepository(session).add_counts(Counter({
            CountKey(VENUE, START + timedelta(hours=1), "admit", "vaccinated"): 30}))
    url = PATH.format(street="fz.s01", day=DAY)
    assert error_of(client.get(url, headers=world.headers["cdc"])) == (
        404, "report-not-computed")
    rolled = rollup_once(context)
    # The clock is on 2026-11-23 in Shanghai: the settings' 3 days end there.
    assert [(r.day, r.checks) for r in rolled] == [
        (date(2026, 11, 21), 0), (DAY, 30), (date(2026, 11, 23), 0)]
    assert client.get(url, headers=world.headers["cdc"]).json()["checks"] == 30
    # A checkpoint that was offline uploads the day late; the next run counts it.
    with unit_of_work(world.db.sessions) as session:
        CheckRepository(session).add_counts(Counter({
            CountKey(VENUE, START + timedelta(hours=23), "deny", "code-color"): 5}))
    clock.advance(timedelta(minutes=15))
    rollup_once(context)
    body = client.get(url, headers=world.headers["cdc"]).json()
    assert (body["checks"], body["venues"][0]["counts"]["deny"]) == (35, 5)
    # Three days later the day has left the window: a later upload waits for a manual rollup.
    clock.advance(timedelta(days=3))
    assert DAY not in [r.day for r in rollup_once(context)]


def test_the_rollup_loop_runs_the_job_survives_a_failure_and_stops_cleanly(
        world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = settings_for(world.db, tmp_path, rollup_days=2)
    broken = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # no tables: every run fails
    failing = ApiContext(settings, make_sessions(broken), world.keys, AUDIT_KEY, FixedClock(AT))
    working = ApiContext(settings, world.db.sessions, world.keys, AUDIT_KEY, FixedClock(AT))
    with unit_of_work(world.db.sessions) as session:
        CheckRepository(session).add_counts(Counter({
            CountKey(VENUE, START + timedelta(hours=1), "admit", "vaccinated"): 12}))

    def failures() -> int:
        return sum("reports.rollup.failed" in r.getMessage() for r in caplog.records)

    def rolled_up() -> bool:
        with world.db.session() as session:
            return ReportRepository(session).day_totals(DAY, "fz.s01") is not None

    async def until(check: Callable[[], bool]) -> None:
        for _ in range(1000):  # polls, at most 20 s; no assertion on how long it took
            if check():
                return
            await asyncio.sleep(0.02)
        raise AssertionError("the condition was not met")

    async def run() -> None:
        task = asyncio.create_task(rollup_periodically(failing, every=0.01))
        await until(lambda: failures() >= 2)
        assert not task.done()
        await stop(task)
        task = asyncio.create_task(rollup_periodically(working, every=0.01))
        await until(rolled_up)
        await stop(task)
        assert task.cancelled()

    with caplog.at_level(logging.ERROR, logger="jointcheck.api.reports"):
        asyncio.run(run())
    broken.dispose()
    with world.db.session() as session:
        assert street_daily_summary(session, "fz.s01", DAY).checks == 12
