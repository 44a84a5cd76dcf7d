"""Coverage by street and age group, and checks by outcome per day: the dashboard's figures.

Pure: the storage layer hands in counted groups of residents (street area, birth date, whether
they had a first dose, a complete series, an exemption in force: never a person) and the
street roll-ups of the days; these functions shape them. Ages are whole years on the day
``on``; the groups are those of the vaccination campaign: children under 12, adolescents 12
to 17, adults 18 to 59, and people of 60 and over.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from jointcheck.registry.ages import age_on

AGE_GROUPS: tuple[str, ...] = ("0-11", "12-17", "18-59", "60+")
"""The age groups, youngest first."""
_LOWER_BOUNDS: tuple[tuple[int, str], ...] = ((60, "60+"), (18, "18-59"), (12, "12-17"),
                                              (0, "0-11"))
MAX_DAYS = 92
"""The longest run of days the checks series answers."""


def age_group(birth: date, on: date) -> str:
    """Return the age group on ``on`` of a person born on ``birth`` (a future birth: 0-11)."""
    age = age_on(birth, on)
    for bound, name in _LOWER_BOUNDS:
        if age >= bound:
            return name
    return AGE_GROUPS[0]


@dataclass(frozen=True, slots=True)
class ResidentGroup:
    """How many residents of one area, born on one day, share a vaccination status."""

    area: str
    birth_date: date
    first_dose: bool
    complete: bool
    exempt: bool
    count: int


@dataclass(slots=True)
class GroupCoverage:
    """One age group of a street: residents, with a first dose, complete, exempt."""

    group: str
    residents: int = 0
    first_dose: int = 0
    complete: int = 0
    exempt: int = 0

    def add(self, item: ResidentGroup) -> None:
        self.residents += item.count
        self.first_dose += item.count if item.first_dose else 0
        self.complete += item.count if item.complete else 0
        self.exempt += item.count if item.exempt else 0

    def as_dict(self) -> dict[str, Any]:
        return {"group": self.group, "residents": self.residents,
                "first_dose": self.first_dose, "complete": self.complete, "exempt": self.exempt}


@dataclass(frozen=True, slots=True)
class StreetCoverage:
    """A street's coverage by age group (every group listed, empty ones at zero)."""

    street: str
    name: str
    age_groups: tuple[GroupCoverage, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"street": self.street, "name": self.name,
                "age_groups": [group.as_dict() for group in self.age_groups]}


def _street(area: str) -> str | None:
    segments = area.split(".")
    return ".".join(segments[:2]) if len(segments) >= 2 else None


def coverage_by_street(groups: Iterable[ResidentGroup], streets: Mapping[str, str],
                       on: date) -> list[StreetCoverage]:
    """Return the coverage of each of ``streets`` (code -> name) by age group on ``on``.

    Every street of ``streets`` is listed, in code order, even without residents; a group of
    residents outside them (a district-level address, another street) is not counted.
    """
    table = {street: {name: GroupCoverage(name) for name in AGE_GROUPS} for street in streets}
    for item in groups:
        street = _street(item.area)
        if street is None or street not in table:
            continue
        table[street][age_group(item.birth_date, on)].add(item)
    return [StreetCoverage(street, streets[street],
                           tuple(table[street][name] for name in AGE_GROUPS))
            for street in sorted(table)]


def day_range(last: date, days: int) -> list[date]:
    """Return the ``days`` local days ending with ``last``, oldest first; raise ``ValueError``
    for a count outside 1 to ``MAX_DAYS``."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days is from 1 to {MAX_DAYS}, not {days}")
    return [last - timedelta(days=back) for back in range(days - 1, -1, -1)]


@dataclass(frozen=True, slots=True)
class DayOutcomes:
    """The checks of one local day by outcome, and whether the day was rolled up."""

    day: date
    by_outcome: Mapping[str, int]
    rolled_up: bool

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "by_outcome": dict(self.by_outcome),
                "rolled_up": self.rolled_up}


def checks_by_day(days: Sequence[date], counts: Iterable[tuple[date, str, int]],
                  rolled_up: Iterable[date], outcomes: Sequence[str]) -> list[DayOutcomes]:
    """Return each of ``days`` with its checks by outcome (every outcome listed, zero if none).

    ``counts`` are (day, outcome, count) rows, summed here; ``rolled_up`` names the days the
    roll-up has computed, so that a day not computed reads as such rather than as no checks.
    """
    wanted = set(days)
    totals: dict[date, dict[str, int]] = {day: dict.fromkeys(outcomes, 0) for day in days}
    for day, outcome, count in counts:
        if day in wanted:
            totals[day][outcome] = totals[day].get(outcome, 0) + count
    computed = set(rolled_up)
    return [DayOutcomes(day, totals[day], day in computed) for day in days]
