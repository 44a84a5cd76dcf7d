"""A dose target's progress: doses per local day, the current rate, and a forecast.

``progress(target, doses_by_day, today)`` takes the doses given on each local day (from the
vaccination records) and the district's local day of the report. Only the days of the period
count. ``today`` is in progress: the current rate is the mean over the last complete days of
the period (at most ``RATE_DAYS``), and the forecast of the total by the end date is the doses
of the complete days, plus for today the larger of what is given so far and the rate, plus the
rate for each day left after today. Before the first complete day there is no rate and no
forecast; once the period is over the forecast is the final count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

RATE_DAYS = 3
"""How many of the last complete days the current rate averages."""


class Phase(StrEnum):
    """Where ``today`` lies against the target's period."""

    NOT_STARTED = "not-started"
    RUNNING = "running"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class DayDoses:
    """The doses given on one day of the period, and the total up to and including it."""

    day: date
    doses: int
    cumulative: int


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a target is on ``today``, and whether it will be met at the current rate."""

    target: int
    start: date
    end: date
    today: date
    phase: Phase
    days: list[DayDoses]
    given: int
    rate: float | None
    forecast: int | None
    required_rate: float | None

    @property
    def remaining(self) -> int:
        """Return the doses still to give (0 once the target is reached)."""
        return max(self.target - self.given, 0)

    @property
    def percent(self) -> float:
        """Return the share of the target given so far, in percent (may exceed 100)."""
        return 100.0 * self.given / self.target if self.target else 100.0

    @property
    def will_meet(self) -> bool | None:
        """Tell whether the target is met (or will be, at the current rate); ``None`` when
        there is no rate to forecast with yet and the target is not met."""
        if self.given >= self.target:
            return True
        if self.forecast is None:
            return None
        return self.forecast >= self.target


def _period_days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def progress(target: int, start: date, end: date, doses_by_day: Mapping[date, int],
             today: date, rate_days: int = RATE_DAYS) -> Progress:
    """Return the progress of ``target`` doses over ``start``..``end`` as of ``today``."""
    if rate_days < 1:
        raise ValueError("the rate averages at least one day")
    phase = (Phase.NOT_STARTED if today < start else Phase.ENDED if today > end
             else Phase.RUNNING)
    counted = [d for d in _period_days(start, end) if d <= today]
    days: list[DayDoses] = []
    cumulative = 0
    for day in counted:
        doses = doses_by_day.get(day, 0)
        cumulative += doses
        days.append(DayDoses(day, doses, cumulative))
    given = cumulative
    complete = [d for d in days if d.day < today]
    rate: float | None = None
    if complete:
        recent = complete[-rate_days:]
        rate = sum(d.doses for d in recent) / len(recent)
    forecast: int | None = None
    required: float | None = None
    if phase is Phase.ENDED:
        forecast = given
    elif phase is Phase.RUNNING:
        done = complete[-1].cumulative if complete else 0
        today_doses = days[-1].doses
        left_after_today = (end - today).days
        if rate is not None:
            forecast = done + round(max(float(today_doses), rate) + rate * left_after_today)
        required = max(target - done, 0) / (left_after_today + 1)
    else:
        required = target / ((end - start).days + 1)
    return Progress(target, start, end, today, phase, days, given, rate, forecast, required)
