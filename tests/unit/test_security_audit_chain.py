"""The hash-chained audit log: sealing, verifying, and every kind of tampering it must show."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointcheck.errors import AuditError
from jointcheck.security.audit_chain import (
    GENESIS_PREV_HASH,
    AuditEntry,
    ChainBreak,
    canonical_bytes,
    seal,
    verify_chain,
)

T = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def build(count: int = 6, key: bytes | None = None) -> list[AuditEntry]:
    """Return a log of ``count`` entries, one second apart, sealed with ``key``."""
    entries: list[AuditEntry] = []
    prev = None
    for n in range(count):
        prev = seal(prev, at=T + timedelta(seconds=n, microseconds=n), actor_id=f"user-{n % 3}",
                    actor_role="street-officer", action="registry.resident.read",
                    subject=f"p1-{n:04d}", area=f"fz.s01.c0{n % 4}",
                    detail={"fields": ["name", "doses"], "n": n, "why": "跟进"}, key=key)
        entries.append(prev)
    return entries


def broken(entries: list[AuditEntry], **options: Any) -> tuple[ChainBreak | None, int | None]:
    report = verify_chain(entries, **options)
    assert report.ok is (report.reason is None)
    return report.reason, report.sequence


def test_intact_chain_verifies() -> None:
    entries = build()
    report = verify_chain(entries)
    assert report.ok and report.count == 6 and report.head == entries[-1].hash
    assert [e.sequence for e in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0].prev_hash == GENESIS_PREV_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert verify_chain(entries, expected_head=entries[-1].hash, expected_count=6).ok
    assert verify_chain([]).ok


def test_hash_is_sha256_of_prev_hash_and_canonical_json() -> None:
    first = build(1)[0]
    canonical = canonical_bytes(first)
    assert canonical == (
        '{"action":"registry.resident.read","actor_id":"user-0","actor_role":"street-officer",'
        '"area":"fz.s01.c00","at":"2024-06-01T08:00:00.000000Z",'
        '"detail":{"fields":["name","doses"],"n":0,"why":"跟进"},"sequence":1,'
        '"subject":"p1-0000","v":1}').encode()
    assert first.hash == hashlib.sha256(bytes(32) + canonical).hexdigest()
    keyed = build(1, key=KEY)[0]
    assert keyed.hash == hmac.new(KEY, bytes(32) + canonical, hashlib.sha256).hexdigest()


def test_instant_is_stored_in_utc_with_microseconds() -> None:
    east8 = timezone(timedelta(hours=8))
    entry = seal(None, at=datetime(2024, 6, 1, 16, 0, 0, 5, tzinfo=east8), actor_id="u",
                 actor_role="inspector", action="inspections.record.write")
    assert entry.at == datetime(2024, 6, 1, 8, 0, 0, 5, tzinfo=UTC)
    assert b'"at":"2024-06-01T08:00:00.000005Z"' in canonical_bytes(entry)
    # The same instant written in another zone is the same entry.
    assert verify_chain([dataclasses.replace(entry, at=entry.at.astimezone(east8))]).ok


def test_changed_detail_is_entry_changed_at_that_sequence() -> None:
    entries = build()
    entries[3] = dataclasses.replace(entries[3], detail={**entries[3].detail, "n": 99})
    assert broken(entries) == (ChainBreak.ENTRY_CHANGED, 4)
    report = verify_chain(entries)
    assert report.count == 3 and report.head == entries[2].hash


@pytest.mark.parametrize(("field", "value"), [
    ("actor_id", "user-9"), ("actor_role", "health-authority"),
    ("action", "registry.resident.write"), ("subject", "p1-9999"), ("subject", None),
    ("area", "fz.s02"), ("area", None), ("at", T), ("sequence", 4), ("sequence", 2),
    ("prev_hash", "f" * 64), ("prev_hash", "not hex"), ("hash", "0" * 64),
])
def test_any_changed_field_is_entry_changed(field: str, value: Any) -> None:
    entries = build()
    entries[2] = dataclasses.replace(entries[2], **{field: value})
    assert broken(entries) == (ChainBreak.ENTRY_CHANGED, 3)


def test_deleted_middle_entry_is_entry_deleted() -> None:
    entries = build()
    del entries[2]
    assert broken(entries) == (ChainBreak.ENTRY_DELETED, 3)
    assert broken(build()[1:]) == (ChainBreak.ENTRY_DELETED, 1)


def test_deleted_entry_with_renumbered_successors_is_detected() -> None:
    # The successors were renumbered by hand: their hashes no longer match.
    entries = build()
    del entries[2]
    entries[2:] = [dataclasses.replace(e, sequence=e.sequence - 1) for e in entries[2:]]
    assert broken(entries) == (ChainBreak.ENTRY_CHANGED, 3)


def test_replaced_predecessor_is_entry_deleted() -> None:
    # Entry 3 replaced by an entry sealed properly on entry 2: entry 4 no longer links to it.
    entries = build()
    entries[2] = seal(entries[1], at=T, actor_id="x", actor_role="inspector", action="a.b")
    assert broken(entries) == (ChainBreak.ENTRY_DELETED, 4)


@pytest.mark.parametrize(("i", "j"), [(2, 3), (1, 4), (0, 5)])
def test_swapped_entries_are_reordered(i: int, j: int) -> None:
    entries = build()
    entries[i], entries[j] = entries[j], entries[i]
    assert broken(entries) == (ChainBreak.ENTRY_REORDERED, i + 1)


def test_duplicated_entry_is_detected() -> None:
    entries = build()
    entries.insert(3, entries[2])
    assert broken(entries) == (ChainBreak.ENTRY_REORDERED, 4)


def test_dropped_tail_is_caught_by_an_anchor() -> None:
    entries = build()
    anchor = {"expected_count": 6, "expected_head": entries[-1].hash}
    # Without an anchor a shorter log is a consistent log: that is what anchors are for.
    assert verify_chain(entries[:4]).ok
    assert broken(entries[:4], expected_count=6) == (ChainBreak.TAIL_TRUNCATED, 5)
    assert broken(entries[:4], **anchor) == (ChainBreak.TAIL_TRUNCATED, 5)
    assert broken(entries[:4], expected_head=entries[-1].hash) == (ChainBreak.TAIL_TRUNCATED, 5)
    assert broken([], expected_count=1) == (ChainBreak.TAIL_TRUNCATED, 1)


def test_a_log_grown_after_its_anchor_still_verifies() -> None:
    entries = build(8)
    assert verify_chain(entries, expected_count=6, expected_head=entries[5].hash).ok
    assert verify_chain(entries, expected_count=0, expected_head=GENESIS_PREV_HASH).ok


def test_tail_cut_and_written_again_is_caught_by_the_head() -> None:
    entries = build()
    rewritten = entries[:3]
    prev = rewritten[-1]
    for _ in range(3):
        prev = seal(prev, at=T, actor_id="forger", actor_role="resident", action="self.read.x")
        rewritten.append(prev)
    assert verify_chain(rewritten).ok
    assert verify_chain(rewritten, expected_count=6).ok
    assert broken(rewritten, expected_count=6, expected_head=entries[5].hash) \
        == (ChainBreak.TAIL_TRUNCATED, 6)
    assert broken(rewritten, expected_head=entries[5].hash) == (ChainBreak.TAIL_TRUNCATED, 7)


def reseal_without(entries: list[AuditEntry], index: int, key: bytes | None) -> list[AuditEntry]:
    """Delete an entry and recompute every later one, as someone with table access would."""
    kept = entries[:index]
    prev = kept[-1] if kept else None
    for entry in entries[index + 1:]:
        prev = seal(prev, at=entry.at, actor_id=entry.actor_id, actor_role=entry.actor_role,
                    action=entry.action, subject=entry.subject, area=entry.area,
                    detail=entry.detail, key=key)
        kept.append(prev)
    return kept


def test_unkeyed_chain_can_be_recomputed_so_only_an_anchor_shows_it() -> None:
    entries = build()
    forged = reseal_without(entries, 2, key=None)
    assert verify_chain(forged).ok
    assert broken(forged, expected_count=6) == (ChainBreak.TAIL_TRUNCATED, 6)


def test_keyed_chain_cannot_be_recomputed_without_the_key() -> None:
    entries = build(key=KEY)
    assert verify_chain(entries, key=KEY).ok
    for guess in (None, OTHER_KEY):
        forged = reseal_without(entries, 2, key=guess)
        assert broken(forged, key=KEY) == (ChainBreak.ENTRY_CHANGED, 3)
    assert verify_chain(reseal_without(entries, 2, key=KEY), key=KEY).ok  # the key is the secret


def test_keyed_chain_does_not_verify_without_or_with_another_key() -> None:
    entries = build(key=KEY)
    assert broken(entries) == (ChainBreak.ENTRY_CHANGED, 1)
    assert "key" in verify_chain(entries).message
    assert broken(entries, key=OTHER_KEY) == (ChainBreak.ENTRY_CHANGED, 1)
    assert broken(build(), key=KEY) == (ChainBreak.ENTRY_CHANGED, 1)


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        build(1, key=b"short")
    with pytest.raises(ValueError, match="32 bytes"):
        verify_chain([], key=b"short")


def test_verify_streams_an_iterator() -> None:
    entries = build()

    def cursor() -> Iterator[AuditEntry]:
        yield from entries

    assert verify_chain(cursor()).ok
    del entries[1]
    assert verify_chain(cursor()).reason is ChainBreak.ENTRY_DELETED


def test_detail_is_copied_when_sealed() -> None:
    detail: dict[str, Any] = {"fields": ["name"]}
    entry = seal(None, at=T, actor_id="u", actor_role="grid-worker",
                 action="followup.outcome.write", detail=detail)
    detail["fields"].append("id_number")
    assert verify_chain([entry]).ok
    assert entry.detail == {"fields": ["name"]}


def test_exported_log_round_trips() -> None:
    entries = build(key=KEY)
    lines = [json.dumps(e.as_dict(), ensure_ascii=False) for e in entries]
    loaded = [AuditEntry.from_dict(json.loads(line)) for line in lines]
    assert loaded == entries
    assert verify_chain(loaded, key=KEY).ok
    with pytest.raises(AuditError):
        AuditEntry.from_dict({"sequence": 1})


def test_report_as_dict() -> None:
    entries = build()
    del entries[2]
    assert verify_chain(entries).as_dict() == {
        "ok": False, "count": 2, "head": entries[1].hash, "sequence": 3,
        "reason": "entry-deleted", "message": "entry 3 is missing: the log goes on at 4"}


@pytest.mark.parametrize("options", [
    {"at": datetime(2024, 6, 1)},  # noqa: DTZ001 - naive on purpose
    {"action": "read"},
    {"action": "Registry.Read"},
    {"actor_id": ""},
    {"detail": {"x": float("nan")}},
    {"detail": {1: "not a text key"}},
    {"detail": {"x": object()}},
    {"detail": {"x": "y" * 5000}},
    {"detail": {"x": [[[[[[[[[["deep"]]]]]]]]]]}},
])
def test_seal_refuses_bad_entries(options: dict[str, Any]) -> None:
    arguments: dict[str, Any] = {"at": T, "actor_id": "u", "actor_role": "inspector",
                                 "action": "inspections.record.write", **options}
    with pytest.raises(AuditError) as caught:
        seal(None, **arguments)
    assert caught.value.code == "bad-entry" and caught.value.stage == "audit"


# Properties: any single change of any entry is found, at that entry.

CHAIN = build(5)
TEXT_FIELDS = ("actor_id", "actor_role", "action", "subject", "area", "prev_hash", "hash")


@st.composite
def tampered(draw: st.DrawFn) -> tuple[list[AuditEntry], int]:
    """Return the chain with one field of one entry changed, and that entry's index."""
    index = draw(st.integers(0, len(CHAIN) - 1))
    entry = CHAIN[index]
    field = draw(st.sampled_from((*TEXT_FIELDS, "sequence", "at", "detail")))
    if field == "sequence":
        value: Any = entry.sequence + draw(st.integers(-3, 3).filter(bool))
    elif field == "at":
        value = entry.at + timedelta(microseconds=draw(st.integers(-10**9, 10**9).filter(bool)))
    elif field == "detail":
        key = draw(st.sampled_from(sorted(entry.detail)))
        old = entry.detail[key]
        new = draw(st.one_of(st.text(), st.integers()).filter(
            lambda v: v != old or type(v) is not type(old)))
        value = {**entry.detail, key: new}
    else:
        text = getattr(entry, field)
        at = draw(st.integers(0, len(text) - 1))
        old_char = text[at]
        char = draw(st.characters().filter(lambda c: c != old_char))
        value = text[:at] + char + text[at + 1:]
    entries = list(CHAIN)
    entries[index] = dataclasses.replace(entry, **{field: value})
    return entries, index


