"""The dashboard's aggregate endpoints through the API: coverage, checks per day, targets,
streets; figures only, within the caller's scope."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from jointcheck.services.daily_reports import recompute_days
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.repositories.checks import CheckRepository, CountKey
from tests.api.conftest import VENUE, World, error_of
from tests.integration.conftest import AT, TZ

GROUPS = ["0-11", "12-17", "18-59", "60+"]


def test_coverage_by_street_and_age_group(client: TestClient, world: World) -> None:
    response = client.get("/api/dashboard/coverage", params={"area": "fz"},
                          headers=world.headers["cdc"])
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["area"] == "fz" and document["on"] == "2026-11-23"  # the clock's local day
    streets = {item["street"]: item for item in document["streets"]}
    assert list(streets) == ["fz.s01", "fz.s02"] and streets["fz.s01"]["name"] == "FZ.S01"
    for street, adults in (("fz.s01", 2), ("fz.s02", 1)):
        groups = streets[street]["age_groups"]
        assert [group["group"] for group in groups] == GROUPS
        assert [group["residents"] for group in groups] == [0, 0, adults, 0]
        assert all(group["first_dose"] == group["complete"] == group["exempt"] == 0
                   for group in groups)
    # Figures only: nothing in the answer names or identifies a resident.
    assert "pid" not in response.text and "张" not in response.text
    earlier = client.get("/api/dashboard/coverage", params={"area": "fz.s02", "on": "2025-06-01"},
                         headers=world.headers["officer2"]).json()
    # Wang, born 2008-01-02, was 17 then.
    assert [g["residents"] for g in earlier["streets"][0]["age_groups"]] == [0, 1, 0, 0]


def test_checks_by_outcome_per_day(client: TestClient, world: World) -> None:
    with unit_of_work(world.db.sessions) as session:
        CheckRepository(session).add_counts({
            CountKey(VENUE, datetime(2026, 11, 22, 2, tzinfo=UTC), "admit", "scan"): 7,
            CountKey(VENUE, datetime(2026, 11, 22, 3, tzinfo=UTC), "persuade", "scan"): 2})
        recompute_days(session, [date(2026, 11, 22)], TZ, AT)
    response = client.get("/api/dashboard/checks", params={"area": "fz.s01", "days": 3},
                          headers=world.headers["officer1"])
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["area"] == "fz.s01"
    assert [(d["day"], d["rolled_up"]) for d in document["days"]] == [
        ("2026-11-21", False), ("2026-11-22", True), ("2026-11-23", False)]
    assert document["days"][1]["by_outcome"] == {"admit": 7, "register": 0, "persuade": 2,
                                                 "restrict": 0, "deny": 0}
    whole = client.get("/api/dashboard/checks", params={"area": "fz", "until": "2026-11-22"},
                       headers=world.headers["inspector"]).json()
    assert len(whole["days"]) == 14 and whole["days"][-1]["day"] == "2026-11-22"
    assert whole["days"][-1]["by_outcome"]["admit"] == 7


def test_targets_and_streets_for_the_area(client: TestClient, world: World) -> None:
    assigned = client.post("/api/targets", headers=world.headers["cdc"], json={
        "area": "fz", "doses": 30, "start": "2026-11-20", "end": "2026-12-20",
        "split": "manual", "streets": {"fz.s01": 20, "fz.s02": 10}})
    assert assigned.status_code == 201, assigned.text
    listed = client.get("/api/dashboard/targets", params={"area": "fz.s01"},
                        headers=world.headers["officer1"])
    assert listed.status_code == 200, listed.text
    assert listed.json() == {"area": "fz.s01", "targets": [{
        "id": assigned.json()["id"], "area": "fz", "doses": 30, "start": "2026-11-20",
        "end": "2026-12-20", "streets": ["fz.s01", "fz.s02"]}]}
    streets = client.get("/api/dashboard/streets", params={"area": "fz"},
                         headers=world.headers["inspector"]).json()
    assert streets["streets"] == [{"street": "fz.s01", "name": "FZ.S01"},
                                  {"street": "fz.s02", "name": "FZ.S02"}]


def test_refusals_are_specific(client: TestClient, world: World) -> None:
    get = client.get
    assert error_of(get("/api/dashboard/coverage", params={"area": "fz"})) \
        == (401, "token-missing")
    assert error_of(get("/api/dashboard/coverage", params={"area": "fz.s02"},
                        headers=world.headers["officer1"])) == (403, "outside-scope")
    assert error_of(get("/api/dashboard/coverage", params={"area": "fz.s01"},
                        headers=world.headers["mall"])) == (403, "outside-scope")
    assert error_of(get("/api/dashboard/coverage", params={"area": "fz.s01"},
                        headers=world.headers["zhang"])) == (403, "role-not-allowed")
    assert error_of(get("/api/dashboard/coverage", params={"area": "fz/../x"},
                        headers=world.headers["cdc"])) == (400, "bad-area")
    assert error_of(get("/api/dashboard/coverage", params={"area": "fz.s09"},
                        headers=world.headers["cdc"])) == (404, "unknown-area")
    assert error_of(get("/api/dashboard/checks", params={"area": "fz", "days": 93},
                        headers=world.headers["cdc"])) == (400, "bad-days")
    assert error_of(get("/api/dashboard/checks", params={"area": "fz.s01.c01.g01"},
                        headers=world.headers["grid1"])) == (400, "bad-area-level")
    assert error_of(get("/api/dashboard/targets", params={"area": "fz"},
                        headers=world.headers["inspector"])) == (403, "role-not-allowed")
    assert get("/api/dashboard/coverage", headers=world.headers["cdc"]).status_code == 422
