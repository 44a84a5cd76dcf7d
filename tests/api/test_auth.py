"""Logging in, session and API tokens: who is refused, with which status and code."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from jointcheck.storage.models import ApiTokenRow
from tests.api.conftest import PASSWORD, MovableClock, World, add_user, bearer, error_of
from tests.integration.conftest import AT


def login(client: TestClient, username: str, password: str) -> tuple[int, dict[str, object]]:
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    return response.status_code, response.json()


def test_login_gives_a_session_token_that_expires(client: TestClient, world: World,
                                                  clock: MovableClock) -> None:
    add_user(world.db, "Officer3", "street-officer", "fz.s02", password=PASSWORD)
    status, body = login(client, "OFFICER3", PASSWORD)
    assert status == 200, body
    assert (body["username"], body["role"], body["scope"]) == ("officer3", "street-officer",
                                                                "fz.s02")
    assert body["expires_at"] == (AT + timedelta(hours=12)).isoformat().replace("+00:00", "Z")
    headers = bearer(str(body["token"]))
    assert client.get("/api/me", headers=headers).json()["username"] == "officer3"
    clock.advance(timedelta(hours=12))
    response = client.get("/api/me", headers=headers)
    assert error_of(response) == (401, "token-expired")
    assert response.headers["www-authenticate"] == "Bearer"


def test_login_failures_look_alike(client: TestClient, world: World) -> None:
    add_user(world.db, "officer3", "street-officer", "fz.s02", password=PASSWORD)
    wrong = client.post("/api/auth/login",
                        json={"username": "officer3", "password": "Wrong-pass-1"})
    unknown = client.post("/api/auth/login", json={"username": "nobody", "password": PASSWORD})
    token_only = client.post("/api/auth/login", json={"username": "cdc", "password": PASSWORD})
    for response in (wrong, unknown, token_only):
        assert error_of(response) == (401, "login-failed")
        assert response.headers["www-authenticate"] == "Bearer"
    assert wrong.json() == unknown.json() == token_only.json()


def test_logout_revokes_the_session_token(client: TestClient, world: World) -> None:
    add_user(world.db, "officer3", "street-officer", "fz.s02", password=PASSWORD)
    _, body = login(client, "officer3", PASSWORD)
    headers = bearer(str(body["token"]))
    response = client.post("/api/auth/logout", headers=headers)
    assert response.json() == {"token_id": body["token_id"], "revoked": True}
    assert error_of(client.get("/api/me", headers=headers)) == (401, "token-invalid")


def test_requests_without_or_with_a_wrong_token(client: TestClient, world: World) -> None:
    missing = client.get("/api/me")
    assert error_of(missing) == (401, "token-missing")
    assert missing.headers["www-authenticate"] == "Bearer"
    good = world.headers["cdc"]["Authorization"].removeprefix("Bearer ")
    prefix, token_id, secret = good.split("_", 2)
    other_secret = ("A" if secret[0] != "A" else "B") + secret[1:]
    for text in ("not-a-token", f"{prefix}_{token_id}_{other_secret}",
                 f"{prefix}_{'0' * 16}_{secret}", good + "x"):
        assert error_of(client.get("/api/me", headers=bearer(text))) == (401, "token-invalid")
    basic = client.get("/api/me", headers={"Authorization": f"Basic {good}"})
    assert error_of(basic) == (401, "token-missing")
    assert client.get("/api/me", headers=bearer(good)).status_code == 200


def test_a_revoked_api_token_is_refused(client: TestClient, world: World) -> None:
    issued = client.post("/api/users/mall/tokens", headers=world.headers["cdc"],
                         json={"label": "gate 2", "expires_days": 30})
    assert issued.status_code == 201, issued.json()
    body = issued.json()
    assert body["kind"] == "api" and body["token"].startswith(f"jct_{body['token_id']}_")
    headers = bearer(body["token"])
    assert client.get("/api/me", headers=headers).json()["username"] == "mall"
    revoked = client.delete(f"/api/tokens/{body['token_id']}", headers=world.headers["cdc"])
    assert revoked.json() == {"token_id": body["token_id"], "revoked": True}
    assert error_of(client.get("/api/me", headers=headers)) == (401, "token-invalid")
    again = client.delete(f"/api/tokens/{body['token_id']}", headers=world.headers["cdc"])
    assert again.json()["revoked"] is False
    unknown = client.delete(f"/api/tokens/{'f' * 16}", headers=world.headers["cdc"])
    assert error_of(unknown) == (404, "unknown-token")


def test_an_api_token_with_an_expiry_expires(client: TestClient, world: World,
                                             clock: MovableClock) -> None:
    body = client.post("/api/users/mall/tokens", headers=world.headers["cdc"],
                       json={"expires_days": 1}).json()
    assert client.get("/api/me", headers=bearer(body["token"])).status_code == 200
    clock.advance(timedelta(days=1, seconds=1))
    assert error_of(client.get("/api/me", headers=bearer(body["token"]))) == (401,
                                                                             "token-expired")


def test_a_token_narrowed_to_one_permission(client: TestClient, world: World) -> None:
    body = client.post("/api/users/cdc/tokens", headers=world.headers["cdc"],
                       json={"label": "reader", "permissions": ["audit.read"]}).json()
    assert body["permissions"] == ["audit.read"]
    headers = bearer(body["token"])
    assert client.get("/api/me", headers=headers).json()["permissions"] == ["audit.read"]
    assert client.get("/api/audit/verify", headers=headers).status_code == 200
    refused = client.get(f"/api/residents/{world.pids['li']}", headers=headers)
    assert error_of(refused) == (403, "role-not-allowed")
    bad = client.post("/api/users/mall/tokens", headers=world.headers["cdc"],
                      json={"permissions": ["registry.read"]})
    assert error_of(bad) == (422, "bad-permission")


def test_last_used_is_written_at_most_once_a_minute(client: TestClient, world: World,
                                                    clock: MovableClock) -> None:
    headers = world.headers["officer1"]
    token_id = headers["Authorization"].split("_")[1]

    def last_used() -> object:
        with world.db.session() as session:
            return session.scalar(select(ApiTokenRow.last_used_at)
                                  .where(ApiTokenRow.token_id == token_id))

    client.get("/api/me", headers=headers)
    assert last_used() == AT
    clock.advance(timedelta(seconds=30))
    client.get("/api/me", headers=headers)
    assert last_used() == AT
    clock.advance(timedelta(seconds=31))
    client.get("/api/me", headers=headers)
    assert last_used() == AT + timedelta(seconds=61)


def test_malformed_and_mistyped_bodies(client: TestClient) -> None:
    broken = client.post("/api/auth/login", content=b'{"username": "cdc",',
                         headers={"Content-Type": "application/json"})
    assert error_of(broken) == (400, "bad-json")
    assert broken.json()["error"]["stage"] == "input"
    typed = client.post("/api/auth/login", json={"username": 1, "password": "x"})
    assert error_of(typed) == (422, "bad-request")
    extra = client.post("/api/auth/login", json={"username": "a", "password": "b", "admin": True})
    assert error_of(extra) == (422, "bad-request")
    assert error_of(client.get("/api/nowhere")) == (404, "not-found")
