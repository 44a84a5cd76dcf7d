"""A node syncs, decides locally, works offline, refuses what it must, and shows why."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from jointcheck.checkpoint.events import new_event_id
from jointcheck.credentials.model import CodeColor
from jointcheck.errors import NodeError, TrustListError
from jointcheck.keystore import publish_trust_list
from jointcheck.node.app import create_node_app
from jointcheck.node.run import Node, open_node
from jointcheck.node.state import NodeState
from jointcheck.node.store import NodeStore
from jointcheck.node.sync import Syncer
from jointcheck.trust.trustlist import fingerprint
from tests.integration.conftest import AT
from tests.node.conftest import (
    ADULT,
    CHILD,
    OTHER_VENUE,
    ZHANG,
    District,
    ManualReadings,
    MovableClock,
    health_code,
    make_district,
    node_config,
    serve_in_process,
    unreachable_client,
    vaccination,
)


def post_check(page: TestClient, codes: list[str], event_id: str | None = None,
               end: bool = False) -> Any:
    body: dict[str, Any] = {"codes": codes, "end": end}
    if event_id is not None:
        body["event_id"] = event_id
    return page.post("/api/check", json=body)


def error_code(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


@pytest.fixture
def synced(node: Node) -> Node:
    assert node.syncer.sync_once() is True
    return node


def test_before_its_first_sync_a_node_refuses_to_check(node: Node, page: TestClient,
                                                       district: District) -> None:
    response = post_check(page, [health_code(district.keystore, AT)])
    assert error_code(response) == (503, "node-not-synced")
    status = page.get("/api/checkpoint/status").json()
    assert (status["mode"], status["venue"], status["online"]) == ("node", None, False)
    assert status["last_sync"] is None


def test_a_synced_node_shows_its_venue_policy_and_the_servers_time(
        synced: Node, page: TestClient, readings: ManualReadings) -> None:
    readings.jump(timedelta(minutes=-7))  # the tablet's clock is off; the server's time is used
    status = page.get("/api/checkpoint/status").json()
    assert status["venue"] == {"id": "v-mall-1", "name": "Mall", "category": "mall-supermarket"}
    assert status["policy"]["id"] == "fangzi-2021"
    assert status["trust_list"]["sequence"] == 1
    assert status["online"] is True and status["last_sync"] == "2026-11-23T08:30:00.000Z"
    assert status["time"]["source"] == "server"
    assert status["time"]["system_offset_seconds"] == pytest.approx(-420)
    assert status["clock_problem"] is None and status["stale"] == [] and status["problems"] == []
    assert status["lookup"] is True
    assert status["queue"] == {"events": 0, "registrations": 0}


def test_a_final_decision_is_queued_once_and_uploaded(synced: Node, page: TestClient,
                                                      district: District) -> None:
    store = district.keystore
    event_id = new_event_id()
    codes = [health_code(store, AT), vaccination(store, AT)]
    answer = post_check(page, codes, event_id).json()
    assert (answer["outcome"], answer["basis"], answer["final"]) == ("admit", "vaccinated", True)
    assert answer["event_id"] == event_id
    assert answer["holder"] == {"name": "张伟", "birth_year": "1990"}
    again = post_check(page, codes, event_id).json()  # the page retried
    assert again["event_id"] == event_id
    assert page.get("/api/checkpoint/status").json()["queue"]["events"] == 1

    assert synced.syncer.sync_once() is True
    assert page.get("/api/checkpoint/status").json()["queue"]["events"] == 0
    assert server_receipts(district) == {event_id: "admit"}


def test_a_scan_that_could_still_change_records_nothing(synced: Node, page: TestClient,
                                                        district: District) -> None:
    event_id = new_event_id()
    answer = post_check(page, [health_code(district.keystore, AT)], event_id).json()
    assert (answer["outcome"], answer["needs"], answer["final"]) == (
        "persuade", ["certificate"], False)
    assert answer["event_id"] is None
    assert page.get("/api/checkpoint/status").json()["queue"]["events"] == 0


def test_a_registration_follows_its_event_to_the_server(synced: Node, page: TestClient,
                                                        district: District) -> None:
    event_id = new_event_id()
    answer = post_check(page, [health_code(district.keystore, AT)], event_id, end=True).json()
    assert (answer["outcome"], answer["final"], answer["event_id"]) == (
        "persuade", True, event_id)
    fields = {"event_id": event_id, "name": "张伟", "id_number": ZHANG,
              "phone": "13800000000", "reason": "visiting a relative"}
    first = page.post("/api/registrations", json=fields)
    assert (first.status_code, first.json()) == (201, {"event_id": event_id, "recorded": True})
    second = page.post("/api/registrations", json=fields)
    assert (second.status_code, second.json()["recorded"]) == (200, False)
    assert page.get("/api/checkpoint/status").json()["queue"] == {"events": 1,
                                                                  "registrations": 1}
    assert synced.syncer.sync_once() is True
    assert page.get("/api/checkpoint/status").json()["queue"] == {"events": 0,
                                                                  "registrations": 0}
    assert server_registrations(district) == [event_id]


def test_registrations_are_refused_for_unknown_or_admitted_events(
        synced: Node, page: TestClient, district: District) -> None:
    store = district.keystore
    admitted = post_check(page, [health_code(store, AT), vaccination(store, AT)],
                          new_event_id()).json()["event_id"]
    fields = {"name": "张伟", "id_number": ZHANG, "phone": "13800000000", "reason": "work"}
    unknown = page.post("/api/registrations", json=fields | {"event_id": new_event_id()})
    assert error_code(unknown) == (422, "registration-event-unknown")
    refused = page.post("/api/registrations", json=fields | {"event_id": admitted})
    assert error_code(refused) == (422, "registration-invalid")
    malformed = page.post("/api/registrations", json=fields | {"event_id": "not-a-uuid"})
    assert error_code(malformed) == (422, "event-id-invalid")
    assert page.get("/api/checkpoint/status").json()["queue"]["registrations"] == 0


def test_bad_input_is_refused_and_changes_nothing(synced: Node, page: TestClient,
                                                  district: District) -> None:
    code = health_code(district.keystore, AT)
    assert error_code(post_check(page, [code], "123")) == (422, "event-id-invalid")
    assert error_code(page.post("/api/check", json={"codes": []})) == (422, "bad-request")
    wrong = page.post("/api/check", json={"codes": [code], "venue_category": "gym"})
    assert error_code(wrong) == (403, "venue-category-mismatch")
    forged = post_check(page, ["HC1:6BF+70790T9WJWG.FKY*4GO0"], new_event_id(), end=True)
    assert (forged.json()["outcome"], forged.json()["basis"]) == ("deny", "credential-invalid")
    assert page.get("/api/checkpoint/status").json()["queue"]["events"] == 1  # the denial


def test_offline_the_node_keeps_checking_and_uploads_when_back(
        synced: Node, page: TestClient, district: District) -> None:
    syncer, server = synced.syncer, synced.syncer.client
    syncer.client = unreachable_client()  # the network goes down
    assert syncer.sync_once() is False
    status = page.get("/api/checkpoint/status").json()
    assert status["online"] is False and status["lookup"] is False
    store = district.keystore
    answers = [post_check(page, [health_code(store, AT, holder), vaccination(store, AT, holder)],
                          new_event_id()).json() for holder in (ADULT, CHILD)]
    answers.append(post_check(page, [health_code(store, AT, color=CodeColor.YELLOW)],
                              new_event_id()).json())
    assert [(a["outcome"], a["basis"]) for a in answers] == [
        ("admit", "vaccinated"), ("admit", "not-eligible-age"), ("deny", "code-color")]
    lookup = page.post("/api/check/lookup", json={"id_number": ZHANG, "end": True})
    assert error_code(lookup) == (503, "server-unreachable")
    assert syncer.sync_once() is False
    assert page.get("/api/checkpoint/status").json()["queue"]["events"] == 3

    syncer.client = server  # and comes back
    assert syncer.sync_once() is True
    assert page.get("/api/checkpoint/status").json()["queue"]["events"] == 0
    assert sorted(server_receipts(district).values()) == ["admit", "admit", "deny"]


def test_a_lookup_is_forwarded_and_its_decision_recorded(synced: Node, page: TestClient,
                                                         district: District) -> None:
    event_id = new_event_id()
    answer = page.post("/api/check/lookup", json={"id_number": ZHANG, "event_id": event_id,
                                                   "end": True})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["outcome"], answer.json()["event_id"]) == ("persuade", event_id)
    registered = page.post("/api/registrations", json={
        "event_id": event_id, "name": "张伟", "id_number": ZHANG, "phone": "13800000000",
        "reason": "shopping"})
    assert registered.status_code == 201
    unknown = page.post("/api/check/lookup", json={"id_number": "110101199901010000"})
    assert error_code(unknown) == (404, "resident-unknown")  # the server's answer, passed on
    assert synced.syncer.sync_once() is True
    assert server_receipts(district) == {event_id: "persuade"}
    assert server_registrations(district) == [event_id]


def test_a_stale_policy_and_trust_list_show_until_the_server_confirms_them(
        synced: Node, page: TestClient, district: District, readings: ManualReadings,
        server_clock: MovableClock) -> None:
    readings.advance(timedelta(hours=25))  # a day offline
    later = AT + timedelta(hours=25)
    status = page.get("/api/checkpoint/status").json()
    assert {(s["what"], s["age_hours"]) for s in status["stale"]} == {
        ("trust-list", 25.0), ("policy", 25.0)}
    answer = post_check(page, [health_code(district.keystore, later),
                               vaccination(district.keystore, later)], new_event_id()).json()
    assert answer["outcome"] == "admit"  # still decided, with the staleness shown
    assert {s["what"] for s in answer["stale"]} == {"trust-list", "policy"}

    server_clock.instant = later
    assert synced.syncer.sync_once() is True
    assert page.get("/api/checkpoint/status").json()["stale"] == []


def test_documents_signed_by_another_anchor_are_refused(
        synced: Node, page: TestClient, tmp_path: Path, server_clock: MovableClock) -> None:
    impostor = make_district(tmp_path / "impostor", AT)  # its own key store and anchor
    with serve_in_process(impostor, server_clock) as other:
        syncer = Syncer(synced.state, other, impostor.token)
        assert syncer.sync_once() is True
    status = page.get("/api/checkpoint/status").json()
    problems = {p["what"]: p["code"] for p in status["problems"]}
    assert problems == {"trust-list": "anchor-unknown", "policy": "policy-bundle-signature"}
    assert status["trust_list"]["anchor_fingerprint"] == synced.state.pin
    code = health_code(impostor.keystore, AT)
    answer = post_check(page, [code], new_event_id(), end=True).json()
    assert (answer["outcome"], answer["credentials"][0]["code"]) == ("deny", "key-unknown")


def test_a_node_pinned_to_an_anchor_never_syncs_with_another(
        tmp_path: Path, district: District, server: TestClient,
        readings: ManualReadings) -> None:
    pinned = fingerprint(make_district(tmp_path / "real", AT).keystore.anchor)
    config = node_config(tmp_path / "pinned", district.token, anchor_fingerprint=pinned)
    with open_node(config, readings, client=server) as node, \
            TestClient(create_node_app(node.state, node.syncer)) as page:
        assert node.syncer.sync_once() is True
        assert error_code(post_check(page, [health_code(district.keystore, AT)])) == (
            503, "node-not-synced")
        problems = {p["what"]: p["code"]
                    for p in page.get("/api/checkpoint/status").json()["problems"]}
        assert problems["trust-list"] == "anchor-unknown"
    with pytest.raises(NodeError) as caught, \
            open_node(node_config(tmp_path / "pinned", district.token,
                                  anchor_fingerprint="ab" * 32), readings):
        pass
    assert caught.value.code == "anchor-mismatch"


def test_a_token_of_another_venue_is_refused_at_sync(
        tmp_path: Path, district: District, server: TestClient,
        readings: ManualReadings) -> None:
    config = node_config(tmp_path / "gym", district.token, venue=OTHER_VENUE)
    with open_node(config, readings, client=server) as node:
        node.syncer.sync_once()
        status = node.state.status()
        assert status["venue"] is None and status["last_sync"] is None
        assert {p["what"]: p["code"] for p in status["problems"]} == {
            "status": "venue-mismatch"}
        with pytest.raises(NodeError):
            node.state.ready()


def test_a_data_folder_belongs_to_one_venue(tmp_path: Path, district: District,
                                            readings: ManualReadings) -> None:
    with open_node(node_config(tmp_path / "n", district.token), readings):
        pass
    with pytest.raises(NodeError) as caught, \
            open_node(node_config(tmp_path / "n", district.token, venue=OTHER_VENUE), readings):
        pass
    assert caught.value.code == "venue-mismatch"


def test_a_revoked_token_shows_as_a_refusal_and_keeps_the_queue(
        synced: Node, page: TestClient, district: District) -> None:
    post_check(page, [health_code(district.keystore, AT)], new_event_id(), end=True)
    refused = Syncer(synced.state, synced.client, "jct_" + "0" * 16 + "_" + "A" * 43)
    assert refused.sync_once() is True
    status = page.get("/api/checkpoint/status").json()
    assert {p["what"]: p["code"] for p in status["problems"]} == {"status": "server-refused"}
    assert status["queue"]["events"] == 1 and status["lookup"] is False
    assert synced.syncer.sync_once() is True
    assert page.get("/api/checkpoint/status").json()["problems"] == []


def test_a_clock_that_jumped_stops_checks_until_the_server_is_reached(
        tmp_path: Path, district: District, server: TestClient, readings: ManualReadings,
        server_clock: MovableClock) -> None:
    config = node_config(tmp_path / "node", district.token)
    with open_node(config, readings, client=server) as first:
        assert first.syncer.sync_once() is True
    readings.advance(timedelta(minutes=10))
    # Restarted with the network down: it decides on the stored documents, at system time.
    with open_node(config, readings, client=unreachable_client()) as node, \
            TestClient(create_node_app(node.state, node.syncer)) as page:
        assert node.syncer.sync_once() is False
        at = readings.wall
        codes = [health_code(district.keystore, at), vaccination(district.keystore, at)]
        assert post_check(page, codes, new_event_id()).json()["outcome"] == "admit"
        assert page.get("/api/checkpoint/status").json()["time"]["source"] == "system"

        readings.jump(timedelta(hours=1))
        assert error_code(post_check(page, codes, new_event_id())) == (503, "clock-jumped")
        status = page.get("/api/checkpoint/status").json()
        assert status["clock_problem"]["code"] == "clock-jumped"
        registration = page.post("/api/registrations", json={
            "event_id": new_event_id(), "name": "张伟", "id_number": ZHANG,
            "phone": "13800000000", "reason": "work"})
        assert error_code(registration) == (503, "clock-jumped")

        server_clock.instant = at  # the true time, which the server knows
        node.syncer.client = server  # the network is back
        assert node.syncer.sync_once() is True
        assert post_check(page, codes, new_event_id()).json()["outcome"] == "admit"
        status = page.get("/api/checkpoint/status").json()
        assert status["clock_problem"] is None and status["time"]["source"] == "server"
        assert status["time"]["system_offset_seconds"] == pytest.approx(3600)


def test_a_clock_set_back_before_the_latest_time_seen_is_refused(
        tmp_path: Path, district: District, server: TestClient,
        readings: ManualReadings) -> None:
    config = node_config(tmp_path / "node", district.token)
    with open_node(config, readings, client=server) as first:
        assert first.syncer.sync_once() is True
    readings.jump(timedelta(days=-3))  # set back while the node was off
    with open_node(config, readings, client=unreachable_client()) as node, \
            TestClient(create_node_app(node.state, node.syncer)) as page:
        response = post_check(page, [health_code(district.keystore, AT)])
        assert error_code(response) == (503, "clock-behind")


def test_an_older_trust_list_does_not_replace_a_newer_one(tmp_path: Path,
                                                          district: District) -> None:
    keystore = district.keystore
    older = json.loads(keystore.trust_list_path.read_text())
    publish_trust_list(keystore, AT)
    newer = json.loads(keystore.trust_list_path.read_text())
    store = NodeStore(tmp_path / "node")
    try:
        state = NodeState(store, venue_id="v-mall-1", max_age=timedelta(hours=24),
                          readings=ManualReadings(AT))
        assert state.accept_trust_list(newer, AT).sequence == 2
        with pytest.raises(TrustListError) as caught:
            state.accept_trust_list(older, AT)
        assert caught.value.code == "trust-list-rollback"
    finally:
        store.close()


def test_the_token_never_reaches_the_log(synced: Node, district: District,
                                         caplog: pytest.LogCaptureFixture) -> None:
    secret = district.token.split("_", 2)[2]
    with caplog.at_level(logging.DEBUG):
        Syncer(synced.state, unreachable_client(), district.token).sync_once()
        Syncer(synced.state, synced.client, district.token[:-3] + "AAA").sync_once()
        synced.syncer.sync_once()
    assert caplog.records  # the refusal and the network error were logged
    assert all(secret not in record.getMessage() for record in caplog.records)


def test_the_node_serves_the_scanner_page(page: TestClient) -> None:
    response = page.get("/check")
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]


# -- what the server holds -----------------------------------------------------------------------


def _server_rows(district: District, sql: str) -> list[Any]:
    engine = create_engine(district.settings.database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(sql)))
    finally:
        engine.dispose()


def server_receipts(district: District) -> dict[str, str]:
    rows = _server_rows(district, "SELECT event_id, outcome FROM check_receipts")
    return {row[0]: row[1] for row in rows}


def server_registrations(district: District) -> list[str]:
    return [row[0] for row in _server_rows(district, "SELECT event_id FROM registrations")]

