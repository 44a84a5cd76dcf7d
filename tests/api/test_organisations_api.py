"""Organisations, rosters, posts, school investigations, meetings and coverage through the API,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jointcheck.storage.models import AuditLogRow, MembershipRow
from tests.api.conftest import MovableClock, World, add_user, error_of
from tests.integration.test_organisations import (
    POSTS,
    id_number,
    pid_of,
    seed_organisations,
    seed_people,
)


@pytest.fixture
def orgs(world: World, tmp_path: Path) -> World:
    """Return the world with the organisations' district and their admins and supervisor."""
    seed_people(world.db, world.keys, tmp_path)
    seed_organisations(world.db, world.keys)
    for username, role, scope in (("head", "org-admin", "sch-1"),
                                  ("boss", "org-admin", "rest-1"),
                                  ("catering", "industry-supervisor", "catering")):
        world.headers[username] = add_user(world.db, username, role, scope)
    return world


def count(world: World, model: type, **where: str) -> int:
    with world.db.session() as session:
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return session.scalar(query) or 0


def test_list_and_roster_within_scope(client: TestClient, orgs: World) -> None:
    listed = client.get("/api/organisations", headers=orgs.headers["officer1"])
    assert listed.status_code == 200, listed.text
    assert [(o["code"], o["service_industry"], o["members"])
            for o in listed.json()["organisations"]] == [("rest-1", True, 3),
                                                         ("sch-1", False, 7)]
    assert listed.json()["organisations"][0] == {
        "code": "rest-1", "name": "Riverside Restaurant", "type": "enterprise",
        "industry": "catering", "service_industry": True, "street": "fz.s01", "members": 3}
    mine = client.get("/api/organisations", params={"industry": "education"},
                      headers=orgs.headers["cdc"]).json()["organisations"]
    assert [o["code"] for o in mine] == ["sch-1"]

    roster = client.get("/api/organisations/sch-1/roster", headers=orgs.headers["head"])
    assert roster.status_code == 200, roster.text
    body = roster.json()
    assert body["organisation"] == "sch-1" and len(body["members"]) == 8
    t2 = next(m for m in body["members"] if m["pid"] == pid_of(orgs.keys, "t2"))
    assert t2 == {"pid": pid_of(orgs.keys, "t2"), "name": "Name T2", "birth_year": 1981,
                  "post": "first-line-teaching", "status": "unvaccinated", "may_hold": False,
                  "reason_en": t2["reason_en"], "reason_zh": t2["reason_zh"]}
    assert count(orgs, AuditLogRow, action="organisations.roster.read") == 1

    for user, code in (("boss", "sch-1"), ("officer2", "sch-1"), ("catering", "rest-1"),
                       ("mall", "sch-1")):
        refused = client.get(f"/api/organisations/{code}/roster", headers=orgs.headers[user])
        assert refused.status_code == 403, (user, refused.text)
    assert error_of(client.get("/api/organisations/nowhere/roster",
                               headers=orgs.headers["cdc"])) == (404, "unknown-organisation")
    assert count(orgs, AuditLogRow, action="organisations.roster.read") == 1


def test_posts_list_the_violations(client: TestClient, orgs: World) -> None:
    school = client.get("/api/organisations/sch-1/posts", headers=orgs.headers["head"]).json()
    assert [m["pid"] for m in school["violations"]] == [pid_of(orgs.keys, "t2")]
    assert school["by_post"]["first-line-teaching"] == {"members": 4, "may_hold": 3,
                                                        "may_not_hold": 1}
    cafe = client.get("/api/organisations/rest-1/posts", headers=orgs.headers["boss"]).json()
    assert [(m["pid"], m["status"]) for m in cafe["violations"]] == [
        (pid_of(orgs.keys, "w1"), "partial")]


def test_roster_changes_and_a_bad_csv(client: TestClient, orgs: World) -> None:
    base = "/api/organisations/rest-1/roster"
    added = client.post(base, json={"id_number": id_number("x1"), "post": "office"},
                        headers=orgs.headers["boss"])
    assert added.status_code == 201, added.text
    assert added.json() == {"organisation": "rest-1", "pid": pid_of(orgs.keys, "x1"),
                            "post": "office", "added": True}
    assert error_of(client.post(base, json={"id_number": "NOBODY1", "post": "office"},
                                headers=orgs.headers["boss"])) == (422, "unknown-person")
    assert error_of(client.post(base, json={"id_number": id_number("x1"), "post": "office"},
                                headers=orgs.headers["officer1"]))[0] == 403
    gone = client.delete(f"{base}/{pid_of(orgs.keys, 'x1')}", params={"post": "office"},
                         headers=orgs.headers["boss"])
    assert gone.status_code == 204, gone.text
    assert error_of(client.delete(f"{base}/{pid_of(orgs.keys, 'x1')}",
                                  params={"post": "office"},
                                  headers=orgs.headers["boss"])) == (404, "not-a-member")

    csv_headers = orgs.headers["boss"] | {"Content-Type": "text/csv"}
    good = f"id_number,post\n{id_number('x1')},logistics\n{id_number('w1')},front-line-service\n"
    imported = client.post(f"{base}/import", content=good.encode(), headers=csv_headers)
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"organisation": "rest-1", "added": 1, "unchanged": 1}
    before = count(orgs, MembershipRow)
    bad = f"id_number,post\n{id_number('t1')},office\n{id_number('t2')},chef\n"
    refused = client.post(f"{base}/import", content=bad.encode(), headers=csv_headers)
    assert error_of(refused) == (422, "unknown-post")
    assert "line 3" in refused.json()["error"]["message"]
    not_text = client.post(f"{base}/import", content=b"\xff\xfe\x00", headers=csv_headers)
    assert error_of(not_text) == (422, "bad-csv")
    assert count(orgs, MembershipRow) == before == len(POSTS) + 1


