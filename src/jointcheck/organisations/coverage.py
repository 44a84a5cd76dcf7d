"""Vaccination coverage of organisations and industries for their supervisors (R14).

Figures only: members and how many are complete, partial, unvaccinated, exempt or not
eligible, and the share complete. Never a score or a ranking of a person or a company
(SPEC §2, declined): lists are ordered by code or name, not by rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from jointcheck.organisations.status import Status


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many distinct people, and how many of them in each status."""

    members: int
    complete: int
    partial: int
    unvaccinated: int
    exempt: int
    not_eligible: int

    @property
    def complete_rate(self) -> float | None:
        """Return the share of members with a complete series (None without members)."""
        return round(self.complete / self.members, 4) if self.members else None


def tally(statuses: Iterable[Status]) -> Coverage:
    """Count statuses (one per distinct person) into a coverage."""
    counts = dict.fromkeys(Status, 0)
    for status in statuses:
        counts[status] += 1
    return Coverage(sum(counts.values()), counts[Status.COMPLETE], counts[Status.PARTIAL],
                    counts[Status.UNVACCINATED], counts[Status.EXEMPT],
                    counts[Status.NOT_ELIGIBLE])
