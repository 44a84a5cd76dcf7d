"""Use cases: ingest checkpoints' batches, record the online page's checks and registrations.

A checkpoint uploads its check events and registrations in batches (``docs/checkpoint.md``,
"Node to server"). A batch is all or nothing: every item is parsed and checked before
anything is written, and a refusal names the item (``events[12]: ...``). Each event is
counted exactly once however often it arrives (a batch resent after a lost answer, a batch
cut off and resent whole, two uploads of the same events at once): its receipt is inserted
only if absent, and only the receipts this transaction really inserted are added to the
hourly counts (see ``jointcheck.storage.repositories.checks``).

A registration needs its check event, in the same batch or received before, at the same
venue and with the same outcome. Its name, identity number and phone are stored encrypted,
the identity number also as the registry's pseudonym, and it is deleted once the policy's
``retention_days`` have passed (``purge_registrations``). Each registration recorded and each
batch get an audit entry that names the event or batch, never the person.

Services never commit: the request or command commits once, and the API answers a batch only
after that commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from jointcheck.checkpoint.events import (
    REGISTERING,
    CheckEvent,
    Registration,
    check_not_future,
    event_id,
    hour_of,
    iso,
    new_event_id,
    parse_event,
    parse_registration,
)
from jointcheck.config import RegistryKeys
from jointcheck.errors import EventError, NotFoundError
from jointcheck.registry.venues import Venue
from jointcheck.rules.decision import Decision
from jointcheck.rules.policy import Outcome, PolicyPack
from jointcheck.security.access import Permission, Principal, Target, authorize, is_allowed
from jointcheck.security.audit_chain import JsonValue, seal
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services.audit import AuditTrail
from jointcheck.storage.repositories.audit import AuditRepository
from jointcheck.storage.repositories.checks import (
    CheckRepository,
    CountKey,
    HourCount,
    Receipt,
    RegistrationValues,
    registration_row,
)
from jointcheck.storage.repositories.venues import VenueRepository

MAX_BATCH_EVENTS = 5000
# How long an event's receipt is kept, so that an upload of it is recognised as a repeat.
# Receipts are then deleted (``purge_expired``), so the table does not grow without end; an
# event older than this is acknowledged as ``too_old`` and not counted, rather than refused,
# which would keep a checkpoint's queue from ever emptying. It is far longer than a node can
# be offline with a trust list it may still use.
RECEIPT_DAYS = 120
MAX_BATCH_REGISTRATIONS = 5000
_T = TypeVar("_T", CheckEvent, Registration)


@dataclass(frozen=True, slots=True)
class Tally:
    """How many items of one kind a batch carried, and how many of them were new."""

    received: int
    new: int
    too_old: int = 0

    @property
    def duplicate(self) -> int:
        """Return how many items were already on the server (or repeated in the batch)."""
        return self.received - self.new - self.too_old

    def as_dict(self) -> dict[str, int]:
        """Return the tally as the batch answer shows it."""
        return {"received": self.received, "new": self.new, "duplicate": self.duplicate,
                "too_old": self.too_old}


@dataclass(frozen=True, slots=True)
class BatchResult:
    """The answer to a batch: its id and the tallies of events and registrations."""

    batch_id: str
    events: Tally
    registrations: Tally

    def as_dict(self) -> dict[str, Any]:
        """Return the answer in the wire format of ``docs/checkpoint.md``."""
        return {"batch_id": self.batch_id, "events": self.events.as_dict(),
                "registrations": self.registrations.as_dict()}


class Batch(NamedTuple):
    """A parsed batch: its id and its distinct events and registrations."""

    batch_id: str
    events: list[CheckEvent]
    registrations: list[Registration]
    received_events: int
    received_registrations: int


def parse_batch(document: Any, principal: Principal, now: datetime) -> Batch:
    """Parse and check a batch; raise ``EventError`` naming the first bad item.

    Every item must be well formed, name a venue the principal uploads for, and not lie in
    the future. An item repeated with the same content counts once; the same id with other
    content refuses the batch.
    """
    if not isinstance(document, Mapping):
        raise EventError("batch-invalid", "a batch must be a JSON object")
    try:
        batch_id = event_id(document.get("batch_id"))
    except EventError as error:
        raise EventError("batch-invalid", f"batch_id: {error.message}") from None
    raw_events = _list(document, "events")
    raw_registrations = _list(document, "registrations")
    if len(raw_events) > MAX_BATCH_EVENTS or len(raw_registrations) > MAX_BATCH_REGISTRATIONS:
        raise EventError("batch-too-large",
                         f"a batch carries at most {MAX_BATCH_EVENTS:,} events and "
                         f"{MAX_BATCH_REGISTRATIONS:,} registrations, not "
                         f"{len(raw_events):,} and {len(raw_registrations):,}")
    if not raw_events and not raw_registrations:
        raise EventError("batch-invalid", "a batch carries at least one event or registration")
    events = _items(raw_events, "events", parse_event, principal, now)
    registrations = _items(raw_registrations, "registrations", parse_registration,
                           principal, now)
    return Batch(batch_id, _distinct(events, "events", lambda e: e.id),
                 _distinct(registrations, "registrations", lambda r: r.event_id),
                 len(raw_events), len(raw_registrations))


def _list(document: Mapping[str, Any], field: str) -> list[Any]:
    value = document.get(field, [])
    if not isinstance(value, list):
        raise EventError("batch-invalid", f"{field} must be a JSON array")
    return value


def _items(documents: list[Any], field: str, parse: Callable[[Any], _T],
           principal: Principal, now: datetime) -> list[_T]:
    items: list[_T] = []
    allowed: set[str] = set()
    for index, document in enumerate(documents):
        try:
            item = parse(document)
            if item.venue_id not in allowed:
                check_venue(principal, item.venue_id)
                allowed.add(item.venue_id)
            if isinstance(item, CheckEvent):
                check_not_future(item.checked_at, now, "checked_at")
            else:
                check_not_future(item.registered_at, now, "registered_at")
        except EventError as error:
            raise EventError(error.code, f"{field}[{index}]: {error.message}") from None
        items.append(item)
    return items


def _distinct(items: list[_T], field: str, key: Callable[[_T], str]) -> list[_T]:
    seen: dict[str, _T] = {}
    for index, item in enumerate(items):
        earlier = seen.setdefault(key(item), item)
        if earlier != item:
            raise EventError("batch-invalid", f"{field}[{index}]: the id {key(item)} appears "
                             "earlier in the batch with other content")
    return list(seen.values())


def check_venue(principal: Principal, venue: str) -> None:
    """Refuse an item that names a venue the principal does not upload for."""
    if not is_allowed(principal, Permission.CHECKS_UPLOAD, Target(venue=venue)):
        raise EventError("event-venue-mismatch",
                         f"venue_id {venue} is not this checkpoint's venue ({principal.scope})")


def _authorize(principal: Principal) -> None:
    # The role and the token's permissions first: a caller who may not upload at all is told
    # so, rather than that its items name the wrong venue.
    authorize(principal, Permission.CHECKS_UPLOAD, Target(venue=principal.scope))


def _own_venue(session: Session, principal: Principal) -> Venue:
    venue = VenueRepository(session).get(principal.scope)
    if venue is None:
        raise NotFoundError("venue-unknown", f"the venue {principal.scope} is not registered")
    return venue


def ingest_batch(session: Session, trail: AuditTrail, principal: Principal, document: Any,
                 now: datetime, keys: RegistryKeys, pack: PolicyPack) -> BatchResult:
    """Record a checkpoint's batch of check events and registrations, each once."""
    _authorize(principal)
    batch = parse_batch(document, principal, now)
    venue = _own_venue(session, principal)
    checks = CheckRepository(session)
    oldest = now - timedelta(days=RECEIPT_DAYS)
    events = [event for event in batch.events if event.checked_at >= oldest]
    old_ids = {event.id for event in batch.events if event.checked_at < oldest}
    registrations = [r for r in batch.registrations if r.event_id not in old_ids
                     and r.registered_at >= oldest]
    in_batch = {event.id: event for event in events}
    stored = checks.receipts(r.event_id for r in registrations if r.event_id not in in_batch)
    values = [_registration_values(index, registration, in_batch, stored, keys, pack)
              for index, registration in enumerate(registrations)]
    receipts = [receipt_of(event) for event in events]
    new_events = checks.add_receipts(receipts, now)
    checks.add_counts(Counter(
        CountKey(receipt.venue, receipt.hour, receipt.outcome, event.basis.value)
        for receipt, event in zip(receipts, events, strict=True)
        if receipt.event_id in new_events))
    new_registrations = checks.add_registrations(
        [registration_row(value, keys.cipher, now) for value in values])
    result = BatchResult(
        batch.batch_id,
        Tally(batch.received_events, len(new_events), len(batch.events) - len(events)),
        Tally(batch.received_registrations, len(new_registrations),
              len(batch.registrations) - len(registrations)))
    # Audit last: on PostgreSQL an append holds the log's lock until the commit.
    entries = [_registration_entry(venue, value) for value in values
               if value.event_id in new_registrations]
    entries.append(("checks.batch.received", batch.batch_id, {
        "venue": venue.code, "events_received": result.events.received,
        "events_new": result.events.new,
        "registrations_received": result.registrations.received,
        "registrations_new": result.registrations.new}))
    _audit(trail, principal, venue, entries)
    return result


