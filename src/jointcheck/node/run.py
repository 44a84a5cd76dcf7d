"""Put a node together from its settings and run it: store, state, sync thread, web app."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import uvicorn

from jointcheck import __version__
from jointcheck.node.app import create_node_app
from jointcheck.node.clocks import Readings, system_reading
from jointcheck.node.state import NodeState
from jointcheck.node.store import NodeStore
from jointcheck.node.sync import Syncer

log = logging.getLogger("jointcheck.node")
TIMEOUT = httpx.Timeout(30.0, connect=5.0)


@dataclass(frozen=True)
class NodeConfig:
    """What ``jointcheck checkpoint`` was asked to run (the token never printed)."""

    server: str
    venue: str
    token: str = field(repr=False)
    data_dir: Path = Path("var/checkpoint")
    host: str = "127.0.0.1"
    port: int = 8100
    sync_seconds: float = 30.0
    max_age: timedelta = timedelta(hours=24)
    anchor_fingerprint: str | None = None


@dataclass
class Node:
    """A node's parts, opened and ready to serve."""

    config: NodeConfig
    store: NodeStore
    state: NodeState
    client: httpx.Client
    syncer: Syncer


@contextmanager
def open_node(config: NodeConfig, readings: Readings = system_reading,
              client: httpx.Client | None = None) -> Iterator[Node]:
    """Open the store, check what it holds, and make the sync client; close all at the end.

    Raises ``NodeError`` when the data folder belongs to another venue or pins another
    anchor than ``config.anchor_fingerprint``.
    """
    store = NodeStore(config.data_dir)
    try:
        state = NodeState(store, venue_id=config.venue, max_age=config.max_age,
                          readings=readings, anchor_fingerprint=config.anchor_fingerprint)
        http = client or httpx.Client(base_url=config.server.rstrip("/"), timeout=TIMEOUT,
                                      headers={"User-Agent": f"jointcheck-node/{__version__}"})
        try:
            yield Node(config, store, state, http, Syncer(state, http, config.token))
        finally:
            if client is None:  # a client passed in belongs to the caller
                http.close()
    finally:
        store.close()


def run_node(config: NodeConfig) -> None:
    """Serve the node on ``config.host:config.port`` until stopped, syncing in the background."""
    with open_node(config) as node:
        app = create_node_app(node.state, node.syncer, sync_every=config.sync_seconds)
        log.info("node.start venue %s, server %s, data %s", config.venue, config.server,
                 config.data_dir)
        uvicorn.run(app, host=config.host, port=config.port, log_level="info")
