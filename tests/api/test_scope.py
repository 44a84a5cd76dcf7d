"""Every endpoint checks role and area: the proofs the issue asks for, and their neighbours."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import VENUE, World, error_of


def resident(client: TestClient, world: World, reader: str, person: str) -> tuple[int, dict]:
    response = client.get(f"/api/residents/{world.pids[person]}", headers=world.headers[reader])
    return response.status_code, response.json()


def test_a_street_officer_cannot_read_another_street(client: TestClient, world: World) -> None:
    status, body = resident(client, world, "officer1", "li")
    assert status == 200 and body["area"] == "fz.s01.c02" and body["name"] == "李 娜"
    status, body = resident(client, world, "officer1", "wang")
    assert (status, body["error"]["code"]) == (403, "outside-scope")
    assert body["error"]["stage"] == "access"
    listing = client.get("/api/areas/fz.s02/residents", headers=world.headers["officer1"])
    assert error_of(listing) == (403, "outside-scope")
    status, body = resident(client, world, "officer2", "wang")
    assert status == 200 and body["name"] == "王 小明"
    # An unknown pid answers as one in another street: no probing which pids exist.
    unknown = client.get("/api/residents/p1-nobody", headers=world.headers["officer1"])
    assert error_of(unknown) == (403, "outside-scope")


def test_a_venue_operator_cannot_read_the_registry(client: TestClient, world: World) -> None:
    for person in ("zhang", "li", "wang"):
        status, body = resident(client, world, "mall", person)
        assert (status, body["error"]["code"]) == (403, "role-not-allowed")
    listing = client.get("/api/areas/fz.s01/residents", headers=world.headers["mall"])
    assert error_of(listing) == (403, "role-not-allowed")
    me = client.get("/api/me", headers=world.headers["mall"]).json()
    assert (me["role"], me["scope"], me["resident"]) == ("venue-operator", VENUE, None)


def test_a_resident_sees_only_their_own_record(client: TestClient, world: World) -> None:
    me = client.get("/api/me", headers=world.headers["zhang"])
    assert me.status_code == 200
    record = me.json()["resident"]
    assert record["pid"] == world.pids["zhang"] and record["name"] == "张 伟"
    assert record["id_number"] == "110101199003070011" and record["phone"] == "13800000000"
    status, own = resident(client, world, "zhang", "zhang")
    assert status == 200 and own == record
    for person in ("li", "wang"):
        status, body = resident(client, world, "zhang", person)
        assert (status, body["error"]["code"]) == (403, "outside-scope")
    # Not even whether a pid exists is told to a resident.
    unknown = client.get("/api/residents/p1-doesnotexist", headers=world.headers["zhang"])
    assert error_of(unknown) == (403, "outside-scope")
    listing = client.get("/api/areas/fz.s01.c01.g01/residents", headers=world.headers["zhang"])
    assert error_of(listing) == (403, "role-not-allowed")


def test_a_grid_worker_is_limited_to_its_grid(client: TestClient, world: World) -> None:
    status, body = resident(client, world, "grid1", "zhang")
    assert status == 200 and body["area"] == "fz.s01.c01.g01"
    assert body["id_number"] == "1101**********0011"
    for person in ("li", "wang"):
        status, body = resident(client, world, "grid1", person)
        assert (status, body["error"]["code"]) == (403, "outside-scope")
    inside = client.get("/api/areas/fz.s01.c01.g01/residents", headers=world.headers["grid1"])
    assert [r["name"] for r in inside.json()["residents"]] == ["张 伟"]
    for area in ("fz.s01.c01", "fz.s01", "fz"):
        listed = client.get(f"/api/areas/{area}/residents", headers=world.headers["grid1"])
        assert error_of(listed) == (403, "outside-scope")


def test_area_lists_are_minimal_and_paged(client: TestClient, world: World) -> None:
    page = client.get("/api/areas/fz/residents?limit=2", headers=world.headers["cdc"]).json()
    assert page["total"] == 3 and len(page["residents"]) == 2
    assert set(page["residents"][0]) == {"pid", "name", "sex", "birth_date", "area"}
    rest = client.get("/api/areas/fz/residents?limit=2&offset=2",
                      headers=world.headers["cdc"]).json()
    pids = [r["pid"] for r in page["residents"] + rest["residents"]]
    assert sorted(pids) == pids and set(pids) == set(world.pids.values())
    too_many = client.get("/api/areas/fz/residents?limit=101", headers=world.headers["cdc"])
    assert error_of(too_many) == (422, "bad-request")


def test_unknown_and_malformed_targets(client: TestClient, world: World) -> None:
    cdc = world.headers["cdc"]
    assert error_of(client.get("/api/residents/p1-nobody", headers=cdc)) == (404,
                                                                            "unknown-resident")
    assert error_of(client.get("/api/areas/fz.s09/residents", headers=cdc)) == (404,
                                                                               "unknown-area")
    assert error_of(client.get("/api/areas/FZ..x/residents", headers=cdc)) == (422,
                                                                              "bad-area-code")
    # Outside the scope, an area is refused whether it exists or not.
    officer = world.headers["officer1"]
    assert error_of(client.get("/api/areas/fz.s09/residents", headers=officer)) == (
        403, "outside-scope")


def test_the_health_authority_reads_the_whole_district(client: TestClient,
                                                       world: World) -> None:
    for person in ("zhang", "li", "wang"):
        status, body = resident(client, world, "cdc", person)
        assert status == 200 and len(body["id_number"]) == 18 and "*" not in body["id_number"]
    status, body = resident(client, world, "inspector", "li")
    assert (status, body["error"]["code"]) == (403, "role-not-allowed")


def test_managing_users_needs_the_role_and_a_real_scope(client: TestClient,
                                                        world: World) -> None:
    new = {"username": "grid2", "role": "grid-worker", "scope": "fz.s01.c02"}
    refused = client.post("/api/users", headers=world.headers["officer1"], json=new)
    assert error_of(refused) == (403, "role-not-allowed")
    created = client.post("/api/users", headers=world.headers["cdc"], json=new)
    assert created.status_code == 201, created.json()
    assert created.json()["has_password"] is False and created.json()["scope"] == "fz.s01.c02"
    again = client.post("/api/users", headers=world.headers["cdc"],
                        json=new | {"username": "GRID2"})
    assert error_of(again) == (409, "username-taken")
    cases = [({"scope": "fz.s01.c09"}, "unknown-scope"), ({"scope": "fz.s01"}, "bad-scope"),
             ({"role": "mayor"}, "bad-role"), ({"username": "x"}, "bad-request"),
             ({"username": "bad name!"}, "bad-username"),
             ({"password": "short"}, "password-too-short")]
    for change, code in cases:
        response = client.post("/api/users", headers=world.headers["cdc"],
                               json=new | {"username": "grid3"} | change)
        assert error_of(response) == (422, code), change
    strict = client.post("/api/users", headers=world.headers["cdc"],
                         json=new | {"username": "grid3", "scope": 7})
    assert error_of(strict) == (422, "bad-request")
    token = client.post("/api/users/grid2/tokens", headers=world.headers["officer1"], json={})
    assert error_of(token) == (403, "role-not-allowed")
    missing = client.post("/api/users/nobody/tokens", headers=world.headers["cdc"], json={})
    assert error_of(missing) == (404, "unknown-user")
