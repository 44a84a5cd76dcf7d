"""Date-times of CertLogic: parsing the allowed formats, ``dccDateOfBirth`` and ``plusTime``.

Every date-time is a timezone-aware :class:`~datetime.datetime` in UTC with millisecond
precision. Offsetting follows the JavaScript ``Date.setUTC*`` methods that the specification
names as normative: a month or year step keeps the day of the month and lets it overflow into
the next month (2021-01-31 plus one month is 2021-03-03, 2020-02-29 plus one year is
2021-03-01), and a day or hour step is a plain duration because UTC has no DST.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from jointcheck.errors import CertLogicError

TIME_UNITS = ("year", "month", "day", "hour")

_YEAR = re.compile(r"(\d{4})", re.ASCII)
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(Z|([+-])(\d{1,2}):?(\d{2})?)?",
    re.ASCII,
)


def _refuse(message: str) -> CertLogicError:
    return CertLogicError("certlogic-evaluation", message)


def _midnight(year: int, month: int, day: int, text: str) -> datetime:
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError as error:
        raise _refuse(f"not a valid date: {text!r} ({error})") from error


def dcc_date_of_birth(text: str) -> datetime:
    """Return the last midnight (UTC) consistent with a DCC date of birth ``YYYY[-MM[-DD]]``."""
    if match := _YEAR.fullmatch(text):
        return _midnight(int(match[1]), 12, 31, text)
    if match := _YEAR_MONTH.fullmatch(text):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise _refuse(f"not a valid month: {text!r}")
        return _midnight(year, month, calendar.monthrange(year, month)[1], text)
    if match := _DATE.fullmatch(text):
        return _midnight(int(match[1]), int(match[2]), int(match[3]), text)
    raise _refuse(f"can't parse {text!r} as an EU DCC date-of-birth")


@lru_cache(maxsize=4096)
def parse_date_time(text: str) -> datetime:
    """Parse a date or date-time in one of the formats CertLogic allows, as a UTC instant."""
    if _YEAR.fullmatch(text) or _YEAR_MONTH.fullmatch(text) or _DATE.fullmatch(text):
        return dcc_date_of_birth(text)
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        raise _refuse(f"not an allowed date or date-time format: {text!r}")
    year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
    # Digits beyond the millisecond are dropped, not rounded, as the specification says.
    millis = int((match[7] or "0")[:3].ljust(3, "0"))
    offset = timedelta(0)
    if match[9]:
        offset_minutes = int(match[10]) * 60 + int(match[11] or 0)
        offset = timedelta(minutes=offset_minutes if match[9] == "+" else -offset_minutes)
    try:
        local = datetime(year, month, day, hour, minute, second, millis * 1000, tzinfo=UTC)
        return local - offset
    except (ValueError, OverflowError) as error:
        raise _refuse(f"not a valid date-time: {text!r} ({error})") from error


def _plus_months(instant: datetime, months: int) -> datetime:
    index = instant.year * 12 + instant.month - 1 + months
    year, month = divmod(index, 12)
    first = instant.replace(year=year, month=month + 1, day=1)
    # The day of the month overflows into the next month, as Date.setUTCMonth does.
    return first + timedelta(days=instant.day - 1)


def shift(instant: datetime, amount: int, unit: str) -> datetime:
    """Return ``instant`` moved by ``amount`` time units (year, month, day or hour)."""
    if amount == 0:
        return instant
    try:
        if unit == "day":
            return instant + timedelta(days=amount)
        if unit == "hour":
            return instant + timedelta(hours=amount)
        if unit == "month":
            return _plus_months(instant, amount)
        if unit == "year":
            return _plus_months(instant, 12 * amount)
    except (ValueError, OverflowError) as error:
        raise _refuse(f"date-time out of range after adding {amount} {unit}(s)") from error
    raise _refuse(f"unknown time unit {unit!r}")


def plus_time(text: str, amount: int, unit: str) -> datetime:
    """Parse ``text`` as a CertLogic date-time and move it by ``amount`` units."""
    return shift(parse_date_time(text), amount, unit)
