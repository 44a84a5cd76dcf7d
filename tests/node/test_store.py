"""The node's SQLite file: one event per id, batches resent after a crash, nothing left after."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jointcheck.checkpoint.events import CheckEvent, Registration, new_event_id
from jointcheck.errors import EventError, NodeError
from jointcheck.node.store import KEY_FILE, KNOWN_FOR, NodeStore
from jointcheck.rules.policy import Basis, Outcome

AT = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
VENUE = "v-mall-1"


def event(outcome: Outcome = Outcome.ADMIT, at: datetime = AT) -> CheckEvent:
    basis = Basis.VACCINATED if outcome is Outcome.ADMIT else Basis.UNVACCINATED
    return CheckEvent(new_event_id(), VENUE, at, outcome, basis, f"ordinary.{basis.value}",
                      "fangzi-2021", "1.0.0")


def registration(of: CheckEvent, name: str = "张伟") -> Registration:
    return Registration(of.id, VENUE, of.checked_at + timedelta(seconds=40), of.outcome, name,
                        "110101199003070011", "13800000000", "visiting a relative")


@pytest.fixture
def store(tmp_path: Path) -> NodeStore:
    opened = NodeStore(tmp_path / "node")
    yield opened
    opened.close()


def test_the_same_event_id_twice_is_one_event(store: NodeStore) -> None:
    first = event()
    assert store.enqueue_event(first) is True
    assert store.enqueue_event(first._replace(outcome=Outcome.DENY)) is False
    assert store.queue_sizes() == (1, 0)
    batch = store.begin_batch(1000, AT)
    assert batch is not None
    assert [e["outcome"] for e in batch.events] == ["admit"]


def test_an_event_already_uploaded_is_still_recognised(store: NodeStore) -> None:
    first = event()
    store.enqueue_event(first)
    batch = store.begin_batch(1000, AT)
    assert batch is not None
    store.acknowledge(batch.id)
    assert store.enqueue_event(first) is False
    assert store.queue_sizes() == (0, 0)


def test_batches_take_the_oldest_first_and_registrations_follow_their_events(
        store: NodeStore) -> None:
    events = [event(Outcome.PERSUADE) for _ in range(3)]
    for item in events:
        store.enqueue_event(item)
    assert store.enqueue_registration(registration(events[2])) is True
    first = store.begin_batch(2, AT)
    assert first is not None
    assert [e["id"] for e in first.events] == [events[0].id, events[1].id]
    assert first.registrations == []  # its event is not in this batch, nor on the server yet
    store.acknowledge(first.id)
    second = store.begin_batch(2, AT)
    assert second is not None
    assert [e["id"] for e in second.events] == [events[2].id]
    assert [r["event_id"] for r in second.registrations] == [events[2].id]
    assert second.registrations[0]["name"] == "张伟"
    store.acknowledge(second.id)
    assert store.begin_batch(2, AT) is None
    assert store.queue_sizes() == (0, 0)


def test_a_registration_after_its_event_was_uploaded_goes_alone(store: NodeStore) -> None:
    checked = event(Outcome.RESTRICT)
    store.enqueue_event(checked)
    batch = store.begin_batch(1000, AT)
    assert batch is not None
    store.acknowledge(batch.id)
    store.enqueue_registration(registration(checked))
    alone = store.begin_batch(1000, AT)
    assert alone is not None
    assert alone.events == [] and [r["event_id"] for r in alone.registrations] == [checked.id]


def test_a_batch_never_acknowledged_is_sent_again_after_a_crash(tmp_path: Path) -> None:
    store = NodeStore(tmp_path / "node")
    events = [event() for _ in range(5)]
    for item in events:
        store.enqueue_event(item)
    sent = store.begin_batch(1000, AT)
    assert sent is not None and store.batch_in_flight() == sent.id
    store.close()  # the node dies between the upload and the acknowledgement

    reopened = NodeStore(tmp_path / "node")
    try:
        assert reopened.queue_sizes() == (5, 0)
        again = reopened.begin_batch(1000, AT)
        assert again is not None
        assert again.id != sent.id  # a new attempt, the same events
        assert again.events == sent.events
        assert reopened.batch_in_flight() == again.id
        assert reopened.acknowledge(again.id) == (5, 0)
        assert reopened.batch_in_flight() is None
    finally:
        reopened.close()


def test_an_acknowledgement_deletes_only_what_its_batch_carried(store: NodeStore) -> None:
    store.enqueue_event(event())
    batch = store.begin_batch(1000, AT)
    assert batch is not None
    late = event()
    store.enqueue_event(late)  # checked while the upload was on its way
    assert store.acknowledge(batch.id) == (1, 0)
    rest = store.begin_batch(1000, AT)
    assert rest is not None and [e["id"] for e in rest.events] == [late.id]


def test_registrations_are_sealed_on_disk_and_gone_after_the_acknowledgement(
        store: NodeStore) -> None:
    name, number = "欧阳娜娜", "110101199003079999"
    checked = event(Outcome.PERSUADE)
    store.enqueue_event(checked)
    store.enqueue_registration(registration(checked, name)._replace(id_number=number))
    files = [store.path, store.path.with_name(store.path.name + "-wal")]
    raw = b"".join(path.read_bytes() for path in files if path.exists())
    assert name.encode() not in raw and number.encode() not in raw
    batch = store.begin_batch(1000, AT)
    assert batch is not None and batch.registrations[0]["id_number"] == number
    assert store.acknowledge(batch.id) == (1, 1)
    assert store.queue_sizes() == (0, 0)


def test_a_registration_needs_a_known_event_that_takes_one(store: NodeStore) -> None:
    admitted, persuaded = event(Outcome.ADMIT), event(Outcome.PERSUADE)
    store.enqueue_event(admitted)
    store.enqueue_event(persuaded)
    with pytest.raises(EventError) as caught:
        store.enqueue_registration(registration(event(Outcome.PERSUADE)))
    assert caught.value.code == "registration-event-unknown"
    with pytest.raises(EventError) as caught:
        store.enqueue_registration(registration(admitted)._replace(outcome=Outcome.PERSUADE))
    assert caught.value.code == "registration-invalid"
    assert store.enqueue_registration(registration(persuaded)) is True
    assert store.enqueue_registration(registration(persuaded, "李娜")) is False
    assert store.queue_sizes() == (2, 1)


def test_old_uploaded_events_are_forgotten_but_queued_ones_kept(store: NodeStore) -> None:
    old_uploaded, old_queued = event(Outcome.PERSUADE), event(Outcome.PERSUADE)
    store.enqueue_event(old_uploaded)
    batch = store.begin_batch(1000, AT)
    assert batch is not None
    store.acknowledge(batch.id)
    store.enqueue_event(old_queued)
    assert store.forget_old(AT + KNOWN_FOR + timedelta(minutes=1)) == 1
    assert store.known_outcome(old_uploaded.id) is None
    assert store.known_outcome(old_queued.id) is Outcome.PERSUADE


def test_the_high_water_mark_only_rises(store: NodeStore) -> None:
    store.raise_high_water(AT)
    store.raise_high_water(AT - timedelta(hours=1))
    assert store.setting("high_water") == "2026-11-23T08:30:00.000Z"
    store.enqueue_event(event(at=AT + timedelta(minutes=5)))
    assert store.setting("high_water") == "2026-11-23T08:35:00.000Z"


def test_documents_keep_their_confirmation_time(store: NodeStore) -> None:
    store.save_document("policy", {"format": "x", "n": 1}, AT)
    store.save_document("policy", {"format": "x", "n": 2}, AT + timedelta(hours=1))
    (name, document), = store.documents().items()
    assert name == "policy" and document.body["n"] == 2
    assert document.confirmed_at == AT + timedelta(hours=1)


def test_the_files_are_readable_by_their_owner_only(store: NodeStore) -> None:
    store.enqueue_event(event())
    folder = store.directory
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("node.sqlite", "node.sqlite-wal", "node.sqlite-shm", KEY_FILE):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name


def test_the_database_runs_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    import sqlite3

    NodeStore(tmp_path / "node").close()
    connection = sqlite3.connect(tmp_path / "node" / "node.sqlite")
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        connection.close()
    store = NodeStore(tmp_path / "node")
    try:
        with store._transaction() as db:  # what every write runs under
            assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    finally:
        store.close()


def test_a_damaged_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "node").mkdir()
    (tmp_path / "node" / KEY_FILE).write_text("not a key\n")
    with pytest.raises(NodeError) as caught:
        NodeStore(tmp_path / "node")
    assert caught.value.code == "node-key-invalid"
