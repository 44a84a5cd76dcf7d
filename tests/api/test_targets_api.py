"""Dose targets over the API: assign, split, progress from the vaccination records, scopes."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from jointcheck.storage.db import unit_of_work
from jointcheck.storage.models.people import VaccinationRow
from tests.api.conftest import World, error_of
from tests.integration.conftest import AT

TARGET = {"area": "fz", "doses": 300, "start": "2026-11-20", "end": "2026-11-26"}


def _dose(world: World, person: str, on: date) -> None:
    with unit_of_work(world.db.sessions) as session:
        session.add(VaccinationRow(pid=world.pids[person], product="EU/1/20/1528",
                                   dose_number=1, series_total=2, vaccinated_on=on, site="s",
                                   lot="l", source_id=None, imported_at=AT))


def _assign(client: TestClient, world: World, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/targets", json=body, headers=world.headers["cdc"])
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_a_target_is_split_by_eligible_residents_and_its_progress_read(
        client: TestClient, world: World) -> None:
    created = _assign(client, world, TARGET)
    # fz.s01 has two unvaccinated adults, fz.s02 one (the policy's eligible_from is 12).
    assert [(s["street"], s["doses"], s["eligible_unvaccinated"])
            for s in created["streets"]] == [("fz.s01", 200, 2), ("fz.s02", 100, 1)]
    assert created["assigned_by"] == "cdc" and created["split"] == "proportional"
    _dose(world, "zhang", date(2026, 11, 21))
    _dose(world, "li", date(2026, 11, 22))
    _dose(world, "wang", date(2026, 11, 19))  # before the period: not counted
    report = client.get(f"/api/targets/{created['id']}", headers=world.headers["cdc"]).json()
    assert report["today"] == "2026-11-23"
    whole = report["progress"]
    assert [(d["day"], d["doses"], d["cumulative"]) for d in whole["days"]] == [
        ("2026-11-20", 0, 0), ("2026-11-21", 1, 1), ("2026-11-22", 1, 2),
        ("2026-11-23", 0, 2)]
    assert whole["given"] == 2 and whole["remaining"] == 298
    assert whole["rate"] == round(2 / 3, 2)
    # Complete days 2, today at the rate 2/3, three days after today at the rate.
    assert whole["forecast"] == 2 + round(2 / 3 * 4)
    assert whole["will_meet"] is False and whole["phase"] == "running"
    assert [(s["street"], s["progress"]["given"]) for s in report["streets"]] == [
        ("fz.s01", 2), ("fz.s02", 0)]


def test_a_street_office_reads_its_share_and_others_are_refused(
        client: TestClient, world: World) -> None:
    target_id = _assign(client, world, TARGET)["id"]
    path = f"/api/targets/{target_id}"
    officer = client.get(path, headers=world.headers["officer1"]).json()
    assert officer["progress"] is None
    assert [s["street"] for s in officer["streets"]] == ["fz.s01"]
    other = client.get(path, headers=world.headers["officer2"]).json()
    assert [s["street"] for s in other["streets"]] == ["fz.s02"]
    assert error_of(client.get(path, headers=world.headers["grid1"])) == (403, "outside-scope")
    assert error_of(client.get(path, headers=world.headers["mall"])) == (
        403, "role-not-allowed")
    assert error_of(client.get(path, headers=world.headers["inspector"])) == (
        403, "role-not-allowed")
    assert error_of(client.get(path)) == (401, "token-missing")
    assert error_of(client.get("/api/targets/999", headers=world.headers["cdc"])) == (
        404, "unknown-target")


def test_a_bad_target_is_refused_and_only_the_authority_assigns(
        client: TestClient, world: World) -> None:
    officer = client.post("/api/targets", json=TARGET | {"area": "fz.s01"},
                          headers=world.headers["officer1"])
    assert error_of(officer) == (403, "role-not-allowed")
    for body, expected in (
            (TARGET | {"split": "manual", "streets": {"fz.s01": 150, "fz.s02": 149}},
             (422, "split-mismatch")),
            (TARGET | {"split": "manual", "streets": {"fz.s09": 300}}, (422, "unknown-street")),
            (TARGET | {"end": "2026-11-19"}, (422, "bad-period")),
            (TARGET | {"doses": 0}, (422, "bad-doses")),
            (TARGET | {"area": "fz.s01.c01"}, (422, "bad-area")),
            (TARGET | {"area": "fz.s07"}, (404, "unknown-area")),
            (TARGET | {"split": "even"}, (422, "bad-request"))):
        response = client.post("/api/targets", json=body, headers=world.headers["cdc"])
        assert error_of(response) == expected, body
    manual = _assign(client, world, TARGET | {"split": "manual", "streets": {"fz.s02": 300}})
    assert manual["id"] == 1  # nothing was stored by the refusals
    assert [(s["street"], s["doses"], s["eligible_unvaccinated"])
            for s in manual["streets"]] == [("fz.s01", 0, None), ("fz.s02", 300, None)]
