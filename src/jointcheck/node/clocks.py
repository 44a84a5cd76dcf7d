"""The node's readings of the system clock and of a clock that only moves forward.

The forward clock is ``CLOCK_BOOTTIME`` where the system has it (Linux): unlike
``CLOCK_MONOTONIC`` it keeps counting while the device sleeps, so a tablet that was suspended
for an hour is not taken for a clock that jumped, and the server's time carried forward from
the last sync stays right.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from jointcheck.checkpoint.timekeeping import Reading

Readings = Callable[[], Reading]
_BOOTTIME = getattr(time, "CLOCK_BOOTTIME", None)


def forward_seconds() -> float:
    """Return seconds of a clock that never goes back and counts through sleep if it can."""
    if _BOOTTIME is not None:
        return time.clock_gettime(_BOOTTIME)
    return time.monotonic()


def system_reading() -> Reading:
    """Read the system clock and the forward clock together."""
    return Reading(datetime.now(UTC), forward_seconds())
