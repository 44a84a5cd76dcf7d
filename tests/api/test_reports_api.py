"""``GET /api/reports/streets/{street}/days/{day}``: the street's day, within reports.read."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from jointcheck.services.daily_reports import recompute_days
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.repositories.checks import CheckRepository, CountKey
from tests.api.conftest import VENUE, World, error_of

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