def test_school_investigation_through_the_api(client: TestClient, orgs: World,
                                              clock: MovableClock) -> None:
    base = "/api/organisations/sch-1/investigations"
    opened = client.post(base, json={"term_start": "2026-11-20"}, headers=orgs.headers["head"])
    assert opened.status_code == 201, opened.text
    body = opened.json()
    number = body["id"]
    assert (body["deadline"], body["days_left"], body["overdue"], body["complete"]) == (
        "2026-11-26", 3, False, False)
    assert body["groups"]["staff"] == {"total": 4, "checked": 0, "by_status": {
        "complete": 0, "partial": 0, "unvaccinated": 0, "exempt": 0, "not-eligible": 0}}
    assert error_of(client.post(base, json={"term_start": "2026-11-20"},
                                headers=orgs.headers["head"])) == (409, "investigation-exists")
    assert error_of(client.post("/api/organisations/rest-1/investigations",
                                json={"term_start": "2026-11-20"},
                                headers=orgs.headers["boss"])) == (422, "not-a-school")

    entry = {"pid": pid_of(orgs.keys, "s2"), "on": "2026-11-23"}
    for _ in range(2):
        recorded = client.post(f"{base}/{number}/entries", json=entry,
                               headers=orgs.headers["head"])
        assert recorded.status_code == 200, recorded.text
        assert recorded.json()["groups"]["students"]["checked"] == 1
        assert recorded.json()["groups"]["students"]["by_status"]["unvaccinated"] == 1

    clock.advance(timedelta(days=5))  # 2026-11-28: past the deadline
    late = client.get(f"{base}/{number}", headers=orgs.headers["officer1"]).json()
    assert late["overdue"] and late["days_left"] == 0
    done = client.post(f"{base}/{number}/check-all", json={"on": "2026-11-28"},
                       headers=orgs.headers["head"])
    assert done.status_code == 200, done.text
    assert done.json()["complete"] and not done.json()["overdue"]
    assert done.json()["groups"]["family"]["by_status"]["complete"] == 2
    listed = client.get(base, headers=orgs.headers["cdc"]).json()["investigations"]
    assert [item["id"] for item in listed] == [number]
    assert client.get(f"{base}/{number}", headers=orgs.headers["boss"]).status_code == 403
    assert error_of(client.get(f"{base}/{number + 50}",
                               headers=orgs.headers["head"])) == (404, "unknown-investigation")
    outsider = {"pid": pid_of(orgs.keys, "w1"), "on": "2026-11-28"}
    assert error_of(client.post(f"{base}/{number}/entries", json=outsider,
                                headers=orgs.headers["head"])) == (404, "not-a-member")
    tomorrow = {"pid": pid_of(orgs.keys, "s2"), "on": "2026-11-29"}
    assert error_of(client.post(f"{base}/{number}/entries", json=tomorrow,
                                headers=orgs.headers["head"])) == (422, "bad-day")


def test_meeting_check_and_coverage(client: TestClient, orgs: World) -> None:
    refs = [id_number("t1"), pid_of(orgs.keys, "t2"), id_number("s1")]
    answer = client.post("/api/organisations/sch-1/meetings/check",
                         json={"on": "2026-11-23", "kind": "meeting", "attendees": refs},
                         headers=orgs.headers["head"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["may_attend"], body["may_not_attend"], body["kind"]) == (2, 1, "meeting")
    assert [(a["ref"], a["may_attend"], a["status"]) for a in body["attendees"]] == [
        (refs[0], True, "complete"), (refs[1], False, "unvaccinated"),
        (refs[2], True, "not-eligible")]
    assert set(body["attendees"][0]) == {"ref", "name", "birth_year", "may_attend", "status",
                                         "reason_en", "reason_zh"}
    assert error_of(client.post("/api/organisations/sch-1/meetings/check",
                                json={"on": "2026-11-23", "kind": "party",
                                      "attendees": refs},
                                headers=orgs.headers["head"])) == (422, "bad-kind")

    supervised = client.get("/api/coverage/organisations", headers=orgs.headers["catering"])
    assert supervised.status_code == 200, supervised.text
    assert supervised.json()["organisations"] == [{
        "code": "rest-1", "name": "Riverside Restaurant", "industry": "catering",
        "members": 3, "complete": 1, "partial": 1, "unvaccinated": 0, "exempt": 1,
        "not_eligible": 0, "complete_rate": 0.3333}]
    industries = client.get("/api/coverage/industries",
                            headers=orgs.headers["cdc"]).json()["industries"]
    assert [(i["industry"], i["service_industry"], i["organisations"], i["members"])
            for i in industries] == [("catering", True, 1, 3), ("education", False, 1, 7),
                                     ("manufacturing", False, 1, 2)]
    by_street = client.get("/api/coverage/organisations", params={"street": "fz.s01"},
                           headers=orgs.headers["cdc"]).json()["organisations"]
    assert [o["code"] for o in by_street] == ["rest-1", "sch-1"]
    assert client.get("/api/coverage/industries",
                      headers=orgs.headers["zhang"]).status_code == 403
