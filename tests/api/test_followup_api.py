"""The follow-up endpoints over the API, on SQLite and PostgreSQL: refresh, worklist, case,
outcomes, funnel and survey, each authorized over the area it names."""

from __future__ import annotations

from fastapi.testclient import TestClient

from jointcheck.storage.repositories.audit import AuditRepository
from tests.api.conftest import LI, WANG, ZHANG, World, error_of

TODAY = "2026-11-23"  # the clock's AT in Asia/Shanghai
ITEM_FIELDS = {"case_id", "pid", "name", "phone", "address", "birth_year", "age", "area",
               "source", "priority", "reasons", "days_since_eligible", "vulnerable_visits",
               "status", "last_outcome", "last_outcome_on", "opened_on"}


def _refresh(client: TestClient, world: World, user: str, area: str) -> dict[str, object]:
    response = client.post("/api/followup/refresh", json={"area": area},
                           headers=world.headers[user])
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_refresh_is_scoped_and_idempotent(client: TestClient, world: World) -> None:
    assert _refresh(client, world, "officer1", "fz.s01") == {
        "area": "fz.s01", "opened": 2, "closed": 0, "open": 2}
    assert _refresh(client, world, "officer1", "fz.s01") == {
        "area": "fz.s01", "opened": 0, "closed": 0, "open": 2}
    refused = client.post("/api/followup/refresh", json={"area": "fz.s02"},
                          headers=world.headers["officer1"])
    assert error_of(refused) == (403, "outside-scope")
    refused = client.post("/api/followup/refresh", json={"area": "fz"},
                          headers=world.headers["mall"])
    assert error_of(refused) == (403, "role-not-allowed")
    assert _refresh(client, world, "cdc", "fz")["open"] == 3


