"""The dashboard's pure figures: age groups, coverage by street, checks by day."""

from __future__ import annotations

from datetime import date

import pytest

from jointcheck.registry.ages import age_on
from jointcheck.reporting.coverage import (
    AGE_GROUPS,
    ResidentGroup,
    age_group,
    checks_by_day,
    coverage_by_street,
    day_range,
)

ON = date(2026, 11, 24)
OUTCOMES = ("admit", "register", "persuade", "restrict", "deny")


@pytest.mark.parametrize(("birth", "age", "group"), [
    (date(2014, 11, 25), 11, "0-11"),  # twelve tomorrow
    (date(2014, 11, 24), 12, "12-17"),  # twelve today
    (date(2008, 11, 25), 17, "12-17"),
    (date(2008, 11, 24), 18, "18-59"),
    (date(1966, 11, 25), 59, "18-59"),
    (date(1966, 11, 24), 60, "60+"),
    (date(1930, 1, 1), 96, "60+"),
    (date(2026, 11, 24), 0, "0-11"),
])
def test_age_groups_turn_on_the_birthday(birth: date, age: int, group: str) -> None:
    assert age_on(birth, ON) == age
    assert age_group(birth, ON) == group


def test_a_leap_day_birthday_counts_from_the_first_of_march() -> None:
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_coverage_sums_each_street_and_age_group() -> None:
    groups = [
        ResidentGroup("fz.s01.c01", date(1990, 1, 1), True, True, False, 3),
        ResidentGroup("fz.s01.c02.g01", date(1990, 6, 1), True, False, False, 2),
        ResidentGroup("fz.s01.c01", date(1950, 1, 1), False, False, True, 1),
        ResidentGroup("fz.s01", date(2016, 1, 1), False, False, False, 4),
        ResidentGroup("fz.s03.c01", date(1990, 1, 1), True, True, False, 7),  # not asked for
        ResidentGroup("fz", date(1990, 1, 1), True, True, False, 9),  # not in a street
    ]
    found = coverage_by_street(groups, {"fz.s02": "West", "fz.s01": "East"}, ON)
    assert [street.street for street in found] == ["fz.s01", "fz.s02"]
    east = {group.group: group.as_dict() for group in found[0].age_groups}
    assert list(east) == list(AGE_GROUPS)
    assert east["18-59"] == {"group": "18-59", "residents": 5, "first_dose": 5, "complete": 3,
                             "exempt": 0}
    assert east["60+"] == {"group": "60+", "residents": 1, "first_dose": 0, "complete": 0,
                           "exempt": 1}
    assert east["0-11"]["residents"] == 4 and east["12-17"]["residents"] == 0
    west = found[1].as_dict()
    assert west["name"] == "West"
    assert all(group["residents"] == 0 for group in west["age_groups"])


def test_days_run_oldest_first_and_are_bounded() -> None:
    assert day_range(ON, 3) == [date(2026, 11, 22), date(2026, 11, 23), ON]
    assert len(day_range(ON, 92)) == 92
    for wrong in (0, -1, 93):
        with pytest.raises(ValueError, match="days is from 1 to 92"):
            day_range(ON, wrong)


def test_checks_are_summed_per_day_with_every_outcome() -> None:
    days = day_range(ON, 3)
    counts = [(date(2026, 11, 22), "admit", 4), (date(2026, 11, 22), "admit", 6),
              (ON, "deny", 1), (date(2026, 11, 1), "admit", 99)]
    found = checks_by_day(days, counts, [date(2026, 11, 22), ON], OUTCOMES)
    assert [item.as_dict() for item in found] == [
        {"day": "2026-11-22", "by_outcome": {"admit": 10, "register": 0, "persuade": 0,
                                             "restrict": 0, "deny": 0}, "rolled_up": True},
        {"day": "2026-11-23", "by_outcome": dict.fromkeys(OUTCOMES, 0), "rolled_up": False},
        {"day": "2026-11-24", "by_outcome": dict.fromkeys(OUTCOMES, 0) | {"deny": 1},
         "rolled_up": True},
    ]
