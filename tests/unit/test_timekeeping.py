"""A node's time: the server's carried forward, else a system clock that kept step; staleness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jointcheck.checkpoint.timekeeping import (
    TOLERANCE,
    Anchor,
    Reading,
    Synced,
    node_time,
    stale,
)
from jointcheck.errors import NodeError

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
STARTED = Reading(T0, 1000.0)


def later(seconds: float, wall_shift: timedelta = timedelta(0)) -> Reading:
    """A reading ``seconds`` after the start, with the system clock moved by ``wall_shift``."""
    return Reading(T0 + timedelta(seconds=seconds) + wall_shift, 1000.0 + seconds)


def test_the_servers_time_is_carried_forward_on_the_forward_clock() -> None:
    # Taken 60 s after the start, when the system clock read 08:01: it is 5 minutes slow.
    server = datetime(2026, 11, 23, 8, 6, tzinfo=UTC)
    anchor = Anchor(server, 1060.0)
    current = node_time(later(600), STARTED, anchor, None)
    assert current.source == "server"
    assert current.now == server + timedelta(seconds=540)
    assert current.system_offset == timedelta(minutes=-5)


def test_with_the_servers_time_a_system_clock_jump_does_not_matter() -> None:
    anchor = Anchor(T0, 1000.0)
    current = node_time(later(60, wall_shift=timedelta(hours=-3)), STARTED, anchor,
                        high_water=T0 + timedelta(hours=1))
    assert current.now == T0 + timedelta(seconds=60)
    assert current.system_offset == timedelta(hours=-3)


def test_without_a_sync_the_system_clock_is_used_while_it_keeps_step() -> None:
    current = node_time(later(3600, wall_shift=timedelta(seconds=30)), STARTED, None, None)
    assert current.source == "system"
    assert current.now == T0 + timedelta(seconds=3630)
    assert current.system_offset == timedelta(0)


@pytest.mark.parametrize("shift", [timedelta(hours=1), timedelta(hours=-1),
                                   TOLERANCE + timedelta(seconds=1)])
def test_a_system_clock_that_jumped_since_the_start_is_refused(shift: timedelta) -> None:
    with pytest.raises(NodeError) as caught:
        node_time(later(120, wall_shift=shift), STARTED, None, None)
    assert caught.value.code == "clock-jumped"
    assert caught.value.stage == "node"


def test_the_jump_is_named_in_the_message() -> None:
    with pytest.raises(NodeError, match="jumped by 3 h"):
        node_time(later(10, wall_shift=timedelta(hours=3)), STARTED, None, None)


def test_a_system_clock_behind_the_latest_time_seen_is_refused() -> None:
    high_water = T0 + timedelta(days=2)  # a sync or a check of an earlier run saw this time
    with pytest.raises(NodeError) as caught:
        node_time(later(5), STARTED, None, high_water)
    assert caught.value.code == "clock-behind"
    assert "48 h behind" in caught.value.message


def test_a_system_clock_a_little_behind_the_latest_time_is_accepted() -> None:
    high_water = T0 + TOLERANCE - timedelta(seconds=1)
    assert node_time(later(0), STARTED, None, high_water).now == T0


def test_staleness_counts_from_the_servers_last_confirmation() -> None:
    now = T0 + timedelta(hours=30)
    documents = {
        # re-signed a week ago, but the server handed it out an hour ago: current
        "trust-list": Synced(T0 - timedelta(days=7), now - timedelta(hours=1)),
        # confirmed 25 hours ago: stale
        "policy": Synced(T0, now - timedelta(hours=25)),
    }
    (item,) = stale(now, timedelta(hours=24), documents)
    assert (item.what, item.issued_at, item.age) == ("policy", T0, timedelta(hours=25))
    assert item.confirmed_at == now - timedelta(hours=25)


def test_a_document_exactly_at_the_allowed_age_is_not_stale() -> None:
    now = T0 + timedelta(hours=24)
    assert stale(now, timedelta(hours=24), {"policy": Synced(T0, T0)}) == []
    assert len(stale(now + timedelta(seconds=1), timedelta(hours=24),
                     {"policy": Synced(T0, T0)})) == 1