def test_the_worklist_shows_the_grids_people_only(client: TestClient, world: World) -> None:
    _refresh(client, world, "cdc", "fz")
    response = client.get("/api/followup/worklist", params={"area": "fz.s01.c01.g01"},
                          headers=world.headers["grid1"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["area"] == "fz.s01.c01.g01" and len(body["items"]) == 1
    item = body["items"][0]
    assert set(item) == ITEM_FIELDS
    assert (item["pid"], item["name"], item["phone"], item["birth_year"], item["age"]) == (
        world.pids["zhang"], "张 伟", "13800000000", 1990, 36)
    assert (item["source"], item["status"], item["opened_on"], item["last_outcome"]) == (
        "registry", "open", TODAY, None)
    assert item["priority"] == 2 and item["reasons"] == ["long-eligible"]
    for area, user, code in (("fz.s01.c02", "grid1", "outside-scope"),
                             ("fz", "zhang", "role-not-allowed")):
        refused = client.get("/api/followup/worklist", params={"area": area},
                             headers=world.headers[user])
        assert error_of(refused) == (403, code)
    refused = client.get("/api/followup/worklist", params={"area": "fz", "status": "done"},
                         headers=world.headers["cdc"])
    assert error_of(refused) == (422, "bad-status")
    whole = client.get("/api/followup/worklist", params={"area": "fz", "status": "all"},
                       headers=world.headers["cdc"]).json()
    # Older first within a band: 李 娜 (1985) before 张 伟 (1990) before 王 小明 (2008).
    assert [i["pid"] for i in whole["items"]] == [world.pids[n] for n in ("li", "zhang", "wang")]
    with world.db.session() as session:
        reads = [(e.actor_id, e.action, e.area) for e in AuditRepository(session).stream()
                 if e.action.startswith("followup.")]
    assert reads == [("grid1", "followup.worklist", "fz.s01.c01.g01"),
                     ("cdc", "followup.worklist", "fz")]


def test_outcomes_are_recorded_checked_and_close_the_case(client: TestClient,
                                                          world: World) -> None:
    _refresh(client, world, "cdc", "fz")
    case_id = client.get("/api/followup/worklist", params={"area": "fz.s01.c01.g01"},
                         headers=world.headers["grid1"]).json()["items"][0]["case_id"]
    url = f"/api/followup/cases/{case_id}/outcomes"
    grid1 = world.headers["grid1"]
    response = client.post(url, json={"outcome": "contacted", "on": TODAY,
                                      "note": "explained the policy at the door"}, headers=grid1)
    assert response.status_code == 200, response.text
    case = response.json()
    assert set(case) == ITEM_FIELDS | {"outcomes"}
    assert (case["status"], case["last_outcome"], case["last_outcome_on"]) == (
        "open", "contacted", TODAY)
    assert case["outcomes"] == [{"outcome": "contacted", "on": TODAY, "worker": "grid1",
                                 "note": "explained the policy at the door"}]
    for body, code in (({"outcome": "contacted", "on": "2026-11-24"}, "bad-day"),
                       ({"outcome": "contacted", "on": "2026-11-22"}, "bad-day"),
                       ({"outcome": "nagged", "on": TODAY}, "unknown-outcome")):
        assert error_of(client.post(url, json=body, headers=grid1)) == (422, code)
    refused = client.post(url, json={"outcome": "contacted", "on": TODAY},
                          headers=world.headers["officer2"])
    assert error_of(refused) == (403, "outside-scope")
    closed = client.post(url, json={"outcome": "exemption-presented", "on": TODAY},
                         headers=grid1).json()
    assert closed["status"] == "closed" and len(closed["outcomes"]) == 2
    assert error_of(client.post(url, json={"outcome": "contacted", "on": TODAY},
                                headers=grid1)) == (409, "case-closed")
    shown = client.get(f"/api/followup/cases/{case_id}", headers=grid1).json()
    assert [o["outcome"] for o in shown["outcomes"]] == ["contacted", "exemption-presented"]
    assert error_of(client.get("/api/followup/cases/99999", headers=grid1)) == (
        404, "unknown-case")
    funnel = client.get("/api/followup/funnel", params={"area": "fz.s01"},
                        headers=world.headers["officer1"]).json()
    assert funnel == {"area": "fz.s01", "total": 2, "open": 1, "closed": 1, "stages": {
        "contacted": 0, "policy-explained": 0, "appointment-booked": 0, "vaccinated": 0,
        "exemption-presented": 1, "declined": 0, "moved-away": 0, "unreachable": 0,
        "not-yet-contacted": 1}}
    assert error_of(client.get("/api/followup/funnel", params={"area": "fz.s01"},
                               headers=world.headers["officer2"])) == (403, "outside-scope")


def test_the_survey_opens_cases_and_refuses_unknown_people(client: TestClient,
                                                           world: World) -> None:
    grid1 = world.headers["grid1"]
    household = {"area": "fz.s01.c01.g01", "on": TODAY, "address": "1 Road, 3-201",
                 "members": [{"id_number": ZHANG, "status": "unvaccinated"},
                             {"id_number": WANG, "status": "vaccinated", "note": "card seen"}]}
    unknown = household | {"members": [household["members"][0],
                                       {"id_number": "110101190001019999", "status": "away"}]}
    refused = client.post("/api/followup/surveys", json=unknown, headers=grid1)
    assert error_of(refused) == (422, "unknown-person")
    assert refused.json()["error"]["message"] == (
        "members[1]: no resident of your area has this identity number")
    # WANG lives in fz.s02, outside grid1's grid: the very same answer, nothing stored.
    stranger = client.post("/api/followup/surveys", json=household, headers=grid1)
    assert (stranger.status_code, stranger.json()) == (refused.status_code, refused.json())
    empty = client.get("/api/followup/surveys", params={"area": "fz.s01"},
                       headers=world.headers["officer1"]).json()
    assert empty == {"area": "fz.s01", "grids": []}
    # The health authority's scope is the district: the same household is recorded.
    response = client.post("/api/followup/surveys", json=household,
                           headers=world.headers["cdc"])
    assert response.status_code == 201, response.text
    assert response.json()["members"] == 2 and response.json()["cases_opened"] == 1
    listed = client.get("/api/followup/worklist", params={"area": "fz.s01.c01.g01"},
                        headers=grid1).json()["items"]
    assert [(i["pid"], i["source"]) for i in listed] == [(world.pids["zhang"], "survey")]
    coverage = client.get("/api/followup/surveys", params={"area": "fz.s01"},
                          headers=world.headers["officer1"]).json()
    assert coverage["grids"] == [{"area": "fz.s01.c01.g01", "households": 1, "members": 2,
                                  "by_status": {"vaccinated": 1, "partly-vaccinated": 0,
                                                "unvaccinated": 1, "exempt": 0,
                                                "not-eligible": 0, "away": 0}}]
    elsewhere = household | {"area": "fz.s01.c02", "members": [
        {"id_number": LI, "status": "unvaccinated"}]}
    assert error_of(client.post("/api/followup/surveys", json=elsewhere,
                                headers=grid1)) == (403, "outside-scope")


def test_a_vaccination_import_closes_the_case_under_the_districts_pack(
        client: TestClient, world: World) -> None:
    assert _refresh(client, world, "officer1", "fz.s01")["open"] == 2
    doses = ("id_number,product,dose_number,series_total,date,site,lot\n"
             f"{ZHANG},BBIBP-CorV,1,2,2021-05-01,Clinic,L1\n")
    imported = client.post("/api/import/vaccinations", headers=world.headers["cdc"],
                           files={"file": ("doses.csv", doses.encode(), "text/csv")})
    assert imported.status_code == 200, imported.text
    items = client.get("/api/followup/worklist",
                       params={"area": "fz.s01", "status": "all"},
                       headers=world.headers["officer1"]).json()["items"]
    assert {i["pid"]: (i["status"], i["last_outcome"]) for i in items} == {
        world.pids["zhang"]: ("closed", "vaccinated"), world.pids["li"]: ("open", None)}
