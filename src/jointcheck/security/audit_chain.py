"""A tamper-evident, append-only audit log: each entry's hash covers the one before it.

Every read or change of personal data appends an ``AuditEntry``. ``seal`` gives the entry its
sequence number (one more than the previous entry's) and its hash::

    hash = SHA-256(prev_hash || canonical_bytes(entry))          without a key
    hash = HMAC-SHA-256(key, prev_hash || canonical_bytes(entry)) with a key (recommended)

where ``prev_hash`` is the previous entry's hash as 32 raw bytes (``GENESIS_PREV_HASH`` for
the first entry) and the canonical bytes are UTF-8 JSON with sorted keys and no whitespace,
the instant in UTC with microseconds. ``verify_chain`` re-walks the log and names the first
sequence number where it breaks, and why (``ChainBreak``).

Why a key. Without one, anyone who can write the audit table can also delete an entry and
recompute every hash after it: the chain is consistent again, and only an anchor kept
elsewhere (the count and head hash, ``expected_count`` and ``expected_head``) shows the cut.
With an HMAC key that the database does not hold (it lives with the service's other
secrets), a consistent chain cannot be recomputed without it. The key protects against
database write access; anchors copied out regularly (a daily report, a printed head) protect
against someone holding the key too. Use both.

Why the instant has microseconds: a stored instant that lost precision would no longer match
its hash; PostgreSQL and SQLite both keep microseconds.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeAlias

from jointcheck.errors import AuditError

FORMAT_VERSION = 1
GENESIS_PREV_HASH = "0" * 64
MIN_KEY_BYTES = 32
MAX_DETAIL_BYTES = 4096
ACTION = re.compile(r"[a-z][a-z0-9-]*(?:\.[a-z][a-z0-9-]*)+")
HASH = re.compile(r"[0-9a-f]{64}")

JsonValue: TypeAlias = bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None


class ChainBreak(StrEnum):
    """Why a chain does not verify."""

    ENTRY_CHANGED = "entry-changed"
    ENTRY_DELETED = "entry-deleted"
    ENTRY_REORDERED = "entry-reordered"
    TAIL_TRUNCATED = "tail-truncated"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One sealed entry: who did what to whom, where and when, and the hashes that chain it."""

    sequence: int
    at: datetime
    actor_id: str
    actor_role: str
    action: str
    subject: str | None
    area: str | None
    detail: Mapping[str, JsonValue] = field(default_factory=dict)
    prev_hash: str = GENESIS_PREV_HASH
    hash: str = ""

    def as_dict(self) -> dict[str, JsonValue]:
        """Return the entry as plain JSON values (the instant as canonical ISO text)."""
        return {
            "sequence": self.sequence, "at": format_instant(self.at),
            "actor_id": self.actor_id, "actor_role": self.actor_role, "action": self.action,
            "subject": self.subject, "area": self.area, "detail": dict(self.detail),
            "prev_hash": self.prev_hash, "hash": self.hash,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditEntry:
        """Return the entry ``as_dict`` wrote (for an exported log); raise ``AuditError``."""
        try:
            at = datetime.fromisoformat(data["at"])
            # fromisoformat takes any separator and many spellings; an export holds exactly the
            # canonical one, so a respelled instant is a changed entry, not the same one.
            if format_instant(at) != data["at"]:
                raise ValueError(f"instant {data['at']!r} is not in the canonical form")
            return cls(int(data["sequence"]), at,
                       str(data["actor_id"]), str(data["actor_role"]), str(data["action"]),
                       data["subject"], data["area"], dict(data["detail"]),
                       str(data["prev_hash"]), str(data["hash"]))
        except (KeyError, TypeError, ValueError) as error:
            raise AuditError("bad-entry", f"not an audit entry: {error}") from error


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of ``verify_chain``: intact, or the first sequence number that breaks."""

    ok: bool
    count: int
    head: str | None
    sequence: int | None = None
    reason: ChainBreak | None = None
    message: str = "the audit chain is intact"

    def as_dict(self) -> dict[str, JsonValue]:
        """Return the report as plain JSON values (for ``jointcheck audit verify --json``)."""
        return {"ok": self.ok, "count": self.count, "head": self.head,
                "sequence": self.sequence,
                "reason": None if self.reason is None else str(self.reason),
                "message": self.message}


def format_instant(at: datetime) -> str:
    """Return an aware instant as ISO 8601 UTC text with microseconds (``...T08:00:00.000000Z``)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise AuditError("bad-entry", "an audit instant needs a time zone")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _utc(at: datetime) -> datetime:
    format_instant(at)
    return at.astimezone(UTC)


def _check_json(value: Any, depth: int = 0) -> None:
    if depth > 8:
        raise AuditError("bad-entry", "the audit detail is nested too deeply")
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise AuditError("bad-entry", "the audit detail holds a number JSON cannot write")
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_json(item, depth + 1)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise AuditError("bad-entry", "the audit detail's keys are text")
            _check_json(item, depth + 1)
        return
    raise AuditError("bad-entry", f"the audit detail holds a {type(value).__name__}")


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def canonical_bytes(entry: AuditEntry) -> bytes:
    """Return the bytes an entry's hash covers: every field but the two hashes, as stable JSON."""
    return _dumps({
        "v": FORMAT_VERSION, "sequence": entry.sequence, "at": format_instant(entry.at),
        "actor_id": entry.actor_id, "actor_role": entry.actor_role, "action": entry.action,
        "subject": entry.subject, "area": entry.area, "detail": dict(entry.detail),
    }).encode("utf-8")


def _check_key(key: bytes | None) -> None:
    if key is not None and len(key) < MIN_KEY_BYTES:
        raise ValueError(f"an audit key needs at least {MIN_KEY_BYTES} bytes")


def entry_hash(entry: AuditEntry, key: bytes | None = None) -> str:
    """Return the hash ``entry`` should carry, chained on its own ``prev_hash``."""
    if HASH.fullmatch(entry.prev_hash) is None:
        raise AuditError("bad-entry", "the previous hash is not 64 hex characters")
    message = bytes.fromhex(entry.prev_hash) + canonical_bytes(entry)
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def seal(prev: AuditEntry | None, *, at: datetime, actor_id: str, actor_role: str,
         action: str, subject: str | None = None, area: str | None = None,
         detail: Mapping[str, JsonValue] | None = None, key: bytes | None = None) -> AuditEntry:
    """Return the entry that follows ``prev`` (or starts the log), sealed with its hash."""
    _check_key(key)
    if not actor_id or not actor_role:
        raise AuditError("bad-entry", "an audit entry names its actor and the actor's role")
    if ACTION.fullmatch(action) is None:
        raise AuditError("bad-entry", f"{action!r} is not a dotted action such as "
                         "registry.resident.read")
    detail = {} if detail is None else detail
    _check_json(detail)
    # A copy through JSON, so that the entry holds what its hash covers and nothing the
    # caller can still change.
    copied: dict[str, JsonValue] = json.loads(_dumps(dict(detail)))
    if len(_dumps(copied).encode()) > MAX_DETAIL_BYTES:
        raise AuditError("bad-entry", f"the audit detail exceeds {MAX_DETAIL_BYTES} bytes")
    draft = AuditEntry(
        sequence=1 if prev is None else prev.sequence + 1,
        at=_utc(at), actor_id=actor_id,
        actor_role=actor_role, action=action, subject=subject, area=area, detail=copied,
        prev_hash=GENESIS_PREV_HASH if prev is None else prev.hash)
    return replace(draft, hash=entry_hash(draft, key))


def _hash_matches(entry: AuditEntry, key: bytes | None) -> bool:
    try:
        expected = entry_hash(entry, key)
    except (AuditError, TypeError, ValueError, AttributeError):
        # A field of the wrong type or a naive instant: the entry was not written by seal.
        return False
    # Compared as bytes: compare_digest refuses str with non-ASCII characters.
    return isinstance(entry.hash, str) and hmac.compare_digest(expected.encode(),
                                                               entry.hash.encode())


def _appears_later(rest: Iterator[AuditEntry], sequence: int) -> bool:
    return any(getattr(entry, "sequence", None) == sequence for entry in rest)


def _broken(count: int, head: str | None, sequence: int, reason: ChainBreak,
            message: str) -> ChainReport:
    return ChainReport(False, count, head, sequence, reason, message)


def _link_break(entry: AuditEntry, expected: int, prev_hash: str,
                rest: Iterator[AuditEntry]) -> tuple[ChainBreak, str] | None:
    if entry.sequence != expected:
        if entry.sequence < expected or _appears_later(rest, expected):
            return (ChainBreak.ENTRY_REORDERED,
                    f"entry {expected} is out of place: entry {entry.sequence} stands there")
        return (ChainBreak.ENTRY_DELETED,
                f"entry {expected} is missing: the log goes on at {entry.sequence}")
    if entry.prev_hash != prev_hash:
        return (ChainBreak.ENTRY_DELETED,
                f"entry {expected} does not follow the entry before it: an entry was removed "
                "or replaced")
    return None


def _anchor_break(count: int, head: str | None, at_anchor: str | None,
                  expected_head: str | None, expected_count: int | None) -> ChainReport | None:
    if expected_count is not None and count < expected_count:
        return _broken(count, head, count + 1, ChainBreak.TAIL_TRUNCATED,
                       f"the anchor counts {expected_count} entries, the log holds {count}")
    if expected_head is None:
        return None
    found = at_anchor if expected_count is not None else head
    if found is not None and hmac.compare_digest(found.encode(), expected_head.encode()):
        return None
    if expected_count is not None:
        return _broken(count, head, max(expected_count, 1), ChainBreak.TAIL_TRUNCATED,
                       f"entry {expected_count} is not the anchored head: the log was cut "
                       "there and written again")
    return _broken(count, head, count + 1, ChainBreak.TAIL_TRUNCATED,
                   f"the log ends at entry {count}, not at the anchored head: entries after "
                   "it were dropped")


def verify_chain(entries: Iterable[AuditEntry], expected_head: str | None = None,
                 expected_count: int | None = None, *, key: bytes | None = None) -> ChainReport:
    """Re-walk ``entries`` in order and report the first break, or that the chain is intact.

    ``expected_count`` and ``expected_head`` are an anchor kept outside the database: the
    number of entries at some moment and the hash of the last of them (with only a head, the
    hash of the log's last entry). A log that has grown since still verifies. Memory stays
    constant, so a database cursor can be passed as it is.
    """
    _check_key(key)
    rest = iter(entries)
    prev_hash, count, at_anchor = GENESIS_PREV_HASH, 0, None
    head: str | None = None
    for entry in rest:
        expected = count + 1
        if not _hash_matches(entry, key):
            hint = "" if key is not None else " (a keyed log verifies only with its key)"
            return _broken(count, head, expected, ChainBreak.ENTRY_CHANGED,
                           f"entry {expected} does not match its hash: it was changed{hint}")
        link = _link_break(entry, expected, prev_hash, rest)
        if link is not None:
            return _broken(count, head, expected, *link)
        prev_hash = head = entry.hash
        count = expected
        if count == expected_count:
            at_anchor = head
    if expected_count == 0:
        at_anchor = GENESIS_PREV_HASH
    report = _anchor_break(count, head, at_anchor, expected_head, expected_count)
    if report is not None:
        return report
    return ChainReport(True, count, head, message=f"the audit chain of {count} entries is intact")
