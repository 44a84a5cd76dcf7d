"""The checkpoint's calls on the server: the signed policy, the status, a scan in any order,
and the identity-number lookup for a person without a smartphone."""

from __future__ import annotations

import copy

import pytest
from fastapi.testclient import TestClient

from jointcheck.checkpoint.policy_bundle import load_policy_bundle
from jointcheck.errors import PolicyError
from jointcheck.keystore import KeyStore
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.repositories.audit import AuditRepository
from jointcheck.trust.certificates import make_anchor, new_private_key
from tests.api.conftest import LI, WANG, ZHANG, World, error_of
from tests.api.test_credentials_api import district as district  # noqa: PLC0414
from tests.api.test_credentials_api import issued
from tests.integration.conftest import AT


def scan(client: TestClient, world: World, codes: list[str], *, user: str = "mall",
         end: bool = False) -> dict:
    response = client.post("/api/check", headers=world.headers[user],
                           json={"codes": codes, "end": end})
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def test_the_policy_bundle_is_signed_by_the_trust_lists_anchor(
        issuing_client: TestClient, keystore: KeyStore) -> None:
    response = issuing_client.get("/api/policy")  # public, as the trust list
    assert response.status_code == 200, response.text
    bundle = load_policy_bundle(response.json(), keystore.anchor)
    assert bundle.pack.id == "fangzi-2021"
    assert bundle.issued_at == AT
    tampered = copy.deepcopy(response.json())
    tampered["pack"]["retention_days"] = 365
    with pytest.raises(PolicyError) as refused:
        load_policy_bundle(tampered, keystore.anchor)
    assert refused.value.code == "policy-bundle-signature"
    other = make_anchor(new_private_key(), "someone else", "CN", AT, AT.replace(year=2030))
    with pytest.raises(PolicyError) as foreign:  # a bundle signed under another anchor
        load_policy_bundle(response.json(), other)
    assert foreign.value.code == "policy-bundle-signature"


def test_status_names_the_venue_the_policy_and_the_time(
        issuing_client: TestClient, district: World) -> None:
    status = issuing_client.get("/api/checkpoint/status", headers=district.headers["mall"])
    assert status.status_code == 200, status.text
    body = status.json()
    assert body["mode"] == "server"
    assert body["venue"] == {"id": "v-mall-1", "name": "Mall", "category": "mall-supermarket"}
    assert body["policy"]["id"] == "fangzi-2021"
    assert body["lookup"] is True and body["stale"] == [] and body["clock_problem"] is None
    assert error_of(issuing_client.get("/api/checkpoint/status")) == (401, "token-missing")
    assert error_of(issuing_client.get("/api/checkpoint/status",
                                       headers=district.headers["zhang"])) \
        == (403, "role-not-allowed")


def test_codes_in_any_order_and_what_is_still_needed(
        issuing_client: TestClient, district: World) -> None:
    code = issued(issuing_client, district, "cdc", "zhang")["qr"]
    certificate = issued(issuing_client, district, "cdc", "zhang",
                         "vaccination-certificate")["qr"]
    first = scan(issuing_client, district, [certificate])
    assert (first["outcome"], first["needs"], first["final"]) == \
        ("deny", ["health-code"], False)
    both = scan(issuing_client, district, [certificate, code])
    assert (both["outcome"], both["basis"], both["needs"], both["final"]) == \
        ("admit", "vaccinated", [], True)
    assert [c["type"] for c in both["credentials"]] == ["vaccination",
                                                        "health-code"]
    # Wang has no dose: the health code alone persuades, but a certificate could still admit.
    wang = issued(issuing_client, district, "cdc", "wang")["qr"]
    waiting = scan(issuing_client, district, [wang])
    assert (waiting["outcome"], waiting["needs"], waiting["final"]) == \
        ("persuade", ["certificate"], False)
    ended = scan(issuing_client, district, [wang], end=True)
    assert (ended["outcome"], ended["needs"], ended["final"]) == ("persuade", [], True)
    assert set(ended["holder"]) == {"name", "birth_year"}


def test_lookup_by_identity_number_decides_as_a_scan_and_is_audited(
        issuing_client: TestClient, district: World) -> None:
    def lookup(number: str, user: str = "mall") -> dict:
        response = issuing_client.post("/api/check/lookup", headers=district.headers[user],
                                       json={"id_number": number})
        assert response.status_code == 200, response.text
        body: dict = response.json()
        return body

    zhang, li, wang = lookup(ZHANG), lookup(LI), lookup(WANG)
    assert (zhang["outcome"], zhang["basis"]) == ("admit", "vaccinated")
    assert (li["outcome"], li["basis"]) == ("admit", "exempt")
    assert (wang["outcome"], wang["basis"], wang["final"]) == ("persuade", "unvaccinated", True)
    assert zhang["holder"] == {"name": "张伟", "birth_year": "1990"}
    # Final at once: recorded as a check event, so Wang can be registered after the lookup.
    assert zhang["event_id"] and wang["event_id"] != zhang["event_id"]
    registered = issuing_client.post("/api/registrations", headers=district.headers["mall"],
                                     json={"event_id": wang["event_id"], "name": "王小明",
                                           "id_number": WANG, "phone": "13900000000",
                                           "reason": "delivery"})
    assert registered.status_code == 201, registered.text
    # A space typed in the number is the same number.
    assert lookup(ZHANG[:6] + " " + ZHANG[6:])["basis"] == "vaccinated"
    unknown = issuing_client.post("/api/check/lookup", headers=district.headers["mall"],
                                  json={"id_number": "110101190001010000"})
    assert error_of(unknown) == (404, "resident-unknown")
    with unit_of_work(district.db.sessions) as session:
        actions = [e.action for e in AuditRepository(session).stream()]
    assert actions.count("checks.lookup") == 4
    # A scanner token without checks.lookup, and users of other roles, may not look people up.
    gate = issuing_client.post("/api/users/mall/tokens", headers=district.headers["cdc"],
                               json={"label": "gate 1", "permissions": ["checks.upload"]})
    district.headers["gate"] = {"Authorization": f"Bearer {gate.json()['token']}"}
    for user in ("gate", "cdc", "officer1", "zhang"):
        refused = issuing_client.post("/api/check/lookup", headers=district.headers[user],
                                      json={"id_number": ZHANG})
        assert refused.status_code == 403, (user, refused.text)
