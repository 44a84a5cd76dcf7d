"""The node's local SQLite file (``DIR/node.sqlite``): what it synced and what it must upload.

- ``documents``: the last good trust list, policy bundle and venue, each with the time the
  server last confirmed it;
- ``settings``: the pinned anchor's fingerprint and the time high-water mark;
- ``events``: the queue of check events (the event id is the key, so the same event sent
  twice by the page is one event);
- ``registrations``: the queue of registrations, their JSON sealed with AES-GCM under the
  key in ``DIR/node.key`` (bound to the event id);
- ``known_events``: the id, outcome and time of every recent event, kept a while after it
  was uploaded (no identity), so that a registration can follow its check and the page's
  retries are recognised;
- ``batches``: the upload in flight (one batch id per attempt).

The file runs in WAL mode with ``synchronous=FULL``: a check the page was told about is on
disk, and survives a power cut. Rows are deleted once the server acknowledged their batch, so
registrations' identities do not stay on the device. The files are readable by their owner
only (mode 0600).
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from jointcheck.checkpoint.events import (
    REGISTERING,
    CheckEvent,
    Registration,
    event_json,
    instant,
    iso,
    new_event_id,
    registration_json,
)
from jointcheck.errors import EventError, NodeError
from jointcheck.rules.policy import Outcome
from jointcheck.security.fieldcrypt import FieldCipher

DATABASE = "node.sqlite"
KEY_FILE = "node.key"
# How long an uploaded event is remembered (id, outcome and time only) for a registration.
KNOWN_FOR = timedelta(hours=48)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    name TEXT PRIMARY KEY, body TEXT NOT NULL, confirmed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY, body TEXT NOT NULL, batch_id TEXT);
CREATE TABLE IF NOT EXISTS registrations (
    event_id TEXT PRIMARY KEY, sealed BLOB NOT NULL, batch_id TEXT);
CREATE TABLE IF NOT EXISTS known_events (
    id TEXT PRIMARY KEY, outcome TEXT NOT NULL, checked_at TEXT NOT NULL,
    registered INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY, started_at TEXT NOT NULL, events INTEGER NOT NULL,
    registrations INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS events_batch ON events (batch_id);
CREATE INDEX IF NOT EXISTS registrations_batch ON registrations (batch_id);
CREATE INDEX IF NOT EXISTS known_events_time ON known_events (checked_at);
"""


class Document(NamedTuple):
    """A synced document as stored: its JSON and when the server last confirmed it."""

    body: dict[str, Any]
    confirmed_at: datetime


class Batch(NamedTuple):
    """One upload attempt: its id and the wire JSON of what it carries."""

    id: str
    events: list[dict[str, Any]]
    registrations: list[dict[str, Any]]


class QueueSizes(NamedTuple):
    """How many events and registrations wait for upload."""

    events: int
    registrations: int


