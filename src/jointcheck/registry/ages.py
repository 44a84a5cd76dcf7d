"""Ages in whole years on a day, and the birth date that makes an age: what "eligible" means.

A person is of an age ``a`` on ``day`` when born on or before ``born_by(day, a)``; shared by
dose targets (eligible residents per street) and follow-up (eligible unvaccinated residents).
"""

from __future__ import annotations

from datetime import date


def born_by(day: date, age: int) -> date:
    """Return the latest birth date of someone at least ``age`` years old on ``day``."""
    try:
        return day.replace(year=day.year - age)
    except ValueError:  # 29 February in a year that has none: that birthday is 1 March
        return day.replace(year=day.year - age, day=28)


def age_on(born: date, day: date) -> int:
    """Return the age in whole years on ``day`` of someone born on ``born``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def turns(born: date, age: int) -> date:
    """Return the first day on which someone born on ``born`` is ``age`` years old."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # born on 29 February: the birthday of a common year is 1 March
        return date(born.year + age, 3, 1)
