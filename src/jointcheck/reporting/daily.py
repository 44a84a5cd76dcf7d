"""The daily street summary (R6): local-day windows, roll-up rows, and the shape of a report.

A "day" is a local day of the district's time zone. Its UTC window is local midnight to the
next local midnight, converted explicitly, so a day is 23 or 25 hours long where the zone
changes to or from summer time. Check counts are kept per UTC hour, so where the zone's
offset is not a whole number of hours (``Asia/Kolkata``, ``Asia/Kathmandu``) a UTC hour can
straddle two local days; such an hour belongs to the local day in which it begins, so every
hour belongs to exactly one day (``hour_range``). Registrations carry their own instant and
are counted by the exact window (``day_window``); vaccinations by their date.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

OUTCOMES = ("admit", "register", "persuade", "restrict", "deny")
"""The outcomes of a check, in the order a report lists them."""


def day_window(day: date, timezone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the UTC instants where local ``day`` in ``timezone`` starts and ends.

    Where local midnight does not exist (a zone that springs forward at midnight), the day
    starts at the instant of the change, which is where ``fold=0`` puts it.
    """
    start = datetime.combine(day, time(), timezone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), timezone).astimezone(UTC)
    return start, end


def _ceil_hour(instant: datetime) -> datetime:
    floor = instant.replace(minute=0, second=0, microsecond=0)
    return floor if floor == instant else floor + timedelta(hours=1)


