"""Queries of the audit log: the last entry, appends, the entries in order, the anchors.

Rows are turned into ``AuditEntry`` values here so the chain's core never sees the ORM.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from jointcheck.security.audit_chain import AuditEntry
from jointcheck.storage.models import AuditAnchorRow, AuditLogRow

STREAM_BATCH = 1000
# Any fixed 64-bit number: the advisory lock that serialises appends on PostgreSQL.
APPEND_LOCK = 0x6A63_7461_7564_6974


COLUMNS = (AuditLogRow.sequence, AuditLogRow.at, AuditLogRow.actor_id, AuditLogRow.actor_role,
           AuditLogRow.action, AuditLogRow.subject, AuditLogRow.area, AuditLogRow.detail,
           AuditLogRow.prev_hash, AuditLogRow.hash)


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(row.sequence, row.at, row.actor_id, row.actor_role, row.action,
                      row.subject, row.area, dict(row.detail), row.prev_hash, row.hash)


class AuditRepository:
    """The audit log's rows, in sequence order."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def lock_for_append(self) -> None:
        """Serialise appends until this transaction ends, before the head is read.

        PostgreSQL: a transaction-scoped advisory lock rather than ``SELECT ... FOR UPDATE``
        on the last row: the lock also holds for the very first entry, when there is no row
        to lock. SQLite: a write statement that changes nothing takes the database's write
        lock now; without it the head is read outside any write transaction, and two
        requests appending at once both chose the same next sequence number.
        """
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                 {"key": APPEND_LOCK})
        else:
            self.session.execute(text("UPDATE audit_log SET sequence = sequence WHERE 0"))

    def last(self) -> AuditEntry | None:
        """Return the entry with the highest sequence number, or None for an empty log."""
        row = self.session.execute(select(*COLUMNS).order_by(AuditLogRow.sequence.desc())
                                   .limit(1)).first()
        return None if row is None else _entry(row)

    def add(self, entry: AuditEntry) -> None:
        """Store a sealed entry."""
        self.session.add(AuditLogRow(
            sequence=entry.sequence, at=entry.at, actor_id=entry.actor_id,
            actor_role=entry.actor_role, action=entry.action, subject=entry.subject,
            area=entry.area, detail=dict(entry.detail), prev_hash=entry.prev_hash,
            hash=entry.hash))
        self.session.flush()

    def stream(self) -> Iterator[AuditEntry]:
        """Yield every entry in sequence order, a batch at a time (constant memory)."""
        after = 0
        while True:
            # Plain rows, not ORM objects: nothing piles up in the session's identity map.
            rows = list(self.session.execute(
                select(*COLUMNS).where(AuditLogRow.sequence > after)
                .order_by(AuditLogRow.sequence).limit(STREAM_BATCH)))
            for row in rows:
                yield _entry(row)
            if len(rows) < STREAM_BATCH:
                return
            after = rows[-1].sequence

    def count(self) -> int:
        """Return the number of stored entries."""
        return self.session.scalar(select(func.count()).select_from(AuditLogRow)) or 0

    def for_subject(self, subject: str) -> list[AuditEntry]:
        """Return the entries about ``subject`` in sequence order."""
        rows = self.session.execute(select(*COLUMNS).where(AuditLogRow.subject == subject)
                                    .order_by(AuditLogRow.sequence))
        return [_entry(row) for row in rows]

    def add_anchor(self, sequence: int, head: str, at: datetime) -> None:
        """Record that the log held ``sequence`` entries ending with ``head`` at ``at``."""
        self.session.add(AuditAnchorRow(sequence=sequence, head=head, at=at))
        self.session.flush()

    def latest_anchor(self) -> AuditAnchorRow | None:
        """Return the anchor with the highest count (the newest), or None."""
        return self.session.scalars(select(AuditAnchorRow)
                                    .order_by(AuditAnchorRow.sequence.desc(),
                                              AuditAnchorRow.id.desc()).limit(1)).first()
