"""Check events and registrations: what a checkpoint records at the door and uploads.

A **check event** is one decision shown at a door: its id (a random UUID made at the
checkpoint, so that an upload sent twice is recognised), the venue, the instant, the outcome,
its basis and rule, and the policy that decided. It names nobody: the server keeps admitted
entries only as counts per venue, hour and outcome (SPEC §5).

A **registration** is the identity a worker takes down where the outcome asks for it
(``register``, ``persuade`` or ``restrict``): the person's name, identity document number,
phone and reason for entry. It points at its check event, and the server keeps it only for the
policy's retention period.

The wire format is JSON, the same from the page to a node and from a node to the server; the
functions here turn it into values and back, refusing a malformed field with a specific code.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from jointcheck.errors import EventError
from jointcheck.rules.policy import Basis, Outcome

EVENT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
VENUE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_RULE = 120
MAX_NAME = 100
MAX_ID_NUMBER = 40
MAX_PHONE = 30
MAX_REASON = 300
MAX_POLICY_FIELD = 64
# Outcomes where a person may enter only once registered (SPEC §4).
REGISTERING = frozenset({Outcome.REGISTER, Outcome.PERSUADE, Outcome.RESTRICT})
_E = TypeVar("_E", Outcome, Basis)
PHONE = re.compile(r"\+?[0-9][0-9 ()-]{4,28}")
CONTROL = re.compile(r"[\x00-\x1f]")


class CheckEvent(NamedTuple):
    """One decision shown at a door; no identity."""

    id: str
    venue_id: str
    checked_at: datetime
    outcome: Outcome
    basis: Basis
    rule: str
    policy_id: str
    policy_version: str


class Registration(NamedTuple):
    """The identity a worker took down for a check event whose outcome asks for it."""

    event_id: str
    venue_id: str
    registered_at: datetime
    outcome: Outcome
    name: str
    id_number: str
    phone: str
    reason: str


def new_event_id() -> str:
    """Return a fresh event id: a random (version 4) UUID in lower-case text."""
    return str(uuid.uuid4())


def hour_of(at: datetime) -> datetime:
    """Return the UTC hour an instant falls in (the unit the server counts by)."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def event_json(event: CheckEvent) -> dict[str, Any]:
    """Return a check event as its JSON wire form."""
    return {"id": event.id, "venue_id": event.venue_id, "checked_at": iso(event.checked_at),
            "outcome": event.outcome.value, "basis": event.basis.value, "rule": event.rule,
            "policy": {"id": event.policy_id, "version": event.policy_version}}


def registration_json(registration: Registration) -> dict[str, Any]:
    """Return a registration as its JSON wire form."""
    return {"event_id": registration.event_id, "venue_id": registration.venue_id,
            "registered_at": iso(registration.registered_at),
            "outcome": registration.outcome.value, "name": registration.name,
            "id_number": registration.id_number, "phone": registration.phone,
            "reason": registration.reason}


def parse_event(document: Any) -> CheckEvent:
    """Return the check event a JSON object describes; raise ``EventError`` if malformed."""
    doc = _object(document, "event-invalid", "a check event")
    policy = _object(doc.get("policy"), "event-invalid", "a check event's policy")
    return CheckEvent(
        id=event_id(doc.get("id")),
        venue_id=_venue(doc.get("venue_id"), "event-invalid"),
        checked_at=instant(doc.get("checked_at"), "checked_at"),
        outcome=_enum(Outcome, doc.get("outcome"), "outcome", "event-invalid"),
        basis=_enum(Basis, doc.get("basis"), "basis", "event-invalid"),
        rule=_text(doc.get("rule"), "rule", MAX_RULE, "event-invalid"),
        policy_id=_text(policy.get("id"), "policy.id", MAX_POLICY_FIELD, "event-invalid"),
        policy_version=_text(policy.get("version"), "policy.version", MAX_POLICY_FIELD,
                             "event-invalid"),
    )


def parse_registration(document: Any) -> Registration:
    """Return the registration a JSON object describes; raise ``EventError`` if malformed."""
    doc = _object(document, "registration-invalid", "a registration")
    outcome = _enum(Outcome, doc.get("outcome"), "outcome", "registration-invalid")
    if outcome not in REGISTERING:
        raise EventError("registration-invalid",
                         f"an outcome of {outcome.value} takes no registration")
    phone = _text(doc.get("phone"), "phone", MAX_PHONE, "registration-invalid")
    if PHONE.fullmatch(phone) is None:
        raise EventError("registration-invalid", f"{phone!r} is not a phone number")
    return Registration(
        event_id=event_id(doc.get("event_id")),
        venue_id=_venue(doc.get("venue_id"), "registration-invalid"),
        registered_at=instant(doc.get("registered_at"), "registered_at"),
        outcome=outcome,
        name=_text(doc.get("name"), "name", MAX_NAME, "registration-invalid"),
        id_number=_text(doc.get("id_number"), "id_number", MAX_ID_NUMBER,
                        "registration-invalid"),
        phone=phone,
        reason=_text(doc.get("reason"), "reason", MAX_REASON, "registration-invalid"),
    )


def check_not_future(at: datetime, now: datetime, what: str,
                     tolerance: timedelta = timedelta(minutes=10)) -> None:
    """Refuse an instant later than ``now`` by more than ``tolerance`` (a clock run ahead)."""
    if at > now + tolerance:
        raise EventError("event-in-future",
                         f"{what} {iso(at)} is later than the server's time {iso(now)}")


def event_id(value: Any) -> str:
    """Return ``value`` if it is a well-formed event id (a lower-case version 4 UUID)."""
    if not isinstance(value, str) or EVENT_ID.fullmatch(value) is None:
        raise EventError("event-id-invalid",
                         f"an event id is a lower-case version 4 UUID, not {value!r:.60}")
    return value


def instant(value: Any, field: str) -> datetime:
    """Return an ISO 8601 instant with a zone, in UTC; raise ``event-time-invalid``."""
    if not isinstance(value, str) or len(value) > 40:
        raise EventError("event-time-invalid", f"{field} must be an ISO 8601 instant")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise EventError("event-time-invalid",
                         f"{field} {value!r} is not an ISO 8601 instant") from None
    if parsed.tzinfo is None:
        raise EventError("event-time-invalid", f"{field} {value!r} has no time zone")
    return parsed.astimezone(UTC)


def _object(value: Any, code: str, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise EventError(code, f"{what} must be a JSON object")
    return value


def _venue(value: Any, code: str) -> str:
    if not isinstance(value, str) or VENUE_ID.fullmatch(value) is None:
        raise EventError(code, f"venue_id {value!r:.60} is not a venue id")
    return value


def _text(value: Any, field: str, limit: int, code: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise EventError(code, f"{field} must be a non-empty string")
    text = value.strip()
    if len(text) > limit:
        raise EventError(code, f"{field} is longer than {limit} characters")
    if CONTROL.search(text) is not None:
        raise EventError(code, f"{field} holds control characters")
    return text


def _enum(kind: type[_E], value: Any, field: str, code: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise EventError(code, f"{field} {value!r:.40} is not one of {known}") from None


def iso(at: datetime) -> str:
    """Return an instant as ISO 8601 in UTC with milliseconds and ``Z``."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
