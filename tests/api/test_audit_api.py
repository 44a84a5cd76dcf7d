"""Every read of personal data is audited; a changed, deleted or cut-off entry is detected.

The chain is checked three ways (the service, ``jointcheck audit verify`` and
``/api/audit/verify``) after the database is changed behind the service's back.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, update
from typer.testing import CliRunner

from jointcheck.cli.main import app as cli
from jointcheck.security.audit_chain import AuditEntry, ChainReport
from jointcheck.services import audit
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.models import AuditLogRow
from jointcheck.storage.repositories.audit import AuditRepository
from tests.api.conftest import AUDIT_KEY, World, error_of
from tests.integration.conftest import AT


def entries(world: World) -> list[AuditEntry]:
    with world.db.session() as session:
        return list(AuditRepository(session).stream())


def read_everyone(client: TestClient, world: World) -> None:
    for person in ("zhang", "li", "wang"):
        response = client.get(f"/api/residents/{world.pids[person]}",
                              headers=world.headers["cdc"])
        assert response.status_code == 200


def cli_verify(world: World, *extra: str) -> tuple[int, str]:
    env = {"JOINTCHECK_AUDIT_KEY": base64.b64encode(AUDIT_KEY).decode(),
           "JOINTCHECK_ENVIRONMENT": "development"}
    url = world.db.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["audit", "verify", "--db", url, *extra], env=env)
    return result.exit_code, result.stdout


def api_verify(client: TestClient, world: World) -> dict[str, object]:
    response = client.get("/api/audit/verify", headers=world.headers["cdc"])
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


def service_verify(world: World) -> ChainReport:
    with world.db.session() as session:
        return audit.verify(session, AUDIT_KEY)


def test_every_read_of_a_person_is_audited(client: TestClient, world: World) -> None:
    assert entries(world) == []
    read_everyone(client, world)
    client.get("/api/areas/fz.s01/residents", headers=world.headers["officer1"])
    client.get("/api/me", headers=world.headers["zhang"])
    client.get("/api/me", headers=world.headers["cdc"])  # not a resident: no personal data
    log = entries(world)
    assert [(e.actor_id, e.action, e.subject, e.area) for e in log] == [
        ("cdc", "registry.resident.read", world.pids["zhang"], "fz.s01.c01.g01"),
        ("cdc", "registry.resident.read", world.pids["li"], "fz.s01.c02"),
        ("cdc", "registry.resident.read", world.pids["wang"], "fz.s02.c01"),
        ("officer1", "registry.area.list", "fz.s01", "fz.s01"),
        ("zhang", "registry.resident.read", world.pids["zhang"], "fz.s01.c01.g01"),
    ]
    assert log[3].detail["count"] == 2 and log[3].actor_role == "street-officer"
    assert log[0].at == AT and [e.sequence for e in log] == [1, 2, 3, 4, 5]
    # A refused read reads nothing and writes nothing.
    refused = client.get(f"/api/residents/{world.pids['wang']}", headers=world.headers["officer1"])
    assert error_of(refused) == (403, "outside-scope")
    assert len(entries(world)) == 5
    assert service_verify(world).ok and cli_verify(world) == (
        0, "the audit chain of 5 entries is intact\n")


def test_changes_through_the_api_are_audited(client: TestClient, world: World) -> None:
    text = "id_number,name,sex,birth_date,phone,address,area\n" \
           "110101199501010044,赵 六,F,1995-01-01,,,fz.s01.c02\n"
    client.post("/api/import/residents", headers=world.headers["cdc"],
                files={"file": ("new.csv", text.encode(), "text/csv")})
    client.post("/api/users", headers=world.headers["cdc"],
                json={"username": "grid2", "role": "grid-worker", "scope": "fz.s01.c02"})
    token = client.post("/api/users/grid2/tokens", headers=world.headers["cdc"], json={}).json()
    client.delete(f"/api/tokens/{token['token_id']}", headers=world.headers["cdc"])
    assert [(e.action, e.subject, e.area) for e in entries(world)] == [
        ("registry.import.residents", "new.csv", "fz"),
        ("users.create", "grid2", "fz.s01.c02"),
        ("tokens.issue", "grid2", "fz.s01.c02"),
        ("tokens.revoke", "grid2", "fz.s01.c02"),
    ]
    assert entries(world)[0].detail == {"imported": 1, "unchanged": 0, "rejected": 0,
                                        "format": "csv"}


Tamper = Callable[[World], None]


def change_a_detail(world: World) -> None:
    with unit_of_work(world.db.sessions) as session:
        session.execute(update(AuditLogRow).where(AuditLogRow.sequence == 2)
                        .values(detail={"innocent": True}))


def delete_a_middle_entry(world: World) -> None:
    with unit_of_work(world.db.sessions) as session:
        session.execute(delete(AuditLogRow).where(AuditLogRow.sequence == 2))


def cut_the_tail(world: World) -> None:
    with unit_of_work(world.db.sessions) as session:
        session.execute(delete(AuditLogRow).where(AuditLogRow.sequence >= 3))


@pytest.mark.parametrize(("tamper", "sequence", "reason"), [
    (change_a_detail, 2, "entry-changed"),
    (delete_a_middle_entry, 2, "entry-deleted"),
    (cut_the_tail, 3, "tail-truncated"),
], ids=["changed", "deleted", "truncated"])
def test_verify_detects_tampering(client: TestClient, world: World, tamper: Tamper,
                                  sequence: int, reason: str) -> None:
    read_everyone(client, world)
    with unit_of_work(world.db.sessions) as session:
        assert audit.anchor(session, AUDIT_KEY, AT) == (3, entries(world)[-1].hash)
    read_everyone(client, world)
    assert api_verify(client, world)["ok"] is True
    tamper(world)
    report = service_verify(world)
    assert (report.ok, report.sequence, str(report.reason)) == (False, sequence, reason)
    body = api_verify(client, world)
    assert (body["ok"], body["sequence"], body["reason"]) == (False, sequence, reason)
    code, out = cli_verify(world)
    assert code == 1 and out.startswith(f"broken at entry {sequence}: {reason}: ")
    code, out = cli_verify(world, "--json")
    assert code == 1 and json.loads(out) == report.as_dict()


def test_a_cut_tail_needs_the_anchor(client: TestClient, world: World) -> None:
    read_everyone(client, world)
    cut_the_tail(world)
    # Without an anchor the two remaining entries are a consistent chain: that is why
    # anchors are written (and copied out).
    assert service_verify(world).ok
    with unit_of_work(world.db.sessions) as session:
        assert audit.anchor(session, AUDIT_KEY, AT)[0] == 2
    read_everyone(client, world)
    assert [e.sequence for e in entries(world)] == [1, 2, 3, 4, 5]
    assert service_verify(world).ok
    cut_the_tail(world)
    report = service_verify(world)
    assert (report.ok, str(report.reason)) == (True, "None")  # the anchor covers entry 2
    with unit_of_work(world.db.sessions) as session:
        session.execute(delete(AuditLogRow).where(AuditLogRow.sequence == 2))
    report = service_verify(world)
    assert (report.ok, report.sequence, str(report.reason)) == (False, 2, "tail-truncated")


def test_an_anchor_refuses_a_broken_chain(client: TestClient, world: World) -> None:
    read_everyone(client, world)
    change_a_detail(world)
    with pytest.raises(Exception, match="not anchored") as caught, \
            unit_of_work(world.db.sessions) as session:
        audit.anchor(session, AUDIT_KEY, AT)
    assert getattr(caught.value, "code", None) == "chain-broken"


def test_verify_needs_the_audit_permission(client: TestClient, world: World) -> None:
    for user in ("officer1", "mall", "zhang", "inspector"):
        response = client.get("/api/audit/verify", headers=world.headers[user])
        assert error_of(response) == (403, "role-not-allowed")
    assert error_of(client.get("/api/audit/verify")) == (401, "token-missing")
