"""Inspections, complaints, the compliance list and case investigation through the API."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jointcheck.services.registry_import import import_vaccinations
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.models import AuditLogRow, InspectionRow
from tests.api.conftest import VENUE, ZHANG, World, error_of
from tests.integration.conftest import AT, TZ, write

DAY = date(2026, 11, 23)
SUSPENSION = {"inspected_on": "2026-11-23", "checked_everyone": False,
              "findings": "no scanner at the side door", "sanction": "suspension",
              "sanction_from": "2026-11-23", "sanction_until": "2026-11-30",
              "visitors_per_day": 500}


def test_an_inspector_records_and_the_street_reads_the_compliance_list(
        client: TestClient, world: World) -> None:
    path = f"/api/venues/{VENUE}/inspections"
    for body in (SUSPENSION | {"inspected_on": "2026-11-01", "sanction": "warning",
                               "sanction_from": None, "sanction_until": None}, SUSPENSION):
        response = client.post(path, json=body, headers=world.headers["inspector"])
        assert response.status_code == 201, response.text
    response = client.post(f"/api/venues/{VENUE}/complaints", headers=world.headers["officer1"],
                           json={"received_on": "2026-11-22", "text": "nobody scans"})
    assert response.status_code == 201, response.text
    listed = client.get(path, headers=world.headers["officer1"]).json()
    assert [item["sanction"] for item in listed] == ["suspension", "warning"]
    assert listed[1]["sanction_from"] == "2026-11-01"
    response = client.get("/api/inspections/compliance",
                          params={"area": "fz.s01", "day": DAY.isoformat(), "days": 3},
                          headers=world.headers["officer1"])
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["timezone"] == "Asia/Shanghai" and document["days"] == 3
    [mall] = document["venues"]
    assert mall["venue"] == VENUE and mall["checks"] == 0
    assert mall["days_without_checks"] == 3 and mall["failed_inspections"] == 2
    assert mall["open_sanction"] == "suspension" and mall["visitors_per_day"] == 500
    assert mall["reasons"] == ["no-checks-logged", "repeated-findings", "complaints",
                               "open-sanction"]
    assert set(mall) >= {"checks_per_day", "complaints", "name", "category", "street"}


def test_refusals_change_nothing(client: TestClient, world: World) -> None:
    path = f"/api/venues/{VENUE}/inspections"
    assert error_of(client.post(path, json=SUSPENSION, headers=world.headers["officer1"])) \
        == (403, "role-not-allowed")
    assert error_of(client.post(path, json=SUSPENSION, headers=world.headers["cdc"])) \
        == (403, "role-not-allowed")
    assert error_of(client.post(path, json=SUSPENSION | {"sanction": "fine"},
                                headers=world.headers["inspector"])) == (422, "bad-sanction")
    assert error_of(client.post(path, json=SUSPENSION | {"sanction_until": None},
                                headers=world.headers["inspector"])) \
        == (422, "bad-sanction-dates")
    assert error_of(client.post("/api/venues/v-none/inspections", json=SUSPENSION,
                                headers=world.headers["inspector"])) == (404, "unknown-venue")
    assert error_of(client.post(f"/api/venues/{VENUE}/complaints",
                                json={"received_on": "2026-11-22", "text": "x"},
                                headers=world.headers["officer2"])) == (403, "outside-scope")
    assert error_of(client.get("/api/inspections/compliance", params={"area": "fz.s01"},
                               headers=world.headers["officer2"])) == (403, "outside-scope")
    assert error_of(client.get("/api/inspections/compliance", params={"area": "fz.s01"},
                               headers=world.headers["mall"]))[0] == 403
    with unit_of_work(world.db.sessions) as session:
        assert session.scalar(select(func.count()).select_from(InspectionRow)) == 0


def test_case_investigation_for_the_health_authority_only(client: TestClient, world: World,
                                                          tmp_path: Path) -> None:
    with unit_of_work(world.db.sessions) as session:
        import_vaccinations(session, write(tmp_path / "v.csv", f"""
            id_number,product,dose_number,series_total,date,site,lot
            {ZHANG},BBIBP-CorV,1,2,2021-05-01,Fangzi CDC,L1
            {ZHANG},BBIBP-CorV,2,2,2021-06-01,Fangzi CDC,L2
            """), world.keys, AT, TZ)
    pid = world.pids["zhang"]
    path = f"/api/investigations/{pid}"
    response = client.get(path, params={"day": "2021-05-15"}, headers=world.headers["cdc"])
    assert response.status_code == 200, response.text
    document = response.json()
    assert [dose["dose_number"] for dose in document["doses"]] == [1]
    assert document["series_complete"] is False and document["color"] == "green"
    assert document["area"] == "fz.s01.c01.g01"
    assert client.get(path, params={"day": "2021-07-01"},
                      headers=world.headers["cdc"]).json()["series_complete"] is True
    for user in ("officer1", "grid1", "inspector", "zhang"):
        assert error_of(client.get(path, params={"day": "2021-07-01"},
                                   headers=world.headers[user])) == (403, "role-not-allowed")
    tomorrow = (DAY + timedelta(days=1)).isoformat()
    assert error_of(client.get(path, params={"day": tomorrow},
                               headers=world.headers["cdc"])) == (422, "bad-day")
    assert error_of(client.get("/api/investigations/nobody", params={"day": "2021-07-01"},
                               headers=world.headers["cdc"])) == (404, "unknown-resident")
    with unit_of_work(world.db.sessions) as session:
        assert session.scalar(select(func.count()).select_from(AuditLogRow).where(
            AuditLogRow.action == "investigation.case.read")) == 2
