"""The whole flow over HTTP, from an empty database: an authority logs in, imports the registry,
issues a resident's codes, and a venue's checkpoint token checks them at a nursing home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from jointcheck.api.app import create_app
from jointcheck.keystore import KeyStore
from jointcheck.registry.venues import Venue
from jointcheck.services import users
from jointcheck.services.registry_import import import_areas
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.repositories.venues import VenueRepository
from tests.api.conftest import PASSWORD, MovableClock, bearer, settings_for, with_keystore
from tests.integration.conftest import AT, Database, write

HOME = "v-home-1"
RESIDENTS = """
id_number,name,sex,birth_date,phone,address,area
110101195203040011,赵 建国,M,1952-03-04,13800000001,"3 Road, Fangzi",fz.s01.c01
110101196805060022,钱 秀英,F,1968-05-06,,,fz.s01.c01
"""
VACCINATIONS = """
id_number,product,dose_number,series_total,date,site,lot
110101195203040011,CoronaVac,1,2,2021-04-10,Fangzi CDC,C1
110101195203040011,CoronaVac,2,2,2021-05-08,Fangzi CDC,C2
"""


@pytest.fixture
def bare(db: Database, tmp_path: Path) -> Database:
    """Return the database with only what the command line sets up: areas, a venue, one user."""
    with unit_of_work(db.sessions) as session:
        report = import_areas(session, write(tmp_path / "areas.csv", """
            code,name
            fz,Fangzi District
            fz.s01,First Street
            fz.s01.c01,East Community
            """))
        assert report.imported == 3, report.as_dict()
        VenueRepository(session).add(Venue(HOME, "Sunset Nursing Home", "nursing-home",
                                           "fz.s01", None))
        users.create_user(session, username="cdc", display_name="Fangzi CDC",
                          role="health-authority", scope="fz", password=PASSWORD, at=AT)
    return db


@pytest.fixture
def server(bare: Database, keystore: KeyStore, tmp_path: Path) -> Iterator[TestClient]:
    settings = with_keystore(settings_for(bare, tmp_path), keystore)
    with TestClient(create_app(settings, engine=bare.engine, clock=MovableClock(AT))) as client:
        yield client


def ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    body: dict = response.json()
    return body


def upload(client: TestClient, headers: dict[str, str], kind: str, text: str) -> dict:
    lines = "\n".join(line.strip() for line in text.strip().splitlines()) + "\n"
    return ok(client.post(f"/api/import/{kind}", headers=headers,
                          files={"file": (f"{kind}.csv", lines.encode(), "text/csv")}))


def checkpoint_token(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    """Create the nursing home's gate user and a token that may only upload checks."""
    ok(client.post("/api/users", headers=headers, json={
        "username": "home-gate", "display_name": "Sunset gate", "role": "venue-operator",
        "scope": HOME}), 201)
    token = ok(client.post("/api/users/home-gate/tokens", headers=headers, json={
        "label": "gate scanner 1", "permissions": ["checks.upload"]}), 201)
    assert token["permissions"] == ["checks.upload"]
    return bearer(token["token"])


def codes_of(client: TestClient, headers: dict[str, str], pid: str,
             kinds: tuple[str, ...]) -> list[str]:
    return [ok(client.post(f"/api/residents/{pid}/{kind}", headers=headers))["qr"]
            for kind in kinds]


def test_import_issue_and_check_at_a_nursing_home(server: TestClient) -> None:
    login = ok(server.post("/api/auth/login", json={"username": "cdc", "password": PASSWORD}))
    cdc = bearer(login["token"])
    assert upload(server, cdc, "residents", RESIDENTS)["imported"] == 2
    assert upload(server, cdc, "vaccinations", VACCINATIONS)["imported"] == 2
    listed = ok(server.get("/api/areas/fz.s01.c01/residents", headers=cdc))["residents"]
    pids = {r["name"]: r["pid"] for r in listed}
    assert set(pids) == {"赵 建国", "钱 秀英"}
    gate = checkpoint_token(server, cdc)

    zhao = codes_of(server, cdc, pids["赵 建国"], ("health-code", "vaccination-certificate"))
    decision = ok(server.post("/api/check", headers=gate,
                              json={"codes": zhao[::-1], "venue_category": "nursing-home"}))
    assert (decision["outcome"], decision["basis"]) == ("admit", "vaccinated")
    assert decision["holder"] == {"name": "赵建国", "birth_year": "1952"}
    assert decision["policy"]["id"] == "fangzi-2021"

    qian = codes_of(server, cdc, pids["钱 秀英"], ("health-code",))
    refused = server.post(f"/api/residents/{pids['钱 秀英']}/vaccination-certificate",
                          headers=cdc)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "no-vaccination"
    decision = ok(server.post("/api/check", headers=gate,
                              json={"codes": qian, "venue_category": "nursing-home"}))
    assert (decision["outcome"], decision["basis"]) == ("restrict", "unvaccinated")
    # Someone else's certificate beside one's own code is refused, not admitted.
    swapped = ok(server.post("/api/check", headers=gate, json={
        "codes": [qian[0], zhao[1]], "venue_category": "nursing-home"}))
    assert (swapped["outcome"], swapped["basis"]) == ("deny", "holder-mismatch")

    # The gate's token checks and does nothing else.
    assert server.get("/api/audit/verify", headers=gate).status_code == 403
    chain = ok(server.get("/api/audit/verify", headers=cdc))
    assert chain["ok"] is True and chain["reason"] is None
    # login, two imports, a listing, a user, a token, three credentials; a refused issue
    # rolls back with its entry, and checks at the door are not the audit log's
    assert chain["count"] == 9, chain
    ok(server.post("/api/auth/logout", headers=cdc))
    assert server.get("/api/audit/verify", headers=cdc).status_code == 401
