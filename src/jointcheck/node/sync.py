"""Syncing with the district server: the documents down, the queued events up.

Every ``--sync-seconds``, and at once when the node starts, a background thread:

1. asks ``GET /api/checkpoint/status`` with the node's token: the venue (it must be the
   node's ``--venue``) and the server's time, which becomes the node's time (read at the
   middle of the round trip on the forward clock);
2. fetches ``GET /api/trust-list`` and ``GET /api/policy`` and checks them against the pinned
   anchor; a refused document is not used, the last good one stays;
3. uploads the queue to ``POST /api/checks/batches`` in batches of up to 1,000 items, and
   deletes what each acknowledged batch carried.

A network error means offline: nothing is dropped, the next round tries again. A refusal by
the server (a 4xx or 5xx) is logged and shown in the status, and drops nothing either. The
token goes only in the ``Authorization`` header and is never logged.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from jointcheck.checkpoint.events import instant
from jointcheck.errors import EventError, JointcheckError, NodeError
from jointcheck.node.state import POLICY, STATUS, TRUST_LIST, UPLOAD, NodeState

log = logging.getLogger("jointcheck.node")

BATCH_SIZE = 1000
STOP_TIMEOUT = 30.0


class Syncer:
    """Sync one node with its server over ``client`` (whose base URL is the server)."""

    def __init__(self, node: NodeState, client: httpx.Client, token: str, *,
                 batch_size: int = BATCH_SIZE) -> None:
        self.node, self.client, self.batch_size = node, client, batch_size
        self._auth = {"Authorization": f"Bearer {token}"}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._busy = threading.Lock()
        self._offline_logged = False

    # -- one round -----------------------------------------------------------------------------

    def sync_once(self) -> bool:
        """Sync once: status and time, trust list, policy, then the queue; tell if online."""
        with self._busy:
            try:
                status_ok = self._status()
                trust_ok = self._document(TRUST_LIST, "/api/trust-list",
                                          self.node.accept_trust_list)
                policy_ok = self._document(POLICY, "/api/policy", self.node.accept_policy)
                if status_ok and trust_ok and policy_ok:
                    self.node.synced(self.node.time().now)
                if status_ok:
                    self._upload()
            except httpx.TransportError as error:
                self._offline(error)
                return False
            except NodeError as error:  # the node's own clock, after the server's time
                self.node.report(STATUS, error)
            with contextlib.suppress(NodeError):  # no time to measure by: forget nothing now
                self.node.store.forget_old(self.node.time().now)
            return True

    def _offline(self, error: httpx.TransportError) -> None:
        if not self._offline_logged:  # once per outage, not every round
            log.warning("node.sync.offline: the server cannot be reached (%s)",
                        type(error).__name__)
            self._offline_logged = True
        self.node.online = False

    def _reached(self) -> None:
        if self._offline_logged:
            log.info("node.sync.online: the server answers again")
            self._offline_logged = False
        self.node.online = True

    def _status(self) -> bool:
        before = self.node.readings().monotonic
        response = self.client.get("/api/checkpoint/status", headers=self._auth)
        after = self.node.readings().monotonic
        self._reached()
        if response.status_code != 200:
            self.node.server_lookup = False
            return self._refused(STATUS, response)
        try:
            body = response.json()
            server_time = instant(body["time"]["now"], "time.now")
            venue = body.get("venue")
        except (ValueError, KeyError, TypeError, EventError):
            self.node.report(STATUS, NodeError("server-refused",
                                               "the server's status is not what a node reads"))
            return False
        self.node.set_server_time(server_time, (before + after) / 2)
        try:
            self.node.accept_venue(venue, server_time)
        except NodeError as error:
            log.error("node.sync.refused status: %s (%s)", error.message, error.code)
            self.node.report(STATUS, error)
            return False
        self.node.server_lookup = body.get("lookup") is True
        self.node.report(STATUS, None)
        return True

    def _document(self, name: str, path: str,
                  accept: Callable[[Any, datetime], object]) -> bool:
        response = self.client.get(path)
        if response.status_code != 200:
            return self._refused(name, response)
        try:
            document = response.json()
            accept(document, self.node.time().now)
        except ValueError as error:
            if isinstance(error, JointcheckError):
                return self._refusal(name, error)
            return self._refusal(name, NodeError("server-refused", f"the {name} is not JSON"))
        except JointcheckError as error:
            return self._refusal(name, error)
        self.node.report(name, None)
        return True

    def _upload(self) -> None:
        store = self.node.store
        while (batch := store.begin_batch(self.batch_size, self.node.time().now)) is not None:
            response = self.client.post(
                "/api/checks/batches", headers=self._auth,
                json={"batch_id": batch.id, "events": batch.events,
                      "registrations": batch.registrations})
            if not response.is_success:
                self._refused(UPLOAD, response)
                return
            if not _acknowledges(response, batch.id, len(batch.events),
                                 len(batch.registrations)):
                self._refusal(UPLOAD, NodeError(
                    "server-refused", "the server's answer does not acknowledge the batch sent"))
                return
            done = store.acknowledge(batch.id)
            log.info("node.upload.acknowledged batch %s: %d events, %d registrations",
                     batch.id, done.events, done.registrations)
        self.node.report(UPLOAD, None)

    def _refused(self, what: str, response: httpx.Response) -> bool:
        return self._refusal(what, refusal_of(response))

    def _refusal(self, what: str, error: JointcheckError) -> bool:
        log.error("node.sync.refused %s: %s (%s)", what, error.message, error.code)
        self.node.report(what, error)
        return False

    # -- the identity-number lookup ------------------------------------------------------------

    def forward_lookup(self, body: dict[str, Any]) -> tuple[int, Any]:
        """Send a lookup to the server with the node's token; return its status and JSON."""
        try:
            response = self.client.post("/api/check/lookup", json=body, headers=self._auth)
        except httpx.TransportError as error:
            self._offline(error)
            raise NodeError("server-unreachable", "the server cannot be reached; looking a "
                            "person up by identity number needs it") from None
        self._reached()
        try:
            answer = response.json()
        except ValueError:
            raise NodeError("server-refused", f"the server answered {response.status_code} "
                            "without JSON") from None
        return response.status_code, answer

    # -- the background thread -----------------------------------------------------------------

    def start(self, every: float) -> None:
        """Sync now and then every ``every`` seconds on a background thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, args=(every,),
                                        name="jointcheck-node-sync", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread (after the round it is in)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=STOP_TIMEOUT)
            self._thread = None

    def _loop(self, every: float) -> None:
        while not self._stop.is_set():
            try:
                self.sync_once()
            except Exception:  # a bug must not end syncing for the rest of the day
                log.exception("node.sync.failed")
            self._stop.wait(every)


def refusal_of(response: httpx.Response) -> NodeError:
    """Return the server's refusal as a ``server-refused`` error naming its code."""
    try:
        detail = response.json()["error"]
        code, message = str(detail["code"]), str(detail["message"])
    except (ValueError, KeyError, TypeError):
        code, message = f"http-{response.status_code}", response.reason_phrase
    return NodeError("server-refused",
                     f"the server answered {response.status_code} ({code}): {message}")


def _acknowledges(response: httpx.Response, batch_id: str, events: int,
                  registrations: int) -> bool:
    try:
        body = response.json()
        return bool(body["batch_id"] == batch_id and body["events"]["received"] == events
                    and body["registrations"]["received"] == registrations)
    except (ValueError, KeyError, TypeError):
        return False
