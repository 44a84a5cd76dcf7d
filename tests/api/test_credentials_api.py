"""Credentials through the API: issuing, colours with a second user, revocation, key rotation."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from jointcheck.credentials.qr import read_qr
from jointcheck.keystore import KeyStore
from jointcheck.registry.people import Contraindication
from jointcheck.services.registry_import import import_vaccinations
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.repositories.residents import ContraindicationRepository
from jointcheck.trust.store import TrustStore
from jointcheck.trust.trustlist import load_trust_list
from jointcheck.trust.verify import Verification, verify
from tests.api.conftest import ZHANG, World, add_user, error_of
from tests.integration.conftest import AT, TZ, write

UNKNOWN_PID = "p" * 43
RED_REASON = "close contact of a confirmed case"


@pytest.fixture
def district(world: World, tmp_path: Path) -> World:
    """Return the world with Zhang's two doses, Li's contraindication and a second approver."""
    with unit_of_work(world.db.sessions) as session:
        report = import_vaccinations(session, write(tmp_path / "v.csv", f"""
            id_number,product,dose_number,series_total,date,site,lot
            {ZHANG},BBIBP-CorV,1,2,2021-05-01,Fangzi CDC,L1
            {ZHANG},BBIBP-CorV,2,2,2021-06-01,Fangzi CDC,L2
            """), world.keys, AT, TZ)
        assert report.imported == 2, report.as_dict()
        ContraindicationRepository(session).add(Contraindication(
            world.pids["li"], "Fangzi People's Hospital", 2, "allergy", date(2026, 1, 1),
            date(2027, 1, 1), "URN:UVCI:01:CN:FZ/EX1"))
    world.headers["cdc2"] = add_user(world.db, "cdc2", "health-authority", "fz")
    return world


def issue(client: TestClient, world: World, user: str, who: str,
          kind: str = "health-code") -> httpx.Response:
    pid = world.pids.get(who, who)
    return client.post(f"/api/residents/{pid}/{kind}", headers=world.headers[user])


def issued(client: TestClient, world: World, user: str, who: str,
           kind: str = "health-code") -> dict:
    response = issue(client, world, user, who, kind)
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def trust(client: TestClient, keystore: KeyStore) -> TrustStore:
    """Load the published trust list, pinned to the key store's anchor, as a checkpoint does."""
    response = client.get("/api/trust-list")  # public: no token
    assert response.status_code == 200, response.text
    return load_trust_list(response.content, [keystore.anchor]).store


def verified(client: TestClient, keystore: KeyStore, text: str) -> Verification:
    return verify(text, trust(client, keystore), AT)


def door(client: TestClient, world: World, codes: list[str], user: str = "mall") -> dict:
    """Check codes at the mall's door: its category comes from the registry, not the caller."""
    response = client.post("/api/check", headers=world.headers[user], json={"codes": codes})
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def color_request(client: TestClient, world: World, who: str, color: str,
                  reason: str = RED_REASON, user: str = "cdc") -> httpx.Response:
    return client.post(f"/api/residents/{world.pids.get(who, who)}/health-code/color",
                       headers=world.headers[user], json={"color": color, "reason": reason})


def decide_change(client: TestClient, world: World, change: int, verb: str, user: str,
                  note: str | None = None) -> httpx.Response:
    return client.post(f"/api/health-code/changes/{change}/{verb}", headers=world.headers[user],
                       json={"note": note})


def test_a_resident_issues_their_own_codes_and_no_one_elses(
        issuing_client: TestClient, district: World, keystore: KeyStore) -> None:
    code = issued(issuing_client, district, "zhang", "zhang")
    certificate = issued(issuing_client, district, "zhang", "zhang", "vaccination-certificate")
    assert (code["type"], certificate["type"]) == ("health-code", "vaccination")
    assert code["qr"].startswith("HC") and certificate["qr"].startswith("HC1:")
    assert verified(issuing_client, keystore, certificate["qr"]).valid
    for who in ("li", UNKNOWN_PID):  # an unknown pid is refused alike: existence is not told
        for kind in ("health-code", "vaccination-certificate", "exemption-certificate"):
            assert error_of(issue(issuing_client, district, "zhang", who, kind)) == (
                403, "role-not-allowed")
    # Zhang has no contraindication: nothing to issue, and it says so.
    assert error_of(issue(issuing_client, district, "zhang", "zhang",
                          "exemption-certificate")) == (422, "no-contraindication")