def _registration_values(index: int, registration: Registration,
                         in_batch: Mapping[str, CheckEvent], stored: Mapping[str, Receipt],
                         keys: RegistryKeys, pack: PolicyPack) -> RegistrationValues:
    event = in_batch.get(registration.event_id)
    receipt = receipt_of(event) if event is not None else stored.get(registration.event_id)
    prefix = f"registrations[{index}]: "
    try:
        checked = _check_event(receipt, registration)
        return registration_values(registration, checked, keys, pack)
    except EventError as error:
        raise EventError(error.code, prefix + error.message) from None


def _check_event(receipt: Receipt | None, registration: Registration) -> Receipt:
    if receipt is None or receipt.venue != registration.venue_id:
        raise EventError("registration-event-unknown",
                         f"the check event {registration.event_id} is neither in this batch "
                         "nor received from this venue")
    if receipt.outcome != registration.outcome.value:
        raise EventError("registration-event-unknown",
                         f"the check event {registration.event_id} has the outcome "
                         f"{receipt.outcome}, not {registration.outcome.value}")
    return receipt


def registration_values(registration: Registration, receipt: Receipt, keys: RegistryKeys,
                        pack: PolicyPack) -> RegistrationValues:
    """Return what is stored of a registration: its pseudonym, hour and purge time added."""
    try:
        pid = pseudonymise(registration.id_number, keys.pseudonym_key)
    except ValueError:
        raise EventError("registration-invalid",
                         "id_number holds no letters or digits") from None
    return RegistrationValues(
        event_id=registration.event_id, venue=registration.venue_id,
        registered_at=registration.registered_at, checked_hour=receipt.hour,
        outcome=registration.outcome.value, pid=pid, name=registration.name,
        id_number=registration.id_number, phone=registration.phone,
        reason=registration.reason,
        purge_after=registration.registered_at + timedelta(days=pack.retention_days))


