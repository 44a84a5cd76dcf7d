"""Benchmark: scan to decision at a checkpoint node over HTTP, beside the bare verify + decide.

It sets up a district server (a temporary SQLite database, a key store, a venue and its
checkpoint token) and a node on a temporary data folder, each under uvicorn on a free
localhost port in a background thread, and syncs the node once. Then a client (``httpx``,
one keep-alive connection, as the page's browser keeps one) sends ``checks`` ``POST
/api/check`` calls to the node, each with a fresh health code and a vaccination certificate
of one of a few hundred people and a new event id, so each decision is final and queued on
disk (WAL, ``synchronous=FULL``) before it is answered. The node's background sync is off
while it is timed, so that uploads do not mix into the figures.

The reference, in the same run: the same codes verified and decided in process
(``trust.verify`` and ``rules.decision.decide`` on the node's synced trust list and policy),
with no HTTP, no JSON and no disk. The ratio is the node's median over the reference's:
what the page's round trip, the answer's JSON and the durable queue add to the decision.
Client, server and node share one Python process, so they also share its interpreter lock.
"""

from __future__ import annotations

import base64
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from jointcheck.api.app import create_app
from jointcheck.bench.scaffold import serving
from jointcheck.checkpoint.events import new_event_id
from jointcheck.config import Settings
from jointcheck.credentials.model import CodeColor
from jointcheck.credentials.payloads import Holder
from jointcheck.keystore import KeyStore, init_keystore
from jointcheck.node.app import create_node_app
from jointcheck.node.run import NodeConfig, open_node
from jointcheck.node.state import NodeState
from jointcheck.registry.areas import Area
from jointcheck.registry.venues import Venue
from jointcheck.rules.decision import decide
from jointcheck.services import tokens, users
from jointcheck.storage.db import make_engine, make_sessions, unit_of_work
from jointcheck.storage.migrations import migrate
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.venues import VenueRepository
from jointcheck.trust.issuer import IssuerProfile
from jointcheck.trust.verify import verify

PASSPHRASE = "bench-passphrase"
VENUE = "v-bench-mall"
PEOPLE = 200
WARM_UP = 50


def _b64(raw: bytes) -> SecretStr:
    return SecretStr(base64.b64encode(raw).decode())


def set_up(folder: Path, at: datetime) -> tuple[Settings, KeyStore, str]:
    """Make the server's database (a venue and its checkpoint user) and key store."""
    url = f"sqlite:///{folder / 'server.db'}"
    migrate(url)
    engine = make_engine(url)
    try:
        with unit_of_work(make_sessions(engine)) as session:
            AreaRepository(session).upsert([Area.of("bz", "Bench District"),
                                            Area.of("bz.s01", "Bench Street")])
            VenueRepository(session).add(Venue(VENUE, "Bench Mall", "mall-supermarket",
                                               "bz.s01", None))
            users.create_user(session, username="bench-gate", display_name="Bench gate",
                              role="venue-operator", scope=VENUE, password=None, at=at)
            token = tokens.issue_api_token(session, "bench-gate", at=at, label="node").text
    finally:
        engine.dispose()
    store = init_keystore(folder / "keystore", PASSPHRASE.encode(), at - timedelta(days=1),
                          IssuerProfile())
    settings = Settings(database_url=url, pseudonym_key=_b64(os.urandom(32)),
                        field_keys=_b64(os.urandom(32)), audit_key=_b64(os.urandom(32)),
                        key_dir=folder / "dev-keys", keystore_dir=store.directory,
                        key_passphrase=SecretStr(PASSPHRASE))
    return settings, store, token


def _people(store: KeyStore, at: datetime, count: int) -> list[list[str]]:
    """Return a health code and a vaccination certificate for each of ``count`` people."""
    issuer = store.issuer()
    pairs = []
    for index in range(count):
        holder = Holder("测试", f"人{index}", date(1960 + index % 40, 1 + index % 12, 1),
                        f"p1-bench-person-{index:06d}")
        pairs.append([issuer.health_code(holder, color=CodeColor.GREEN, at=at).text,
                      issuer.vaccination(holder, dose=2, series=2, when=date(2021, 6, 1),
                                         at=at).text])
    return pairs


def _through_node(page: httpx.Client, people: list[list[str]], checks: int) -> list[float]:
    times = []
    for index in range(checks):
        body = {"codes": people[index % len(people)], "event_id": new_event_id()}
        began = time.perf_counter()
        response = page.post("/api/check", json=body)
        elapsed = time.perf_counter() - began
        answer = response.json()
        if response.status_code != 200 or answer.get("event_id") != body["event_id"]:
            raise AssertionError(f"the node refused a benchmark check: {response.status_code} "
                                 f"{response.text[:200]}")
        times.append(elapsed)
    return times


def _in_process(state: NodeState, people: list[list[str]], checks: int) -> list[float]:
    ready = state.ready()
    times = []
    outcomes = set()
    for index in range(checks):
        codes = people[index % len(people)]
        began = time.perf_counter()
        at = state.time().now
        decision = decide(ready.pack, [verify(text, ready.trust, at) for text in codes],
                          ready.venue.category, at)
        times.append(time.perf_counter() - began)
        outcomes.add(decision.outcome.value)
    if outcomes != {"admit"}:
        raise AssertionError(f"the reference decided {sorted(outcomes)}, not admit")
    return times


def _percentile(times: list[float], fraction: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def run(checks: int = 2000) -> dict[str, Any]:
    """Time ``checks`` checks through a synced node over HTTP, and the bare verify + decide."""
    with tempfile.TemporaryDirectory(prefix="jointcheck-bench-node-") as name:
        folder = Path(name)
        at = datetime.now(UTC)
        settings, store, token = set_up(folder, at)
        people = _people(store, at, min(PEOPLE, checks))
        with serving(create_app(settings)) as server_url:
            config = NodeConfig(server=server_url, venue=VENUE, token=token,
                                data_dir=folder / "node")
            with open_node(config) as node:
                if not node.syncer.sync_once() or node.state.last_sync is None:
                    raise RuntimeError(f"the node did not sync: {node.state.problems()}")
                with serving(create_node_app(node.state, node.syncer)) as node_url, \
                        httpx.Client(base_url=node_url, timeout=30) as page:
                    _through_node(page, people, WARM_UP)
                    _in_process(node.state, people, WARM_UP)
                    http = _through_node(page, people, checks)
                    reference = _in_process(node.state, people, checks)
                queued = node.store.queue_sizes().events
    if queued != checks + WARM_UP:
        raise AssertionError(f"the node queued {queued} events for {checks + WARM_UP} checks")
    node_p50, ref_p50 = statistics.median(http), statistics.median(reference)
    return {
        "checks": checks, "people": len(people), "queued": queued,
        "node_ms_p50": round(1000 * node_p50, 3),
        "node_ms_p99": round(1000 * _percentile(http, 0.99), 3),
        "reference_ms_p50": round(1000 * ref_p50, 3),
        "reference_ms_p99": round(1000 * _percentile(reference, 0.99), 3),
        "ratio_p50": round(node_p50 / ref_p50, 2),
        "checks_per_s": round(len(http) / sum(http), 1),
    }