def hour_range(day: date, timezone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the first UTC hour of local ``day`` and the first hour after it.

    An hour belongs to the local day in which it begins: with a whole-hour offset this is
    exactly ``day_window``; with a fractional one the bounds move up to the next whole hour.
    """
    start, end = day_window(day, timezone)
    return _ceil_hour(start), _ceil_hour(end)


def local_day(instant: datetime, timezone: ZoneInfo) -> date:
    """Return the local day of ``timezone`` on which ``instant`` falls."""
    if instant.tzinfo is None:
        raise ValueError("an instant must carry its time zone")
    return instant.astimezone(timezone).date()


def trailing_days(today: date, count: int) -> list[date]:
    """Return the ``count`` days ending with ``today``, oldest first."""
    if count < 1:
        raise ValueError(f"a trailing window is at least one day, not {count}")
    return [today - timedelta(days=back) for back in range(count - 1, -1, -1)]


def street_of(area_code: str) -> str | None:
    """Return the street (first two segments) an area code lies in, or None above a street."""
    parts = area_code.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None


@dataclass(frozen=True, slots=True)
class VenuePlace:
    """Where a venue is and what kind it is: its street and its category."""

    street: str
    category: str


@dataclass(frozen=True, slots=True)
class VenueCount:
    """A number of checks at a venue with one outcome (any hours, any basis)."""

    venue: str
    outcome: str
    count: int


@dataclass(frozen=True, slots=True, order=True)
class StreetCheckFact:
    """One row of ``daily_street_checks``: a day's checks by street, venue, category, outcome."""

    day: date
    street: str
    venue: str
    category: str
    outcome: str
    count: int


def roll_up(day: date, counts: Iterable[VenueCount],
            places: Mapping[str, VenuePlace]) -> list[StreetCheckFact]:
    """Sum ``counts`` into a day's fact rows, sorted; a venue not in ``places`` is an error."""
    totals: Counter[tuple[str, str]] = Counter()
    for line in counts:
        if line.venue not in places:
            raise ValueError(f"the venue {line.venue} has counts but is not registered")
        totals[line.venue, line.outcome] += line.count
    # Sorted on plain tuples first: comparing the dataclasses is several times slower.
    keyed = sorted((places[venue].street, venue, places[venue].category, outcome, count)
                   for (venue, outcome), count in totals.items() if count > 0)
    return [StreetCheckFact(day, *key) for key in keyed]


def street_totals(values: Mapping[str, int], streets: Iterable[str]) -> dict[str, int]:
    """Return the sum of ``values`` (keyed by area code) per street, zero for a street without."""
    totals = dict.fromkeys(streets, 0)
    for area, count in values.items():
        street = street_of(area)
        if street in totals:
            totals[street] += count
    return totals


@dataclass(frozen=True, slots=True)
class VenueLine:
    """A venue's checks on the day, by outcome."""

    venue: str
    name: str
    category: str
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        """Return the venue's checks of all outcomes."""
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class DayReport:
    """A street's day: checks per venue and per category, registrations, silent venues,
    and the day's new vaccinations of its residents."""

    street: str
    day: date
    timezone: str
    venues: list[VenueLine]
    registrations: int
    new_vaccinations: int
    silent_venues: list[str] = field(default_factory=list)

    def by_category(self) -> dict[str, dict[str, int]]:
        """Return the checks per venue category and outcome, categories sorted."""
        totals: dict[str, Counter[str]] = {}
        for line in self.venues:
            totals.setdefault(line.category, Counter()).update(line.counts)
        return {category: _by_outcome(totals[category]) for category in sorted(totals)}

    @property
    def checks(self) -> int:
        """Return the street's checks of all outcomes."""
        return sum(line.total for line in self.venues)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as the JSON of the CLI and the API."""
        return {
            "street": self.street, "day": self.day.isoformat(), "timezone": self.timezone,
            "checks": self.checks,
            "venues": [{"venue": line.venue, "name": line.name, "category": line.category,
                        "counts": _by_outcome(line.counts), "total": line.total}
                       for line in self.venues],
            "categories": self.by_category(), "registrations": self.registrations,
            "silent_venues": list(self.silent_venues),
            "new_vaccinations": self.new_vaccinations}

    def table(self) -> list[list[str | int]]:
        """Return the report as rows of a sheet: a header, venues, categories, then totals."""
        header: list[str | int] = ["section", "code", "name", "category", *OUTCOMES, "total"]
        rows: list[list[str | int]] = [header]
        for line in self.venues:
            counts = _by_outcome(line.counts)
            rows.append(["venue", line.venue, line.name, line.category,
                         *counts.values(), line.total])
        for category, counts in self.by_category().items():
            rows.append(["category", category, "", category, *counts.values(),
                         sum(counts.values())])
        blank = [""] * (len(OUTCOMES) + 1)
        rows.append(["registrations", self.street, "", "", *blank[:-1], self.registrations])
        rows.append(["new_vaccinations", self.street, "", "", *blank[:-1],
                     self.new_vaccinations])
        rows.extend(["silent_venue", code, "", "", *blank] for code in self.silent_venues)
        return rows


def _by_outcome(counts: Mapping[str, int]) -> dict[str, int]:
    return {outcome: int(counts.get(outcome, 0)) for outcome in OUTCOMES}


@dataclass(frozen=True, slots=True)
class StreetVenue:
    """A venue registered in a street: code, name and category."""

    code: str
    name: str
    category: str


def shape_report(street: str, day: date, timezone: str, facts: Sequence[StreetCheckFact],
                 venues: Sequence[StreetVenue], registrations: int,
                 new_vaccinations: int) -> DayReport:
    """Shape a street's day from its fact rows and its registered venues.

    Every venue with facts is listed (sorted by category, then code), with its name where it
    is still registered; the registered venues with no checks are the silent venues.
    """
    names = {venue.code: venue for venue in venues}
    counts: dict[tuple[str, str], Counter[str]] = {}
    for fact in facts:
        if fact.street != street or fact.day != day:
            raise ValueError(f"a fact of {fact.street} on {fact.day} is not of {street} "
                             f"on {day}")
        counts.setdefault((fact.category, fact.venue), Counter())[fact.outcome] += fact.count
    lines = [VenueLine(venue, names[venue].name if venue in names else "", category,
                       dict(counts[category, venue]))
             for category, venue in sorted(counts)]
    reported = {venue for _, venue in counts}
    silent = sorted(venue.code for venue in venues if venue.code not in reported)
    return DayReport(street, day, timezone, lines, registrations, new_vaccinations, silent)