Entry = tuple[str, str, dict[str, JsonValue]]


def _registration_entry(venue: Venue, value: RegistrationValues) -> Entry:
    # The event id and venue only: the person's pseudonym would keep in the log, for good,
    # where they were, after the registration itself has been purged.
    return ("checks.registration.recorded", value.event_id,
            {"venue": venue.code, "outcome": value.outcome})


def _audit(trail: AuditTrail, principal: Principal, venue: Venue,
           entries: Sequence[Entry]) -> None:
    """Append audit entries (action, subject, detail) for ``principal`` at ``venue``.

    As ``AuditTrail.record`` does, but reading the log's last entry once for all of them:
    a batch may record hundreds of registrations.
    """
    log = AuditRepository(trail.session)
    log.lock_for_append()
    last, at = log.last(), trail.clock.now()
    for action, subject, detail in entries:
        last = seal(last, at=at, actor_id=principal.user_id, actor_role=str(principal.role),
                    action=action, subject=subject, area=venue.street, detail=detail,
                    key=trail.key)
        log.add(last)


def receipt_of(event: CheckEvent) -> Receipt:
    """Return the receipt of an event: id, venue, UTC hour and outcome."""
    return Receipt(event.id, event.venue_id, hour_of(event.checked_at), event.outcome.value)