class NodeStore:
    """The node's SQLite file; every method is one transaction, safe to call from any thread."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.directory = directory
        self.path = directory / DATABASE
        _create_private(self.path)
        self._cipher = FieldCipher({1: _node_key(directory / KEY_FILE)}, 1)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the file (checkpointing the write-ahead log)."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- synced state ------------------------------------------------------------------------

    def setting(self, name: str) -> str | None:
        """Return a stored setting (``anchor_fingerprint``, ``high_water``), or ``None``."""
        with self._transaction() as db:
            row = db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, name: str, value: str) -> None:
        """Store a setting."""
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)",
                       (name, value))

    def raise_high_water(self, at: datetime) -> None:
        """Store ``at`` as the latest time seen, unless a later one is stored."""
        with self._transaction() as db:
            _raise_high_water(db, at)

    def save_document(self, name: str, body: dict[str, Any], confirmed_at: datetime) -> None:
        """Store a document the server just confirmed (replacing the previous one)."""
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO documents (name, body, confirmed_at) "
                       "VALUES (?, ?, ?)", (name, json.dumps(body), iso(confirmed_at)))
            _raise_high_water(db, confirmed_at)

    def documents(self) -> dict[str, Document]:
        """Return the stored documents by name."""
        with self._transaction() as db:
            rows = db.execute("SELECT name, body, confirmed_at FROM documents").fetchall()
        return {name: Document(json.loads(body), instant(confirmed, "confirmed_at"))
                for name, body, confirmed in rows}

    # -- the queues ----------------------------------------------------------------------------

    def enqueue_event(self, event: CheckEvent) -> bool:
        """Queue a check event durably; return False if its id is known already (no change)."""
        with self._transaction() as db:
            known = db.execute(
                "INSERT OR IGNORE INTO known_events (id, outcome, checked_at) VALUES (?, ?, ?)",
                (event.id, event.outcome.value, iso(event.checked_at)))
            if known.rowcount == 0:
                return False
            db.execute("INSERT INTO events (id, body) VALUES (?, ?)",
                       (event.id, json.dumps(event_json(event), ensure_ascii=False)))
            _raise_high_water(db, event.checked_at)
        return True

    def known_outcome(self, event_id: str) -> Outcome | None:
        """Return the outcome of a known event, or ``None``."""
        with self._transaction() as db:
            row = db.execute("SELECT outcome FROM known_events WHERE id = ?",
                             (event_id,)).fetchone()
        return None if row is None else Outcome(row[0])

    def enqueue_registration(self, registration: Registration) -> bool:
        """Queue a registration durably; return False if its event has one already.

        Raises ``EventError``: ``registration-event-unknown`` (no such event at this node),
        ``registration-invalid`` (the event's outcome takes no registration).
        """
        event_id = registration.event_id
        with self._transaction() as db:
            row = db.execute("SELECT outcome, registered FROM known_events WHERE id = ?",
                             (event_id,)).fetchone()
            if row is None:
                raise EventError("registration-event-unknown",
                                 f"no check event {event_id} was recorded at this checkpoint")
            if Outcome(row[0]) not in REGISTERING:
                raise EventError("registration-invalid",
                                 f"an outcome of {row[0]} takes no registration")
            if row[1]:
                return False
            document = json.dumps(registration_json(registration), ensure_ascii=False)
            sealed = self._cipher.encrypt(document, _context(event_id))
            db.execute("INSERT INTO registrations (event_id, sealed) VALUES (?, ?)",
                       (event_id, sealed))
            db.execute("UPDATE known_events SET registered = 1 WHERE id = ?", (event_id,))
            _raise_high_water(db, registration.registered_at)
        return True

    def queue_sizes(self) -> QueueSizes:
        """Return how many events and registrations wait for upload."""
        with self._transaction() as db:
            events = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
            registrations = db.execute("SELECT COUNT(*) FROM registrations").fetchone()[0]
        return QueueSizes(int(events), int(registrations))

    # -- uploads -------------------------------------------------------------------------------

    def begin_batch(self, limit: int, started_at: datetime) -> Batch | None:
        """Return the next batch to upload (up to ``limit`` items), or ``None`` if none wait.

        The oldest events come first; a registration goes with its event's batch or after it.
        Each attempt has a new batch id; an attempt that was never acknowledged (a crash, a
        refusal, the network) is superseded, and its events are sent again in the next one.
        """
        batch_id = new_event_id()
        with self._transaction() as db:
            db.execute("DELETE FROM batches")
            events = db.execute("SELECT id, body FROM events ORDER BY rowid LIMIT ?",
                                (limit,)).fetchall()
            db.executemany("UPDATE events SET batch_id = ? WHERE id = ?",
                           [(batch_id, event_id) for event_id, _ in events])
            registrations = db.execute(
                "SELECT r.event_id, r.sealed FROM registrations r WHERE NOT EXISTS "
                "(SELECT 1 FROM events e WHERE e.id = r.event_id AND e.batch_id IS NOT ?) "
                "ORDER BY r.rowid LIMIT ?", (batch_id, limit - len(events))).fetchall()
            db.executemany("UPDATE registrations SET batch_id = ? WHERE event_id = ?",
                           [(batch_id, event_id) for event_id, _ in registrations])
            if not events and not registrations:
                return None
            db.execute("INSERT INTO batches (id, started_at, events, registrations) "
                       "VALUES (?, ?, ?, ?)",
                       (batch_id, iso(started_at), len(events), len(registrations)))
        return Batch(batch_id, [json.loads(body) for _, body in events],
                     [json.loads(self._cipher.decrypt(sealed, _context(event_id)))
                      for event_id, sealed in registrations])

    def batch_in_flight(self) -> str | None:
        """Return the id of the batch sent but not acknowledged, if any."""
        with self._transaction() as db:
            row = db.execute("SELECT id FROM batches").fetchone()
        return None if row is None else str(row[0])

    def acknowledge(self, batch_id: str) -> QueueSizes:
        """Delete what a batch the server committed carried; return how many rows went."""
        with self._transaction() as db:
            events = db.execute("DELETE FROM events WHERE batch_id = ?", (batch_id,)).rowcount
            registrations = db.execute("DELETE FROM registrations WHERE batch_id = ?",
                                       (batch_id,)).rowcount
            db.execute("DELETE FROM batches WHERE id = ?", (batch_id,))
        return QueueSizes(events, registrations)

    def forget_old(self, now: datetime) -> int:
        """Forget the known events checked ``KNOWN_FOR`` before ``now`` and no longer queued."""
        with self._transaction() as db:
            return db.execute(
                "DELETE FROM known_events WHERE checked_at < ? AND id NOT IN "
                "(SELECT id FROM events) AND id NOT IN (SELECT event_id FROM registrations)",
                (iso(now - KNOWN_FOR),)).rowcount


def _raise_high_water(db: sqlite3.Connection, at: datetime) -> None:
    row = db.execute("SELECT value FROM settings WHERE name = 'high_water'").fetchone()
    if row is None or instant(row[0], "high_water") < at:
        db.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('high_water', ?)",
                   (iso(at),))


def _context(event_id: str) -> str:
    return f"node-registration/{event_id}"


def _create_private(path: Path) -> None:
    """Create ``path`` readable by its owner only (SQLite gives its -wal and -shm the same)."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(descriptor)
    os.chmod(path, 0o600)


def _node_key(path: Path) -> bytes:
    """Return the node's key for sealing registrations, made on first use (mode 0600)."""
    if not path.exists():
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(base64.b64encode(os.urandom(32)).decode() + "\n")
                handle.flush()
                os.fsync(handle.fileno())
    try:
        key = base64.b64decode(path.read_text().strip(), validate=True)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise NodeError("node-key-invalid", f"{path} does not hold a 32-byte key in base64")
    return key
