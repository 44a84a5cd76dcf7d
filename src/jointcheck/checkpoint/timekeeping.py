"""A checkpoint node's time: from the server where it has it, never from a clock that jumped.

Every decision depends on the time (a health code lives minutes, a dose counts days after it),
so a node that decides offline must not trust a system clock that someone set back or ahead.
The outer ring passes readings in; nothing here reads a clock.

- After a sync in this run, the node's time is the server's time at the sync plus the
  monotonic time elapsed since: the system clock plays no part, and how far it is off is only
  reported.
- Without a sync in this run, the system clock is used, but only while it keeps step with the
  monotonic clock since the node started (``clock-jumped`` otherwise) and it is not behind the
  latest time the node has seen before, a sync or a check (``clock-behind``).

A trust list or policy that the server last confirmed longer ago than the node's allowed age
is reported as stale, with that age. The age counts from the last confirmation, not from the
document's own date: a trust list is re-signed only when a key or revocation changes, so an
unchanged list a week old that the server handed out a minute ago is current.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import NamedTuple

from jointcheck.errors import NodeError

TOLERANCE = timedelta(minutes=2)


class Reading(NamedTuple):
    """The system clock and the monotonic clock (seconds) read at one moment."""

    wall: datetime
    monotonic: float


class Anchor(NamedTuple):
    """The server's time as received at a sync, and the monotonic clock then."""

    server: datetime
    monotonic: float


class NodeTime(NamedTuple):
    """The time a node decides at, where it came from, and how far the system clock is off."""

    now: datetime
    source: str  # "server" or "system"
    system_offset: timedelta


class Synced(NamedTuple):
    """When a synced document was issued, and when the server last confirmed it."""

    issued_at: datetime
    confirmed_at: datetime


class Stale(NamedTuple):
    """A synced document the server has not confirmed for longer than allowed."""

    what: str  # "trust-list" or "policy"
    issued_at: datetime
    confirmed_at: datetime
    age: timedelta  # since the server last confirmed it


def node_time(reading: Reading, started: Reading, anchor: Anchor | None,
              high_water: datetime | None, tolerance: timedelta = TOLERANCE) -> NodeTime:
    """Return the time to decide at; raise ``NodeError`` when the system clock can't be used."""
    if anchor is not None:
        now = anchor.server + timedelta(seconds=reading.monotonic - anchor.monotonic)
        return NodeTime(now, "server", reading.wall - now)
    expected = started.wall + timedelta(seconds=reading.monotonic - started.monotonic)
    drift = reading.wall - expected
    if abs(drift) > tolerance:
        raise NodeError("clock-jumped",
                        f"the system clock jumped by {_span(drift)} since the node started; "
                        "checks resume once the node reaches the server")
    if high_water is not None and reading.wall < high_water - tolerance:
        raise NodeError("clock-behind",
                        f"the system clock is {_span(high_water - reading.wall)} behind the "
                        "latest time this node has seen; set the clock or reconnect")
    return NodeTime(reading.wall, "system", timedelta(0))


def stale(now: datetime, max_age: timedelta, documents: Mapping[str, Synced]) -> list[Stale]:
    """Return the documents (by name) last confirmed longer than ``max_age`` before ``now``."""
    return [Stale(what, synced.issued_at, synced.confirmed_at, now - synced.confirmed_at)
            for what, synced in documents.items() if now - synced.confirmed_at > max_age]


def _span(delta: timedelta) -> str:
    seconds = abs(int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{round(seconds / 60)} min"
    return f"{round(seconds / 3600)} h"