def test_the_authority_issues_anyones_and_others_cannot(
        issuing_client: TestClient, district: World, keystore: KeyStore) -> None:
    exemption = issued(issuing_client, district, "cdc", "li", "exemption-certificate")
    code = issued(issuing_client, district, "cdc", "wang")
    assert exemption["type"] == "exemption"
    result = verified(issuing_client, keystore, exemption["qr"])
    assert result.valid and result.credential is not None
    assert result.credential.certificate_id == exemption["certificate_id"]
    assert verified(issuing_client, keystore, code["qr"]).valid
    assert error_of(issue(issuing_client, district, "cdc", "wang",
                          "vaccination-certificate")) == (422, "no-vaccination")
    assert error_of(issue(issuing_client, district, "cdc", UNKNOWN_PID)) == (
        404, "resident-unknown")
    for user in ("officer1", "grid1", "mall", "inspector"):
        assert error_of(issue(issuing_client, district, user, "zhang")) == (
            403, "role-not-allowed"), user
    anonymous = issuing_client.post(f"/api/residents/{district.pids['zhang']}/health-code")
    assert error_of(anonymous) == (401, "token-missing")
    wrong_kind = issuing_client.post(f"/api/residents/{district.pids['zhang']}/passport",
                                     headers=district.headers["cdc"])
    assert wrong_kind.status_code == 422


def test_issued_qr_verifies_with_the_trust_list_and_its_png_reads_back(
        issuing_client: TestClient, district: World, keystore: KeyStore) -> None:
    for kind in ("health-code", "vaccination-certificate"):
        assert issued(issuing_client, district, "cdc", "zhang", kind)["png_base64"] is None
        response = issuing_client.post(f"/api/residents/{district.pids['zhang']}/{kind}?png=true",
                                       headers=district.headers["cdc"])
        assert response.status_code == 200, response.text
        body = response.json()
        assert read_qr(base64.b64decode(body["png_base64"])) == [body["qr"]]
        result = verified(issuing_client, keystore, body["qr"])
        assert result.valid, result.code
        assert result.credential is not None and result.credential.subject is not None
        assert result.credential.certificate_id == body["certificate_id"]
    lifetime = (AT + timedelta(minutes=10)).isoformat().replace("+00:00", "Z")
    assert issued(issuing_client, district, "zhang", "zhang")["expires_at"] == lifetime
    # A screenshot of a code is refused once the code's ten minutes are over.
    later = verify(body["qr"], trust(issuing_client, keystore), AT + timedelta(days=400))
    assert later.code == "expired"


def test_a_red_code_needs_a_second_user_and_the_resident_reads_why(
        issuing_client: TestClient, district: World, keystore: KeyStore) -> None:
    certificate = issued(issuing_client, district, "zhang", "zhang", "vaccination-certificate")
    asked = color_request(issuing_client, district, "zhang", "red")
    assert asked.status_code == 200, asked.text
    change = asked.json()
    assert (change["status"], change["from_color"], change["to_color"]) == (
        "pending", "green", "red")
    assert issued(issuing_client, district, "zhang", "zhang")["type"] == "health-code"
    green = issued(issuing_client, district, "zhang", "zhang")["qr"]
    assert door(issuing_client, district, [green, certificate["qr"]])["outcome"] == (
        "admit")  # a request alone changes nothing
    same = decide_change(issuing_client, district, change["id"], "approve", "cdc")
    assert error_of(same) == (403, "same-approver")
    for user in ("zhang", "officer1", "mall"):
        assert error_of(decide_change(issuing_client, district, change["id"], "approve",
                                      user)) == (403, "role-not-allowed")
    approved = decide_change(issuing_client, district, change["id"], "approve", "cdc2", "ok")
    assert approved.status_code == 200 and approved.json()["status"] == "applied"
    red = issued(issuing_client, district, "zhang", "zhang")["qr"]
    decision = door(issuing_client, district, [red, certificate["qr"]])
    assert (decision["outcome"], decision["basis"]) == ("deny", "code-color")
    assert decision["holder"] == {"name": "张伟", "birth_year": "1990"}
    history = issuing_client.get(f"/api/residents/{district.pids['zhang']}/health-code/history",
                                 headers=district.headers["zhang"])
    assert history.status_code == 200, history.text
    assert history.json()["color"] == "red"
    assert [(c["to_color"], c["reason"], c["requested_by"], c["decided_by"], c["status"],
             c["decision_note"]) for c in history.json()["changes"]] == [
        ("red", RED_REASON, "cdc", "cdc2", "applied", "ok")]
    for who in ("li", UNKNOWN_PID):  # another's history, or a pid that may not exist
        other = issuing_client.get(f"/api/residents/{district.pids.get(who, who)}"
                                   "/health-code/history", headers=district.headers["zhang"])
        assert error_of(other) == (403, "outside-scope")


