"""Rank venues by compliance from the facts given: figures and reasons, never a score.

The facts of a venue over a window of ``days`` local days: on how many of them it logged no
check, how many checks it logged, how many visitors a day it is expected to have (where an
inspector estimated it), how many inspections found that it did not check everyone, how many
complaints came in, and the sanction running now. ``assess_venue`` turns them into reasons;
``rank_venues`` puts the venues with the most reasons first, then by the figures behind them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

REASONS = {
    "no-checks-logged": "no check was logged on any day of the window",
    "days-without-checks": "no check was logged on some days of the window",
    "too-few-checks": "fewer checks a day than the share of expected visitors",
    "repeated-findings": "more than one inspection found that not everyone was checked",
    "complaints": "complaints that the venue does not check",
    "open-sanction": "a rectification order or suspension is running",
}
"""Each reason's stable code and its sentence, in the order they are given."""

MIN_CHECK_SHARE = 0.5
"""Checks a day below this share of the expected visitors a day are too few."""


@dataclass(frozen=True, slots=True)
class VenueFacts:
    """What the district knows of one venue over a window of ``days`` local days."""

    code: str
    name: str
    category: str
    street: str
    days: int
    days_without_checks: int
    checks: int
    visitors_per_day: int | None = None
    failed_inspections: int = 0
    complaints: int = 0
    open_sanction: str | None = None

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError("a window has at least one day")
        if not 0 <= self.days_without_checks <= self.days:
            raise ValueError("the days without checks lie within the window")
        if min(self.checks, self.failed_inspections, self.complaints) < 0:
            raise ValueError("counts are not negative")
        if self.checks == 0 and self.days_without_checks != self.days:
            raise ValueError("a venue with no checks logged none on every day")

    @property
    def checks_per_day(self) -> float:
        """Return the mean checks a day over the window."""
        return self.checks / self.days

    @property
    def check_share(self) -> float | None:
        """Return checks a day over expected visitors a day, where they are known."""
        if self.visitors_per_day is None:
            return None
        return self.checks_per_day / self.visitors_per_day


@dataclass(frozen=True, slots=True)
class VenueCompliance:
    """A venue's facts and the reasons for concern they give (empty: none)."""

    facts: VenueFacts
    reasons: tuple[str, ...]

    @property
    def compliant(self) -> bool:
        """Tell whether the facts give no reason for concern."""
        return not self.reasons


def assess_venue(facts: VenueFacts, min_check_share: float = MIN_CHECK_SHARE
                 ) -> VenueCompliance:
    """Return the reasons for concern that a venue's facts give, in ``REASONS`` order."""
    found: set[str] = set()
    if facts.days_without_checks == facts.days:
        found.add("no-checks-logged")
    elif facts.days_without_checks > 0:
        found.add("days-without-checks")
    share = facts.check_share
    if share is not None and share < min_check_share and facts.checks > 0:
        found.add("too-few-checks")
    if facts.failed_inspections > 1:
        found.add("repeated-findings")
    if facts.complaints > 0:
        found.add("complaints")
    if facts.open_sanction is not None:
        found.add("open-sanction")
    return VenueCompliance(facts, tuple(code for code in REASONS if code in found))


def _order(item: VenueCompliance) -> tuple[int, int, int, int, float, str]:
    facts = item.facts
    share = facts.check_share
    return (-len(item.reasons), -facts.days_without_checks, -facts.failed_inspections,
            -facts.complaints, share if share is not None else float("inf"), facts.code)


def rank_venues(venues: Iterable[VenueFacts], min_check_share: float = MIN_CHECK_SHARE
                ) -> list[VenueCompliance]:
    """Return the venues assessed, most reasons first; ties by days without checks, failed
    inspections, complaints, the lowest share of checks to visitors, then code."""
    return sorted((assess_venue(facts, min_check_share) for facts in venues), key=_order)