@PROPERTY
@given(tampered())
def test_any_single_change_is_entry_changed_at_that_entry(
        case: tuple[list[AuditEntry], int]) -> None:
    entries, index = case
    assert broken(entries) == (ChainBreak.ENTRY_CHANGED, index + 1)


EXPORT = "\n".join(json.dumps(e.as_dict(), ensure_ascii=False, separators=(",", ":"))
                   for e in CHAIN).encode()


@PROPERTY
@given(st.integers(0, len(EXPORT) - 1), st.integers(1, 255))
def test_any_single_byte_change_of_an_export_is_detected(position: int, delta: int) -> None:
    damaged = bytearray(EXPORT)
    damaged[position] = (damaged[position] + delta) % 256
    try:
        entries = [AuditEntry.from_dict(json.loads(line))
                   for line in bytes(damaged).decode().split("\n")]
    except (UnicodeDecodeError, ValueError, AuditError, TypeError, AttributeError):
        return  # the export no longer even reads: refused
    assert not verify_chain(entries).ok


def test_a_respelled_instant_in_an_export_is_refused() -> None:
    # datetime.fromisoformat reads "2024-06-01U08:00..." as the same instant; the export must not.
    line = EXPORT.split(b"\n")[0].decode()
    respelled = line.replace("T08:00:00", "U08:00:00", 1)
    assert respelled != line
    with pytest.raises(AuditError):
        AuditEntry.from_dict(json.loads(respelled))