def count_events(events: Iterable[CheckEvent]) -> Counter[CountKey]:
    """Return how many of ``events`` fall in each venue, hour, outcome and basis."""
    return Counter(CountKey(event.venue_id, hour_of(event.checked_at), event.outcome.value,
                            event.basis.value) for event in events)


def record_check(session: Session, principal: Principal, event: CheckEvent,
                 now: datetime) -> bool:
    """Count one check event of the online page unless counted already; tell if it was new."""
    _authorize(principal)
    check_venue(principal, event.venue_id)
    check_not_future(event.checked_at, now, "checked_at")
    checks = CheckRepository(session)
    new = bool(checks.add_receipts([receipt_of(event)], now))
    if new:
        checks.add_counts(count_events([event]))
    return new


def record_decision(session: Session, principal: Principal, venue: str, decision: Decision,
                    chosen_id: str | None, at: datetime) -> str:
    """Record a final decision at ``venue`` as a check event; return the event's id.

    ``chosen_id`` is the page's id for the person's check (refused if malformed); without one
    a new id is made. The same id sent again records nothing new.
    """
    identifier = event_id(chosen_id) if chosen_id is not None else new_event_id()
    record_check(session, principal, CheckEvent(
        identifier, venue, at, decision.outcome, decision.basis, decision.rule,
        decision.policy_id, decision.policy_version), at)
    return identifier


def register(session: Session, trail: AuditTrail, principal: Principal, event: str,
             name: str, id_number: str, phone: str, reason: str, now: datetime,
             keys: RegistryKeys, pack: PolicyPack) -> bool:
    """Record the identity taken down for a received check event; tell if it was new.

    The outcome is the event's: one that takes no registration is refused.
    """
    _authorize(principal)
    venue = _own_venue(session, principal)
    identifier = event_id(event)
    checks = CheckRepository(session)
    receipt = checks.receipts([identifier]).get(identifier)
    if receipt is None or receipt.venue != venue.code:
        raise EventError("registration-event-unknown",
                         f"no check event {identifier} was received from this venue")
    outcome = Outcome(receipt.outcome)
    if outcome not in REGISTERING:
        raise EventError("registration-invalid",
                         f"the check event's outcome {outcome.value} takes no registration")
    registration = parse_registration({
        "event_id": identifier, "venue_id": venue.code, "registered_at": iso(now),
        "outcome": outcome.value, "name": name, "id_number": id_number, "phone": phone,
        "reason": reason})
    value = registration_values(registration, receipt, keys, pack)
    new = bool(checks.add_registrations([registration_row(value, keys.cipher, now)]))
    if new:
        _audit(trail, principal, venue, [_registration_entry(venue, value)])
    return new


class Purged(NamedTuple):
    """What a purge deleted."""

    registrations: int
    receipts: int


def purge_expired(session: Session, now: datetime) -> Purged:
    """Delete the registrations kept past their retention, then the receipts older than
    ``RECEIPT_DAYS`` that no registration still needs; return how many of each."""
    checks = CheckRepository(session)
    registrations = checks.purge_registrations(now)
    return Purged(registrations, checks.purge_receipts(now - timedelta(days=RECEIPT_DAYS)))


def day_window(day: date, timezone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the UTC instants where a local day in ``timezone`` starts and ends."""
    start = datetime.combine(day, time(), timezone)
    end = datetime.combine(day + timedelta(days=1), time(), timezone)
    return start, end


def venue_counts(session: Session, venue: str, start: datetime,
                 end: datetime) -> Sequence[HourCount]:
    """Return a venue's counts per UTC hour, outcome and basis for hours in [start, end)."""
    if VenueRepository(session).get(venue) is None:
        raise NotFoundError("venue-unknown", f"the venue {venue} is not registered")
    return CheckRepository(session).hourly_counts(venue, start, end)
