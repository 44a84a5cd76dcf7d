"""The follow-up funnel of an area: how many cases stand at each stage. Figures only.

Each case is counted once, at the stage of its **latest** outcome (by day, then by the order
it was recorded); a case with no outcome yet is ``not-yet-contacted``. The stages therefore
sum to the total, and a case that was booked and then declined counts as declined.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from jointcheck.followup.cases import CaseStatus, Outcome

NOT_CONTACTED = "not-yet-contacted"
STAGES: tuple[str, ...] = (*(o.value for o in Outcome), NOT_CONTACTED)
"""The stages of the funnel, in the order they are shown."""


@dataclass(frozen=True, slots=True)
class Funnel:
    """Cases in all, open and closed, and per stage."""

    total: int
    open: int
    closed: int
    stages: dict[str, int]


def funnel(counts: Iterable[tuple[CaseStatus, Outcome | None, int]]) -> Funnel:
    """Sum counts of cases given as (status, latest outcome or None, count) per stage."""
    stages = dict.fromkeys(STAGES, 0)
    total = opened = 0
    for status, latest, count in counts:
        total += count
        if status is CaseStatus.OPEN:
            opened += count
        stages[latest.value if latest is not None else NOT_CONTACTED] += count
    return Funnel(total, opened, total - opened, stages)
