"""The order of a worklist: who to visit first, and the reasons that put a person there.

The order serves the grid worker's day; it is not a judgement of the person and is never
shown as a figure about anyone (SPEC §2). Each case gets a priority band, 1 first:

1. aged ``OLDER_FROM`` or over (``older-age``), or seen at a venue where susceptible people
   gather (``vulnerable-venue-visits``: nursing and welfare homes, kindergartens, primary
   schools, medical institutions);
2. eligible for ``LONG_ELIGIBLE_DAYS`` days or more (``long-eligible``);
3. everyone else.

Within a band: older first, then longer eligible, then more visits to vulnerable venues,
then the older case (smaller id). ``registered-at-door`` and ``reported-in-survey`` say how
the case came about and do not change the band.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from jointcheck.followup.cases import Source
from jointcheck.registry.ages import born_by, turns

OLDER_FROM = 60
"""Age from which a person is visited first."""
LONG_ELIGIBLE_DAYS = 90
"""Days of eligibility from which a person comes before those newly eligible."""
VULNERABLE_CATEGORIES: frozenset[str] = frozenset({
    "nursing-home", "welfare-home", "kindergarten", "primary-school", "medical"})
"""Venue categories where susceptible people gather (SPEC R2)."""

REASONS: dict[str, str] = {
    "older-age": f"aged {OLDER_FROM} or over",
    "vulnerable-venue-visits": "registered at a venue where susceptible people gather "
                               "(nursing or welfare home, kindergarten, primary school, "
                               "medical institution)",
    "long-eligible": f"eligible for {LONG_ELIGIBLE_DAYS} days or more",
    "registered-at-door": "registered at a venue's door as not vaccinated",
    "reported-in-survey": "reported not vaccinated in a door-to-door survey",
}
"""Every reason a worklist item may carry, with its meaning."""


def eligible_since(born: date, eligible_from: int, policy_from: date) -> date:
    """Return the first day a person born on ``born`` is eligible under a policy in force
    from ``policy_from``: the later of that day and the birthday of age ``eligible_from``."""
    return max(turns(born, eligible_from), policy_from)


def days_since_eligible(born: date, eligible_from: int, policy_from: date, today: date) -> int:
    """Return how many days a person has been eligible on ``today`` (0 if not yet)."""
    return max(0, (today - eligible_since(born, eligible_from, policy_from)).days)


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the order of a case is computed from."""

    case_id: int
    age: int
    days_since_eligible: int
    vulnerable_visits: int
    source: Source


@dataclass(frozen=True, slots=True)
class Priority:
    """A case's band (1 first) and the reasons for it."""

    band: int
    reasons: tuple[str, ...]


def assess(facts: CaseFacts) -> Priority:
    """Return the priority band of a case and its reasons."""
    reasons: list[str] = []
    if facts.age >= OLDER_FROM:
        reasons.append("older-age")
    if facts.vulnerable_visits > 0:
        reasons.append("vulnerable-venue-visits")
    if facts.days_since_eligible >= LONG_ELIGIBLE_DAYS:
        reasons.append("long-eligible")
    if facts.source is Source.REGISTRATION:
        reasons.append("registered-at-door")
    elif facts.source is Source.SURVEY:
        reasons.append("reported-in-survey")
    if "older-age" in reasons or "vulnerable-venue-visits" in reasons:
        band = 1
    elif "long-eligible" in reasons:
        band = 2
    else:
        band = 3
    return Priority(band, tuple(reasons))


@dataclass(frozen=True, slots=True)
class BandBounds:
    """The bands as birth dates, for a database to order by: band 1 is born on or before
    ``older_born_by`` or has visited a vulnerable venue; band 2 is born on or before
    ``long_born_by`` (None: nobody has been eligible long yet); band 3 is everyone else.
    Within a band, an earlier birth date is never a smaller age, so the cases of one band
    and one age follow one another in birth-date order."""

    older_born_by: date
    long_born_by: date | None


def band_bounds(eligible_from: int, policy_from: date, today: date) -> BandBounds:
    """Return the birth-date bounds of the bands on ``today`` (the same bands as ``assess``:
    ``days_since_eligible >= LONG_ELIGIBLE_DAYS`` is being eligible on the day
    ``LONG_ELIGIBLE_DAYS`` before ``today``)."""
    long_ago = date.fromordinal(today.toordinal() - LONG_ELIGIBLE_DAYS)
    long_born_by = born_by(long_ago, eligible_from) if policy_from <= long_ago else None
    return BandBounds(born_by(today, OLDER_FROM), long_born_by)


def order_key(facts: CaseFacts, priority: Priority) -> tuple[int, int, int, int, int]:
    """Return the sort key of a case in its worklist (smallest first)."""
    return (priority.band, -facts.age, -facts.days_since_eligible, -facts.vulnerable_visits,
            facts.case_id)
