"""The door's calls at a node: verify and decide locally, queue the event; take a registration.

The node decides as the server does (``trust.verify``, ``rules.decision.decide`` under its
venue's category, ``checkpoint.answer``), on the trust list and policy it last synced, at its
own time (the server's, carried forward). A final decision is queued on disk before the page
is answered, so an answer the worker saw is never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from jointcheck.checkpoint.answer import answer_fields, still_needed
from jointcheck.checkpoint.events import (
    CheckEvent,
    event_id,
    iso,
    new_event_id,
    parse_event,
    parse_registration,
)
from jointcheck.errors import AccessDenied, EventError
from jointcheck.node.state import NodeState, stale_fields
from jointcheck.rules.decision import decide
from jointcheck.trust.verify import verify

log = logging.getLogger("jointcheck.node")
Forward = Callable[[dict[str, Any]], tuple[int, Any]]


def check(node: NodeState, codes: Sequence[str], *, page_event_id: str | None, end: bool,
          venue_category: str | None = None) -> dict[str, Any]:
    """Decide on the codes shown; queue the event when final; return the page's answer."""
    recorded = None if page_event_id is None else event_id(page_event_id)
    ready = node.ready()
    category = ready.venue.category
    if venue_category is not None and venue_category != category:
        raise AccessDenied("venue-category-mismatch",
                           f"this checkpoint's venue is a {category}, not a {venue_category}")
    at = node.time().now
    verifications = [verify(text, ready.trust, at) for text in codes]
    decision = decide(ready.pack, verifications, category, at)
    needs = () if end else still_needed(decision, verifications)
    node.note_time(at)
    if needs:
        recorded = None
    else:
        recorded = recorded or new_event_id()
        node.store.enqueue_event(CheckEvent(
            recorded, ready.venue.id, at, decision.outcome, decision.basis, decision.rule,
            decision.policy_id, decision.policy_version))
    return answer_fields(decision, verifications, needs) | {
        "event_id": recorded, "stale": stale_fields(node.stale(at))}


def lookup(node: NodeState, forward: Forward, fields: dict[str, Any]) -> tuple[int, Any]:
    """Forward an identity-number lookup to the server; queue its final decision as an event.

    The event takes the page's event id, so that a server which records the lookup itself
    under the same id still counts it once. Returns the server's status and answer.
    """
    page_event_id = fields.get("event_id")
    recorded = None if page_event_id is None else event_id(page_event_id)
    venue = node.ready().venue
    status, answer = forward(fields)
    if not (200 <= status < 300 and isinstance(answer, dict) and answer.get("final")):
        return status, answer
    at = node.time().now
    recorded = answer.get("event_id") or recorded or new_event_id()
    try:
        event = parse_event({"id": recorded, "venue_id": venue.id, "checked_at": iso(at),
                             "outcome": answer.get("outcome"), "basis": answer.get("basis"),
                             "rule": answer.get("rule"), "policy": answer.get("policy")})
    except EventError as error:
        log.error("node.lookup.not-recorded: %s (%s)", error.message, error.code)
        return status, answer
    node.store.enqueue_event(event)
    node.note_time(at)
    return status, answer | {"event_id": event.id}


def register(node: NodeState, fields: dict[str, Any]) -> bool:
    """Queue the identity taken down for a check event; return False if it has one already.

    ``fields`` are the page's: ``event_id``, ``name``, ``id_number``, ``phone``, ``reason``.
    The event must have been recorded at this node (a scan or a lookup) with an outcome
    that takes a registration.
    """
    recorded = event_id(fields.get("event_id"))
    venue = node.ready().venue
    at = node.time().now
    outcome = node.store.known_outcome(recorded)
    if outcome is None:
        raise EventError("registration-event-unknown",
                         f"no check event {recorded} was recorded at this checkpoint")
    registration = parse_registration(
        {"event_id": recorded, "venue_id": venue.id, "registered_at": iso(at),
         "outcome": outcome.value, "name": fields.get("name"),
         "id_number": fields.get("id_number"), "phone": fields.get("phone"),
         "reason": fields.get("reason")})
    node.note_time(at)
    return node.store.enqueue_registration(registration)
