"""The restart test, with real processes: a node that loses its server and is killed loses nothing.

``jointcheck serve`` runs on a temporary SQLite database with a key store; ``jointcheck
checkpoint`` syncs with it. Then the server stops, people are checked through the node, the
node is killed with SIGKILL and started again (still offline), more people are checked, and
the server comes back: the node's queue empties, and the server holds every event exactly
once, and every registration.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from jointcheck.checkpoint.events import new_event_id
from jointcheck.credentials.model import CodeColor
from tests.node.conftest import (
    ADULT,
    CHILD,
    VENUE,
    ZHANG,
    District,
    health_code,
    make_district,
    vaccination,
)

# Generous: a loaded machine takes several seconds just to start a jointcheck process.
START_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(what: str, condition: Callable[[], bool], timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Process:
    """A ``jointcheck`` command in a subprocess, its output kept in a file for failures."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], folder: Path) -> None:
        self.name, self.args, self.env = name, args, env
        self.log = folder / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jointcheck.cli.main", *self.args], env=self.env,
                stdout=log, stderr=subprocess.STDOUT)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def server_env(district: District) -> dict[str, str]:
    settings = district.settings
    secrets = {"PSEUDONYM_KEY": settings.pseudonym_key, "FIELD_KEYS": settings.field_keys,
               "AUDIT_KEY": settings.audit_key, "KEY_PASSPHRASE": settings.key_passphrase}
    env = {key: value for key, value in os.environ.items() if not key.startswith("JOINTCHECK_")}
    env |= {f"JOINTCHECK_{name}": secret.get_secret_value()
            for name, secret in secrets.items() if secret is not None}
    env |= {"JOINTCHECK_DATABASE_URL": settings.database_url,
            "JOINTCHECK_ENVIRONMENT": "development",
            "JOINTCHECK_KEY_DIR": str(settings.key_dir),
            "JOINTCHECK_KEYSTORE_DIR": str(settings.keystore_dir)}
    return env


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        process.stop(signal.SIGKILL)


def test_a_node_killed_while_offline_loses_nothing_and_counts_nothing_twice(
        tmp_path: Path, processes: list[Process]) -> None:
    district = make_district(tmp_path / "server", datetime.now(UTC))
    server_url = f"http://127.0.0.1:{free_port()}"
    node_url = f"http://127.0.0.1:{free_port()}"
    env = server_env(district)
    server = Process("server", ["serve", "--port", server_url.rsplit(":", 1)[1]], env, tmp_path)
    node = Process("node", ["checkpoint", "--server", server_url, "--venue", VENUE,
                            "--data-dir", str(tmp_path / "node"), "--sync-seconds", "1",
                            "--port", node_url.rsplit(":", 1)[1]],
                   env | {"JOINTCHECK_CHECKPOINT_TOKEN": district.token}, tmp_path)
    processes.extend([server, node])
    page = httpx.Client(base_url=node_url, timeout=10)
    expected: Counter[str] = Counter()
    events: list[str] = []
    registered: list[str] = []

    def status() -> dict[str, Any]:
        return dict(page.get("/api/checkpoint/status").json())

    def check(codes: list[str], outcome: str, event_id: str | None = None,
              end: bool = False) -> str:
        event_id = event_id or new_event_id()
        response = page.post("/api/check", json={"codes": codes, "event_id": event_id,
                                                 "end": end})
        assert response.status_code == 200, response.text
        assert (response.json()["outcome"], response.json()["event_id"]) == (outcome, event_id)
        if event_id not in events:
            events.append(event_id)
            expected[outcome] += 1
        return event_id

    def register(event_id: str) -> None:
        response = page.post("/api/registrations", json={
            "event_id": event_id, "name": "张伟", "id_number": ZHANG,
            "phone": "13800000000", "reason": "buying medicine"})
        assert response.status_code == 201, response.text
        registered.append(event_id)

    def people() -> None:
        now, store = datetime.now(UTC), district.keystore
        check([health_code(store, now), vaccination(store, now)], "admit")
        check([health_code(store, now, CHILD), vaccination(store, now, CHILD)], "admit")
        register(check([health_code(store, now)], "persuade", end=True))
        check([health_code(store, now, ADULT, CodeColor.RED)], "deny")

    try:
        server.start()
        node.start()  # it syncs as soon as both are up
        wait_for("the node's first sync", lambda: status()["last_sync"] is not None)
        server.stop()

        people()
        again = check([health_code(district.keystore, datetime.now(UTC))], "persuade",
                      end=True)
        check([health_code(district.keystore, datetime.now(UTC))], "persuade", again,
              end=True)  # the page sent the same person twice: one event
        assert status()["queue"] == {"events": 5, "registrations": 1}

        node.stop(signal.SIGKILL)
        node.start()
        wait_for("the restarted node", lambda: page.get("/api/health").is_success)
        restarted = status()
        assert restarted["queue"] == {"events": 5, "registrations": 1}
        assert restarted["venue"]["id"] == VENUE and restarted["online"] is False
        people()
        assert status()["queue"] == {"events": 9, "registrations": 2}

        server.start()
        wait_for("the upload", lambda: status()["queue"] == {"events": 0, "registrations": 0})
        assert status()["online"] is True and status()["problems"] == []
    except AssertionError as failure:
        raise AssertionError(f"{failure}\n--- server ---\n{server.output()}\n"
                             f"--- node ---\n{node.output()}") from None
    finally:
        page.close()
    server.stop()
    node.stop()

    receipts, counts, registrations = server_holds(district)
    assert sorted(receipts) == sorted(events)
    assert counts == expected == Counter({"admit": 4, "persuade": 3, "deny": 2})
    assert sorted(registrations) == sorted(registered)


def server_holds(district: District) -> tuple[list[str], Counter[str], list[str]]:
    """Return the server's receipts, its counts per outcome, and its registrations."""
    engine = create_engine(district.settings.database_url)
    try:
        with engine.connect() as connection:
            receipts = [row[0] for row in connection.execute(
                text("SELECT event_id FROM check_receipts WHERE venue_code = :v"),
                {"v": VENUE})]
            counts = Counter({row[0]: int(row[1]) for row in connection.execute(
                text("SELECT outcome, SUM(count) FROM check_counts WHERE venue_code = :v "
                     "GROUP BY outcome"), {"v": VENUE})})
            registrations = [row[0] for row in connection.execute(
                text("SELECT event_id FROM registrations"))]
    finally:
        engine.dispose()
    return receipts, counts, registrations
