"""The pure core of the daily street summary: day windows, roll-up rows, report shape."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from jointcheck.reporting.daily import (
    OUTCOMES,
    StreetCheckFact,
    StreetVenue,
    VenueCount,
    VenuePlace,
    day_window,
    hour_range,
    local_day,
    roll_up,
    shape_report,
    street_of,
    street_totals,
    trailing_days,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 22)


def test_day_window_in_shanghai_is_sixteen_to_sixteen_utc() -> None:
    assert day_window(DAY, SHANGHAI) == (datetime(2026, 11, 21, 16, tzinfo=UTC),
                                         datetime(2026, 11, 22, 16, tzinfo=UTC))
    assert hour_range(DAY, SHANGHAI) == day_window(DAY, SHANGHAI)


@pytest.mark.parametrize(("day", "hours"), [
    (date(2026, 3, 8), 23),   # New York springs forward
    (date(2026, 11, 1), 25),  # and falls back
    (date(2026, 3, 9), 24),
])
def test_a_day_with_a_summer_time_change_is_23_or_25_hours(day: date, hours: int) -> None:
    start, end = day_window(day, ZoneInfo("America/New_York"))
    assert (end - start).total_seconds() == hours * 3600
    first, after = hour_range(day, ZoneInfo("America/New_York"))
    assert (after - first).total_seconds() == hours * 3600


def test_a_zone_that_springs_forward_at_midnight_starts_the_day_at_the_change() -> None:
    # Santiago moved from -04 to -03 at local midnight on 2026-09-06: 00:00 did not exist.
    start, end = day_window(date(2026, 9, 6), ZoneInfo("America/Santiago"))
    assert start == datetime(2026, 9, 6, 4, tzinfo=UTC)
    assert end == datetime(2026, 9, 7, 3, tzinfo=UTC)


@pytest.mark.parametrize(("zone", "window", "hours"), [
    ("Asia/Kolkata", (datetime(2026, 11, 21, 18, 30, tzinfo=UTC),
                      datetime(2026, 11, 22, 18, 30, tzinfo=UTC)),
     (datetime(2026, 11, 21, 19, tzinfo=UTC), datetime(2026, 11, 22, 19, tzinfo=UTC))),
    ("Asia/Kathmandu", (datetime(2026, 11, 21, 18, 15, tzinfo=UTC),
                        datetime(2026, 11, 22, 18, 15, tzinfo=UTC)),
     (datetime(2026, 11, 21, 19, tzinfo=UTC), datetime(2026, 11, 22, 19, tzinfo=UTC))),
])
def test_a_fractional_offset_gives_an_hour_to_the_day_it_begins_in(
        zone: str, window: tuple[datetime, datetime],
        hours: tuple[datetime, datetime]) -> None:
    assert day_window(DAY, ZoneInfo(zone)) == window
    assert hour_range(DAY, ZoneInfo(zone)) == hours
    # The hours of consecutive days tile without gap or overlap.
    assert hour_range(date(2026, 11, 23), ZoneInfo(zone))[0] == hours[1]


def test_local_day_of_half_past_eleven_and_half_past_midnight_differ() -> None:
    late = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)   # 23:30 in Shanghai
    early = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # 00:30 the next day
    assert local_day(late, SHANGHAI) == DAY
    assert local_day(early, SHANGHAI) == date(2026, 11, 23)
    with pytest.raises(ValueError, match="time zone"):
        local_day(late.replace(tzinfo=None), SHANGHAI)


def test_trailing_days_end_today_oldest_first() -> None:
    assert trailing_days(DAY, 3) == [date(2026, 11, 20), date(2026, 11, 21), DAY]
    with pytest.raises(ValueError, match="at least one day"):
        trailing_days(DAY, 0)


def test_street_of_an_area_code() -> None:
    assert street_of("fz.s01.c02.g03") == "fz.s01"
    assert street_of("fz.s01") == "fz.s01"
    assert street_of("fz") is None


PLACES = {"v1": VenuePlace("fz.s01", "mall"), "v2": VenuePlace("fz.s01", "market"),
          "v3": VenuePlace("fz.s02", "mall")}


def test_roll_up_sums_counts_by_venue_and_outcome() -> None:
    counts = [VenueCount("v1", "admit", 5), VenueCount("v1", "admit", 7),
              VenueCount("v1", "deny", 1), VenueCount("v3", "persuade", 2),
              VenueCount("v2", "admit", 0)]
    assert roll_up(DAY, counts, PLACES) == [
        StreetCheckFact(DAY, "fz.s01", "v1", "mall", "admit", 12),
        StreetCheckFact(DAY, "fz.s01", "v1", "mall", "deny", 1),
        StreetCheckFact(DAY, "fz.s02", "v3", "mall", "persuade", 2),
    ]


def test_roll_up_refuses_a_venue_that_is_not_registered() -> None:
    with pytest.raises(ValueError, match="v9 has counts"):
        roll_up(DAY, [VenueCount("v9", "admit", 1)], PLACES)


def test_street_totals_fold_areas_into_their_streets() -> None:
    assert street_totals({"fz.s01.c01.g01": 2, "fz.s01.c02": 3, "fz.s02.c01": 1, "fz": 4,
                          "fz.s09.c01": 8}, ["fz.s01", "fz.s02", "fz.s03"]) == {
        "fz.s01": 5, "fz.s02": 1, "fz.s03": 0}


def test_shape_report_lists_venues_categories_and_silent_venues() -> None:
    facts = [StreetCheckFact(DAY, "fz.s01", "v1", "mall", "admit", 12),
             StreetCheckFact(DAY, "fz.s01", "v1", "mall", "deny", 1),
             StreetCheckFact(DAY, "fz.s01", "v2", "market", "persuade", 3),
             StreetCheckFact(DAY, "fz.s01", "v4", "mall", "admit", 2)]
    venues = [StreetVenue("v1", "Mall one", "mall"), StreetVenue("v2", "Market", "market"),
              StreetVenue("v4", "Mall four", "mall"), StreetVenue("v5", "Quiet", "gym")]
    report = shape_report("fz.s01", DAY, "Asia/Shanghai", facts, venues, 4, 9)
    assert [line.venue for line in report.venues] == ["v1", "v4", "v2"]
    assert report.checks == 18
    assert report.silent_venues == ["v5"]
    assert report.by_category() == {
        "mall": {"admit": 14, "register": 0, "persuade": 0, "restrict": 0, "deny": 1},
        "market": {"admit": 0, "register": 0, "persuade": 3, "restrict": 0, "deny": 0}}
    shown = report.as_dict()
    assert shown["venues"][0] == {"venue": "v1", "name": "Mall one", "category": "mall",
                                  "counts": {"admit": 12, "register": 0, "persuade": 0,
                                             "restrict": 0, "deny": 1}, "total": 13}
    assert (shown["registrations"], shown["new_vaccinations"]) == (4, 9)
    table = report.table()
    assert table[0] == ["section", "code", "name", "category", *OUTCOMES, "total"]
    assert ["venue", "v2", "Market", "market", 0, 0, 3, 0, 0, 3] in table
    assert table[-1][:2] == ["silent_venue", "v5"]
    assert all(len(row) == len(table[0]) for row in table)


def test_shape_report_refuses_a_fact_of_another_street() -> None:
    with pytest.raises(ValueError, match=r"not of fz\.s01"):
        shape_report("fz.s01", DAY, "Asia/Shanghai",
                     [StreetCheckFact(DAY, "fz.s02", "v3", "mall", "admit", 1)], [], 0, 0)