def test_a_rejected_change_leaves_the_colour(issuing_client: TestClient, district: World,
                                             keystore: KeyStore) -> None:
    change = color_request(issuing_client, district, "zhang", "yellow", "travel from Ruili").json()
    rejected = decide_change(issuing_client, district, change["id"], "reject", "cdc2",
                             "no evidence")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    for verb in ("approve", "reject"):
        assert error_of(decide_change(issuing_client, district, change["id"], verb,
                                      "cdc2")) == (409, "change-decided")
    history = issuing_client.get(f"/api/residents/{district.pids['zhang']}/health-code/history",
                                 headers=district.headers["cdc"]).json()
    assert history["color"] == "green"
    assert [(c["status"], c["decided_by"]) for c in history["changes"]] == [
        ("rejected", "cdc2")]
    result = verified(issuing_client, keystore,
                      issued(issuing_client, district, "zhang", "zhang")["qr"])
    assert result.credential is not None
    assert result.credential.entries[0].color.value == "green"  # type: ignore[union-attr]


def test_bad_colour_requests_are_refused(issuing_client: TestClient, district: World) -> None:
    assert error_of(color_request(issuing_client, district, UNKNOWN_PID, "red")) == (
        404, "resident-unknown")
    assert error_of(color_request(issuing_client, district, "zhang", "blue")) == (
        422, "bad-request")
    assert error_of(color_request(issuing_client, district, "zhang", "red", "")) == (
        422, "bad-request")
    assert error_of(color_request(issuing_client, district, "zhang", "red", "      ")) == (
        422, "reason-missing")
    assert error_of(color_request(issuing_client, district, "zhang", "green")) == (
        422, "no-change")
    for user, code in (("officer1", "role-not-allowed"), ("zhang", "role-not-allowed"),
                       ("mall", "role-not-allowed")):
        assert error_of(color_request(issuing_client, district, "zhang", "red",
                                      user=user)) == (403, code)
    anonymous = issuing_client.post(
        f"/api/residents/{district.pids['zhang']}/health-code/color",
        json={"color": "red", "reason": RED_REASON})
    assert error_of(anonymous) == (401, "token-missing")
    assert error_of(decide_change(issuing_client, district, 999_999, "approve", "cdc2")) == (
        404, "change-unknown")
    assert error_of(decide_change(issuing_client, district, 999_999, "approve", "zhang")) == (
        403, "role-not-allowed")  # before the lookup: a resident learns nothing of requests


def test_a_change_overtaken_by_another_cannot_be_approved(issuing_client: TestClient,
                                                          district: World) -> None:
    to_red = color_request(issuing_client, district, "zhang", "red").json()
    to_yellow = color_request(issuing_client, district, "zhang", "yellow", "travel").json()
    assert decide_change(issuing_client, district, to_red["id"], "approve",
                         "cdc2").status_code == 200
    # Yellow was asked for as a step up from green; the code is red now.
    assert error_of(decide_change(issuing_client, district, to_yellow["id"], "approve",
                                  "cdc2")) == (409, "change-stale")
    assert decide_change(issuing_client, district, to_yellow["id"], "reject",
                         "cdc2").json()["status"] == "rejected"
    history = issuing_client.get(f"/api/residents/{district.pids['zhang']}/health-code/history",
                                 headers=district.headers["zhang"]).json()
    assert history["color"] == "red"


def test_a_revoked_certificate_is_refused_by_the_trust_list_and_at_the_door(
        issuing_client: TestClient, district: World, keystore: KeyStore) -> None:
    certificate = issued(issuing_client, district, "zhang", "zhang", "vaccination-certificate")
    before = issuing_client.get("/api/trust-list").json()["sequence"]
    assert "/" in certificate["certificate_id"] and "#" in certificate["certificate_id"]
    revoke = f"/api/credentials/{quote(certificate['certificate_id'], safe='')}/revoke"
    for user in ("zhang", "officer1", "mall"):
        assert error_of(issuing_client.post(revoke, headers=district.headers[user])) == (
            403, "role-not-allowed")
    assert error_of(issuing_client.post(revoke)) == (401, "token-missing")
    response = issuing_client.post(revoke, headers=district.headers["cdc"])
    assert (response.status_code, response.content) == (204, b"")
    assert issuing_client.get("/api/trust-list").json()["sequence"] == before + 1
    assert verified(issuing_client, keystore, certificate["qr"]).code == "revoked"
    code = issued(issuing_client, district, "zhang", "zhang")["qr"]
    decision = door(issuing_client, district, [code, certificate["qr"]])
    assert (decision["outcome"], decision["basis"]) == ("deny", "credential-invalid")
    assert [c["code"] for c in decision["credentials"]] == ["valid", "revoked"]
    assert error_of(issuing_client.post(revoke, headers=district.headers["cdc"])) == (
        409, "already-revoked")
    unknown = issuing_client.post("/api/credentials/URN:UVCI:01:CN:FZCDC/NOPE%23A/revoke",
                                  headers=district.headers["cdc"])
    assert error_of(unknown) == (404, "credential-unknown")
    fresh = issued(issuing_client, district, "zhang", "zhang", "vaccination-certificate")
    assert verified(issuing_client, keystore, fresh["qr"]).valid  # only that one is revoked
    # "/" left as it is works too ("#" must be encoded, or it starts a fragment).
    slash = fresh["certificate_id"].replace("#", "%23")
    assert issuing_client.post(f"/api/credentials/{slash}/revoke",
                               headers=district.headers["cdc"]).status_code == 204
    assert verified(issuing_client, keystore, fresh["qr"]).code == "revoked"


