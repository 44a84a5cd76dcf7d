"""Ingesting check events and registrations, on SQLite and PostgreSQL: each event counted once."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from jointcheck.checkpoint.events import CheckEvent, iso
from jointcheck.clock import FixedClock
from jointcheck.config import RegistryKeys
from jointcheck.errors import AccessDenied, EventError
from jointcheck.policy_sources import find_pack
from jointcheck.registry.venues import Venue
from jointcheck.rules.policy import Basis, Outcome, PolicyPack
from jointcheck.security.access import Permission, Principal, Role
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services.audit import AuditTrail
from jointcheck.services.audit import verify as verify_audit
from jointcheck.services.check_events import (
    RECEIPT_DAYS,
    BatchResult,
    day_window,
    ingest_batch,
    purge_expired,
    record_check,
    register,
    venue_counts,
)
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.models import (
    AuditLogRow,
    CheckCountRow,
    CheckReceiptRow,
    RegistrationRow,
)
from jointcheck.storage.repositories.checks import context
from jointcheck.storage.repositories.venues import VenueRepository
from tests.integration.conftest import AT, TZ, Database

AUDIT_KEY = b"a" * 32
VENUE, OTHER = "v-mall-1", "v-shop-2"
MALL = Principal("mall", Role.VENUE_OPERATOR, VENUE)
SHOP = Principal("shop", Role.VENUE_OPERATOR, OTHER)
NAME, NUMBER = "张伟", "110101199003070011"


@pytest.fixture
def site(areas: Database) -> Database:
    """Return the database with the areas and two venues stored."""
    with unit_of_work(areas.sessions) as session:
        venues = VenueRepository(session)
        venues.add(Venue(VENUE, "Mall", "mall-supermarket", "fz.s01", None))
        venues.add(Venue(OTHER, "Shop", "convenience-store", "fz.s02", None))
    return areas


@pytest.fixture(scope="module")
def pack() -> PolicyPack:
    return find_pack("fangzi-2021")


def event_id(number: int) -> str:
    return str(uuid.UUID(int=number, version=4))


def event(number: int, outcome: str = "admit", basis: str = "vaccinated",
          minutes_ago: int = 5, venue: str = VENUE) -> dict[str, Any]:
    """Return the wire form of a check event, ``minutes_ago`` before ``AT``."""
    return {"id": event_id(number), "venue_id": venue,
            "checked_at": iso(AT - timedelta(minutes=minutes_ago)), "outcome": outcome,
            "basis": basis, "rule": f"ordinary.{basis}",
            "policy": {"id": "fangzi-2021", "version": "1.0.0"}}


def registration(number: int, outcome: str = "persuade", venue: str = VENUE,
                 name: str = NAME, id_number: str = NUMBER) -> dict[str, Any]:
    return {"event_id": event_id(number), "venue_id": venue, "registered_at": iso(AT),
            "outcome": outcome, "name": name, "id_number": id_number,
            "phone": "13800000000", "reason": "visiting a relative"}


def batch(events: list[dict[str, Any]], registrations: list[dict[str, Any]] | None = None,
          batch_id: str | None = None) -> dict[str, Any]:
    return {"batch_id": batch_id or str(uuid.uuid4()), "events": events,
            "registrations": registrations or []}


MIXED = (
    [event(i, "admit", "vaccinated", minutes_ago=10) for i in range(1, 41)]
    + [event(i, "admit", "exempt", minutes_ago=10) for i in range(41, 46)]
    + [event(i, "persuade", "unvaccinated", minutes_ago=70) for i in range(46, 52)]
    + [event(i, "deny", "code-color", minutes_ago=70) for i in range(52, 55)]
    + [event(i, "restrict", "unvaccinated", minutes_ago=10) for i in range(55, 57)]
)


def ingest(db: Database, keys: RegistryKeys, pack: PolicyPack, document: Any,
           principal: Principal = MALL) -> BatchResult:
    """Ingest one batch in its own unit of work (committed when it returns)."""
    with unit_of_work(db.sessions) as session:
        return ingest_batch(session, AuditTrail(session, AUDIT_KEY, FixedClock(AT)), principal,
                            document, AT, keys, pack)


def counts(db: Database, venue: str = VENUE) -> dict[tuple[str, str, str], int]:
    """Return the stored counts as ``(hour, outcome, basis) -> count``."""
    with db.session() as session:
        rows = session.execute(select(CheckCountRow).where(CheckCountRow.venue_code == venue))
        return {(iso(r.hour), r.outcome, r.basis): r.count for (r,) in rows}


def stored(db: Database, model: Any) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_mixed_batch_is_counted_per_hour_outcome_and_basis(
        site: Database, keys: RegistryKeys, pack: PolicyPack) -> None:
    result = ingest(site, keys, pack, batch(MIXED))
    assert result.as_dict()["events"] == {"received": 56, "new": 56, "duplicate": 0, "too_old": 0}
    this_hour, last_hour = "2026-11-23T08:00:00.000Z", "2026-11-23T07:00:00.000Z"
    assert counts(site) == {
        (this_hour, "admit", "vaccinated"): 40, (this_hour, "admit", "exempt"): 5,
        (last_hour, "persuade", "unvaccinated"): 6, (last_hour, "deny", "code-color"): 3,
        (this_hour, "restrict", "unvaccinated"): 2}
    assert stored(site, CheckReceiptRow) == 56
    with site.session() as session:
        start, end = day_window(AT.astimezone(TZ).date(), TZ)
        lines = venue_counts(session, VENUE, start, end)
    assert sum(line.count for line in lines) == 56


def test_the_same_batch_twice_counts_once(site: Database, keys: RegistryKeys,
                                          pack: PolicyPack) -> None:
    document = batch(MIXED, [registration(46)])
    first = ingest(site, keys, pack, document)
    again = ingest(site, keys, pack, document)
    assert (first.events.new, first.registrations.new) == (56, 1)
    assert again.as_dict() == {"batch_id": document["batch_id"],
                               "events": {"received": 56, "new": 0, "duplicate": 56, "too_old": 0},
                               "registrations": {"received": 1, "new": 0, "duplicate": 1,
                                                 "too_old": 0}}
    assert sum(counts(site).values()) == 56
    assert stored(site, RegistrationRow) == 1


def test_a_batch_cut_off_and_resent_whole_counts_once(site: Database, keys: RegistryKeys,
                                                      pack: PolicyPack) -> None:
    document = batch(MIXED)
    half = ingest(site, keys, pack, batch(MIXED[:20], batch_id=document["batch_id"]))
    whole = ingest(site, keys, pack, document)
    assert (half.events.new, whole.events.new, whole.events.duplicate) == (20, 36, 20)
    assert sum(counts(site).values()) == 56
    assert counts(site)[("2026-11-23T08:00:00.000Z", "admit", "vaccinated")] == 40


def test_an_event_repeated_inside_a_batch_counts_once(site: Database, keys: RegistryKeys,
                                                      pack: PolicyPack) -> None:
    result = ingest(site, keys, pack, batch([event(1), event(2), event(1)]))
    assert result.events.as_dict() == {"received": 3, "new": 2, "duplicate": 1, "too_old": 0}
    assert sum(counts(site).values()) == 2


def test_an_id_repeated_with_other_content_refuses_the_batch(
        site: Database, keys: RegistryKeys, pack: PolicyPack) -> None:
    with pytest.raises(EventError) as refused:
        ingest(site, keys, pack, batch([event(1), event(2), event(1, "deny", "code-color")]))
    assert refused.value.code == "batch-invalid"
    assert refused.value.message.startswith("events[2]: ")
    assert stored(site, CheckReceiptRow) == 0


def _ingest_in_thread(db: Database, keys: RegistryKeys, pack: PolicyPack, document: Any,
                      results: list[BatchResult], errors: list[Exception],
                      start: threading.Barrier | None = None) -> threading.Thread:
    def upload() -> None:
        try:
            if start is not None:
                start.wait(10)
            results.append(ingest(db, keys, pack, document))
        except Exception as error:  # reported by the test
            errors.append(error)

    thread = threading.Thread(target=upload)
    thread.start()
    return thread


def test_a_second_upload_waits_for_the_first_and_counts_nothing_again(
        site: Database, keys: RegistryKeys, pack: PolicyPack) -> None:
    document = batch(MIXED, [registration(46)])
    first = site.session()
    trail = AuditTrail(first, AUDIT_KEY, FixedClock(AT))
    assert ingest_batch(first, trail, MALL, document, AT, keys, pack).events.new == 56
    results: list[BatchResult] = []
    errors: list[Exception] = []
    thread = _ingest_in_thread(site, keys, pack, document, results, errors)
    time.sleep(0.5)
    assert thread.is_alive(), "the second upload must wait for the first transaction"
    first.commit()
    first.close()
    thread.join(30)
    assert not thread.is_alive() and errors == []
    (second,) = results
    assert (second.events.new, second.registrations.new) == (0, 0)
    assert sum(counts(site).values()) == 56
    assert stored(site, RegistrationRow) == 1
    with site.session() as session:
        assert verify_audit(session, AUDIT_KEY).ok


def test_two_threads_uploading_the_same_batch_at_once_count_it_once(
        site: Database, keys: RegistryKeys, pack: PolicyPack) -> None:
    documents = [batch([event(1000 * round_ + i, "admit", "vaccinated") for i in range(300)])
                 for round_ in range(1, 4)]
    for document in documents:
        start = threading.Barrier(2)
        results: list[BatchResult] = []
        errors: list[Exception] = []
        threads = [_ingest_in_thread(site, keys, pack, document, results, errors, start)
                   for _ in range(2)]
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert sorted(r.events.new for r in results) == [0, 300]
    assert sum(counts(site).values()) == 900
    assert stored(site, CheckReceiptRow) == 900


@pytest.mark.parametrize(("events", "registrations", "code", "where"), [
    ([event(1), event(2), {**event(3), "outcome": "maybe"}], [], "event-invalid", "events[2]"),
    ([event(1), {**event(2), "id": "not-a-uuid"}], [], "event-id-invalid", "events[1]"),
    ([event(1), {**event(2), "checked_at": "yesterday"}], [], "event-time-invalid",
     "events[1]"),
    ([event(1), event(2, minutes_ago=-60)], [], "event-in-future", "events[1]"),
    ([event(1, "persuade", "unvaccinated"), event(2)],
     [registration(1), {**registration(2), "phone": "call me"}], "registration-invalid",
     "registrations[1]"),
    ([event(1, "persuade", "unvaccinated")], [registration(1, "restrict")],
     "registration-event-unknown", "registrations[0]"),
    ([event(1)], [registration(7)], "registration-event-unknown", "registrations[0]"),
    ([event(1), "an event"], [], "event-invalid", "events[1]"),
])
def test_a_malformed_item_changes_nothing_and_is_named(
        site: Database, keys: RegistryKeys, pack: PolicyPack, events: list[Any],
        registrations: list[Any], code: str, where: str) -> None:
    session = site.session()
    trail = AuditTrail(session, AUDIT_KEY, FixedClock(AT))
    with pytest.raises(EventError) as refused:
        ingest_batch(session, trail, MALL, batch(events, registrations), AT, keys, pack)
    # Committing what the refused call left proves it wrote nothing before refusing.
    session.commit()
    session.close()
    assert refused.value.code == code
    assert refused.value.message.startswith(where + ": ")
    for model in (CheckReceiptRow, CheckCountRow, RegistrationRow, AuditLogRow):
        assert stored(site, model) == 0


@pytest.mark.parametrize(("document", "code"), [
    ("events", "batch-invalid"),
    ({"events": [event(1)]}, "batch-invalid"),
    ({"batch_id": str(uuid.uuid4()), "events": {"0": event(1)}}, "batch-invalid"),
    ({"batch_id": str(uuid.uuid4()), "events": []}, "batch-invalid"),
    ({"batch_id": str(uuid.uuid4()), "events": [event(1)] * 5001}, "batch-too-large"),
])
def test_a_malformed_batch_is_refused(site: Database, keys: RegistryKeys, pack: PolicyPack,
                                      document: Any, code: str) -> None:
    with pytest.raises(EventError) as refused:
        ingest(site, keys, pack, document)
    assert refused.value.code == code
    assert stored(site, CheckReceiptRow) == 0


def test_an_event_of_another_venue_is_refused(site: Database, keys: RegistryKeys,
                                              pack: PolicyPack) -> None:
    with pytest.raises(EventError) as refused:
        ingest(site, keys, pack, batch([event(1), event(2, venue=OTHER)]))
    assert (refused.value.code, refused.value.message[:11]) == ("event-venue-mismatch",
                                                                "events[1]: ")
    with pytest.raises(EventError) as refused:
        ingest(site, keys, pack, batch([event(1)]), principal=SHOP)
    assert refused.value.code == "event-venue-mismatch"
    assert stored(site, CheckReceiptRow) == 0


def test_only_a_checkpoint_of_the_venue_may_upload(site: Database, keys: RegistryKeys,
                                                   pack: PolicyPack) -> None:
    authority = Principal("cdc", Role.HEALTH_AUTHORITY, "fz")
    reports_only = Principal("mall", Role.VENUE_OPERATOR, VENUE,
                             frozenset({Permission.REPORTS_READ}))
    for principal in (authority, reports_only):
        with pytest.raises(AccessDenied) as refused:
            ingest(site, keys, pack, batch([event(1)]), principal=principal)
        assert refused.value.code == "role-not-allowed"
    assert stored(site, CheckReceiptRow) == 0


def _raw_registration(session: Session, number: int) -> RegistrationRow:
    row = session.get(RegistrationRow, event_id(number))
    assert row is not None
    return row


def test_a_registration_is_stored_encrypted_with_the_registry_pseudonym(
        site: Database, keys: RegistryKeys, pack: PolicyPack) -> None:
    document = batch([event(1, "persuade", "unvaccinated", minutes_ago=70)], [registration(1)])
    ingest(site, keys, pack, document)
    with site.session() as session:
        row = _raw_registration(session, 1)
        raw = b"".join(bytes(value) for value in session.execute(
            select(RegistrationRow.name_enc, RegistrationRow.id_number_enc,
                   RegistrationRow.phone_enc)).one())
    for clear in (NAME, NUMBER, "13800000000", NUMBER[6:14]):
        assert clear.encode() not in raw
    assert row.pid == pseudonymise(NUMBER, keys.pseudonym_key)
    assert keys.cipher.decrypt(row.name_enc, context(event_id(1), "name")) == NAME
    assert keys.cipher.decrypt(row.id_number_enc, context(event_id(1), "id_number")) == NUMBER
    assert (row.outcome, row.reason, row.venue_code) == ("persuade", "visiting a relative",
                                                         VENUE)
    assert row.checked_hour == AT.replace(hour=7, minute=0)
    assert row.purge_after == AT + timedelta(days=pack.retention_days)
    with site.session() as session:
        entries = session.execute(select(AuditLogRow.action, AuditLogRow.subject,
                                         AuditLogRow.detail)
                                  .order_by(AuditLogRow.sequence)).all()
    assert [(action, subject) for action, subject, _ in entries] == [
        ("checks.registration.recorded", event_id(1)),
        ("checks.batch.received", document["batch_id"])]
    assert entries[0][2] == {"venue": VENUE, "outcome": "persuade"}
    assert entries[1][2]["registrations_new"] == 1
    written = repr(entries)
    assert NAME not in written and NUMBER not in written and row.pid not in written


def test_a_registration_may_follow_its_event_in_a_later_batch(
        site: Database, keys: RegistryKeys, pack: PolicyPack) -> None:
    ingest(site, keys, pack, batch([event(1, "restrict", "unvaccinated")]))
    result = ingest(site, keys, pack, batch([], [registration(1, "restrict")]))
    assert result.registrations.as_dict() == {"received": 1, "new": 1, "duplicate": 0, "too_old": 0}
    with pytest.raises(EventError) as refused:
        ingest(site, keys, pack, batch([], [registration(1, "restrict", venue=OTHER)]),
               principal=SHOP)
    assert refused.value.code == "registration-event-unknown"


def test_the_online_page_records_a_check_once(site: Database, keys: RegistryKeys) -> None:
    check = CheckEvent(event_id(9), VENUE, AT, Outcome.REGISTER, Basis.UNVACCINATED,
                       "ordinary.unvaccinated", "fangzi-2021", "1.0.0")
    with unit_of_work(site.sessions) as session:
        assert record_check(session, MALL, check, AT) is True
    with unit_of_work(site.sessions) as session:
        assert record_check(session, MALL, check._replace(checked_at=AT), AT) is False
    assert counts(site) == {("2026-11-23T08:00:00.000Z", "register", "unvaccinated"): 1}
    with unit_of_work(site.sessions) as session, pytest.raises(EventError) as refused:
        record_check(session, SHOP, check._replace(id=event_id(10)), AT)
    assert refused.value.code == "event-venue-mismatch"


def test_the_online_page_registers_for_a_received_event(
        site: Database, keys: RegistryKeys, pack: PolicyPack) -> None:
    ingest(site, keys, pack, batch([event(1, "register", "unvaccinated"), event(2)]))

    def registered(principal: Principal, number: int, name: str = NAME) -> bool:
        with unit_of_work(site.sessions) as session:
            trail = AuditTrail(session, AUDIT_KEY, FixedClock(AT))
            return register(session, trail, principal, event_id(number), name, NUMBER,
                            "13800000000", "work", AT, keys, pack)

    assert registered(MALL, 1) is True
    assert registered(MALL, 1, "Someone Else") is False
    for principal, number, code in ((MALL, 2, "registration-invalid"),
                                    (MALL, 3, "registration-event-unknown"),
                                    (SHOP, 1, "registration-event-unknown")):
        with pytest.raises(EventError) as refused:
            registered(principal, number)
        assert refused.value.code == code
    with site.session() as session:
        row = _raw_registration(session, 1)
        assert row.outcome == "register"
        assert keys.cipher.decrypt(row.name_enc, context(event_id(1), "name")) == NAME
    assert stored(site, RegistrationRow) == 1


def test_purge_deletes_only_expired_registrations(site: Database, keys: RegistryKeys,
                                                   pack: PolicyPack) -> None:
    early = registration(1) | {"registered_at": iso(AT - timedelta(days=30))}
    ingest(site, keys, pack, batch([event(1, "persuade", "unvaccinated"),
                                    event(2, "persuade", "unvaccinated")],
                                   [early, registration(2)]))
    expired = AT - timedelta(days=30) + timedelta(days=pack.retention_days)
    with unit_of_work(site.sessions) as session:
        assert purge_expired(session, expired - timedelta(seconds=1)).registrations == 0
    with unit_of_work(site.sessions) as session:
        assert purge_expired(session, expired).registrations == 1
    with site.session() as session:
        assert session.scalars(select(RegistrationRow.event_id)).all() == [event_id(2)]
    assert stored(site, CheckReceiptRow) == 2
    assert Counter(counts(site).values()) == Counter({2: 1})


def test_an_event_older_than_the_receipt_window_is_acknowledged_not_counted(
        site: Database, keys: RegistryKeys, pack: PolicyPack) -> None:
    # A node back after months offline must be able to empty its queue: the old events are
    # acknowledged as too old (their receipts would already be gone), never refused.
    old = AT - timedelta(days=RECEIPT_DAYS, seconds=1)
    stale = [event(1, "persuade", "unvaccinated") | {"checked_at": iso(old)},
             event(2, "admit", "vaccinated")]
    result = ingest(site, keys, pack, batch(
        stale, [registration(1) | {"registered_at": iso(old)}]))
    assert result.as_dict()["events"] == {"received": 2, "new": 1, "duplicate": 0,
                                          "too_old": 1}
    assert result.as_dict()["registrations"] == {"received": 1, "new": 0, "duplicate": 0,
                                                 "too_old": 1}
    assert list(counts(site).values()) == [1]
    assert stored(site, CheckReceiptRow) == 1 and stored(site, RegistrationRow) == 0


def test_receipts_past_the_window_are_purged_unless_a_registration_needs_them(
        site: Database, keys: RegistryKeys, pack: PolicyPack) -> None:
    ingest(site, keys, pack, batch([event(1), event(2, "persuade", "unvaccinated"),
                                    event(3, "persuade", "unvaccinated")],
                                   [registration(3)]))
    later = AT + timedelta(days=RECEIPT_DAYS, hours=1)
    with unit_of_work(site.sessions) as session:  # the registration is kept for a long time
        session.execute(update(RegistrationRow).values(purge_after=later + timedelta(days=1)))
    with unit_of_work(site.sessions) as session:
        assert purge_expired(session, AT + timedelta(days=RECEIPT_DAYS - 1)) == (0, 0)
    with unit_of_work(site.sessions) as session:
        assert purge_expired(session, later) == (0, 2)
    with site.session() as session:
        assert session.scalars(select(CheckReceiptRow.event_id)).all() == [event_id(3)]
    assert sum(counts(site).values()) == 3  # the counts stay: only the receipts go
