"""Use cases of the audit log: append a sealed entry, verify the chain, anchor its head.

Every read or change of personal data appends an entry (``AuditTrail.read`` for reads, which
every endpoint that shows a person calls), in the same transaction as the work it records: if
the request fails, the entry goes with it, and a committed read always has its entry.

Appends are serialised, because each entry seals the one before it. On PostgreSQL an append
first takes a transaction-scoped advisory lock (``AuditRepository.lock_for_append``), held
until the request commits or rolls back, so two requests never seal on the same predecessor.
SQLite allows one writer at a time: a second transaction that read the same last entry cannot
commit its insert over a newer snapshot, and the sequence number is the primary key, so a
fork fails loudly instead of being stored. Either way the chain stays one line.

Entries are sealed with the HMAC audit key (``jointcheck.config.audit_key``), which the
database does not hold. ``anchor`` records the current count and head; ``verify`` re-walks
the chain against the newest anchor, so a cut tail (the last entries deleted) is found even
though the remaining chain is consistent. Copy anchors out of the database (print them in the
daily report) to catch someone who can also delete anchors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from jointcheck.clock import Clock
from jointcheck.errors import AuditError
from jointcheck.security.access import Principal
from jointcheck.security.audit_chain import (
    GENESIS_PREV_HASH,
    AuditEntry,
    ChainReport,
    JsonValue,
    seal,
    verify_chain,
)
from jointcheck.storage.repositories.audit import AuditRepository


def append(session: Session, key: bytes, *, at: datetime, actor_id: str, actor_role: str,
           action: str, subject: str | None = None, area: str | None = None,
           detail: dict[str, JsonValue] | None = None) -> AuditEntry:
    """Seal an entry onto the end of the log and store it (in the caller's transaction)."""
    log = AuditRepository(session)
    log.lock_for_append()
    entry = seal(log.last(), at=at, actor_id=actor_id, actor_role=actor_role, action=action,
                 subject=subject, area=area, detail=detail, key=key)
    log.add(entry)
    return entry


@dataclass(frozen=True)
class AuditTrail:
    """The audit log of one unit of work: its session, the audit key and the clock."""

    session: Session
    key: bytes
    clock: Clock

    def record(self, principal: Principal, action: str, subject: str | None = None,
               area: str | None = None, detail: dict[str, JsonValue] | None = None
               ) -> AuditEntry:
        """Append an entry for something ``principal`` did."""
        return append(self.session, self.key, at=self.clock.now(), actor_id=principal.user_id,
                      actor_role=str(principal.role), action=action, subject=subject,
                      area=area, detail=detail)

    def read(self, principal: Principal, action: str, subject: str | None,
             area: str | None, detail: dict[str, JsonValue] | None = None) -> AuditEntry:
        """Append the entry of a read of personal data."""
        return self.record(principal, action, subject, area, detail)


def audited_read(trail: AuditTrail, principal: Principal, action: str, subject: str | None,
                 area: str | None, detail: dict[str, JsonValue] | None = None) -> AuditEntry:
    """Record that ``principal`` read the personal data of ``subject`` in ``area``."""
    return trail.read(principal, action, subject, area, detail)


def verify(session: Session, key: bytes) -> ChainReport:
    """Re-walk the whole log against the newest anchor; report the first break."""
    log = AuditRepository(session)
    anchor_row = log.latest_anchor()
    if anchor_row is None:
        return verify_chain(log.stream(), key=key)
    return verify_chain(log.stream(), expected_head=anchor_row.head,
                        expected_count=anchor_row.sequence, key=key)


def anchor(session: Session, key: bytes, at: datetime) -> tuple[int, str]:
    """Record the log's current count and head hash; return them (to copy out as well).

    The chain is verified first: anchoring a broken log would bless the break.
    """
    log = AuditRepository(session)
    log.lock_for_append()
    report = verify(session, key)
    if not report.ok:
        raise AuditError("chain-broken", f"not anchored: {report.message}")
    last = log.last()
    count, head = (0, GENESIS_PREV_HASH) if last is None else (last.sequence, last.hash)
    log.add_anchor(count, head, at)
    return count, head