def health_code_kids(client: TestClient) -> set[bytes]:
    signers = client.get("/api/trust-list").json()["signers"]
    return {base64.b64decode(s["kid"]) for s in signers if "health-code" in s["usages"]}


def test_a_key_rotation_adds_a_signer_and_old_codes_keep_verifying(
        issuing_client: TestClient, district: World, keystore: KeyStore) -> None:
    old_kids = health_code_kids(issuing_client)
    old = issued(issuing_client, district, "zhang", "zhang")["qr"]
    for user in ("zhang", "officer1", "mall"):
        refused = issuing_client.post("/api/keys/rotate", headers=district.headers[user],
                                      json={"group": "health-code"})
        assert error_of(refused) == (403, "role-not-allowed")
    bad = issuing_client.post("/api/keys/rotate", headers=district.headers["cdc"],
                              json={"group": "passport"})
    assert error_of(bad) == (422, "bad-request")
    rotated = issuing_client.post("/api/keys/rotate", headers=district.headers["cdc"],
                                  json={"group": "health-code"})
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["label"].startswith("health-code-")
    new_kids = health_code_kids(issuing_client) - old_kids
    assert len(new_kids) == 1 and len(old_kids) == 1
    store = trust(issuing_client, keystore)
    old_result = verify(old, store, AT)
    assert old_result.valid and old_result.kid in old_kids
    new_result = verify(issued(issuing_client, district, "zhang", "zhang")["qr"], store, AT)
    assert new_result.valid and new_result.kid in new_kids
    certificate = issued(issuing_client, district, "zhang", "zhang", "vaccination-certificate")
    assert verify(certificate["qr"], store, AT).kid not in new_kids  # other groups unchanged
    decision = door(issuing_client, district, [old, certificate["qr"]])
    assert (decision["outcome"], decision["basis"]) == ("admit", "vaccinated")


def test_checking_at_the_door_needs_the_upload_permission(
        issuing_client: TestClient, district: World) -> None:
    code = issued(issuing_client, district, "zhang", "zhang")["qr"]
    gate = issuing_client.post("/api/users/mall/tokens", headers=district.headers["cdc"],
                               json={"label": "gate 1", "permissions": ["checks.upload"]})
    assert gate.status_code == 201, gate.text
    district.headers["gate"] = {"Authorization": f"Bearer {gate.json()['token']}"}
    decision = door(issuing_client, district, [code], user="gate")
    assert (decision["outcome"], decision["basis"]) == ("persuade", "unvaccinated")
    assert set(decision["holder"]) == {"name", "birth_year"}  # nothing medical beyond it
    for user in ("cdc", "zhang", "officer1", "inspector"):
        refused = issuing_client.post("/api/check", headers=district.headers[user],
                                      json={"codes": [code], "venue_category": "office"})
        assert error_of(refused) == (403, "role-not-allowed"), user
    forged = door(issuing_client, district, [code[:-8] + "AAAAAAAA"], user="gate")
    assert (forged["outcome"], forged["basis"]) == ("deny", "credential-invalid")
    empty = issuing_client.post("/api/check", headers=district.headers["gate"],
                                json={"codes": []})
    assert error_of(empty) == (422, "bad-request")
    # A gate cannot pick a looser category than its venue's.
    looser = issuing_client.post("/api/check", headers=district.headers["gate"],
                                 json={"codes": [code], "venue_category": "convenience-store"})
    assert error_of(looser) == (403, "venue-category-mismatch")


def test_a_server_without_a_key_store_issues_nothing(client: TestClient, world: World) -> None:
    response = client.post(f"/api/residents/{world.pids['zhang']}/health-code",
                           headers=world.headers["cdc"])
    assert error_of(response) == (503, "keystore-missing")
    assert error_of(client.get("/api/trust-list")) == (503, "keystore-missing")
    assert error_of(client.post("/api/keys/rotate", headers=world.headers["cdc"],
                                json={"group": "dcc"})) == (503, "keystore-missing")
