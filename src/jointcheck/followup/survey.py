"""The door-to-door survey (R8): a household's form, checked, and the coverage per grid.

A form names the grid, the local day, the household's address (free text) and its members,
each by identity number with the status the household reported and an optional note. A
member reported ``unvaccinated`` or ``partly-vaccinated`` is followed up when the registry
confirms it (eligible, no dose recorded, no contraindication in force). Every refusal names
the item it concerns (``members[2].status``) so that the worker can correct the form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from jointcheck.followup.cases import NOTE_MAX, FollowupError, check_note

ADDRESS_MAX = 200
"""Longest address label, in characters."""
MAX_MEMBERS = 50
"""Most members of one household form."""
ID_NUMBER_MAX = 64
"""Longest identity number, in characters."""


class MemberStatus(StrEnum):
    """The vaccination status a household reports for a member."""

    VACCINATED = "vaccinated"
    PARTLY_VACCINATED = "partly-vaccinated"
    UNVACCINATED = "unvaccinated"
    EXEMPT = "exempt"
    NOT_ELIGIBLE = "not-eligible"
    AWAY = "away"


FOLLOWED_UP: frozenset[MemberStatus] = frozenset({MemberStatus.UNVACCINATED,
                                                  MemberStatus.PARTLY_VACCINATED})
"""Reported statuses that open a case when the registry confirms them."""


@dataclass(frozen=True, slots=True)
class SurveyMember:
    """One member of a surveyed household."""

    id_number: str
    status: MemberStatus
    note: str | None


@dataclass(frozen=True, slots=True)
class Household:
    """A checked household form."""

    area: str
    on: date
    address: str
    members: tuple[SurveyMember, ...]


def _bad(code: str, item: str, message: str) -> FollowupError:
    return FollowupError(code, f"{item}: {message}")


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _bad("bad-survey", "on", f"{value!r} is not a date (YYYY-MM-DD)")


def _text(document: Mapping[str, Any], field: str, limit: int, item: str) -> str:
    value = document.get(field)
    if not isinstance(value, str) or not value.strip():
        raise _bad("bad-survey" if item == field else "bad-member", item,
                   "is missing or empty")
    text = value.strip()
    if len(text) > limit:
        raise _bad("bad-survey" if item == field else "bad-member", item,
                   f"is at most {limit} characters, not {len(text)}")
    return text


def _member(document: Any, index: int, seen: dict[str, int],
            normalise: Callable[[str], str]) -> SurveyMember:
    item = f"members[{index}]"
    if not isinstance(document, Mapping):
        raise _bad("bad-member", item, "is not an object")
    unknown = sorted(set(document) - {"id_number", "status", "note"})
    if unknown:
        raise _bad("bad-member", item, f"unknown fields {', '.join(unknown)}")
    number = _text(document, "id_number", ID_NUMBER_MAX, f"{item}.id_number")
    canonical = normalise(number)
    if canonical in seen:
        raise _bad("duplicate-member", item, f"the same identity number as "
                   f"members[{seen[canonical]}]")
    seen[canonical] = index
    status = document.get("status")
    try:
        reported = MemberStatus(status if isinstance(status, str) else "")
    except ValueError:
        names = ", ".join(s.value for s in MemberStatus)
        raise _bad("bad-member", f"{item}.status", f"{status!r} is not a status (one of "
                   f"{names})") from None
    try:
        note = check_note(document.get("note"))
    except FollowupError as error:
        raise _bad("bad-member", f"{item}.note", error.message) from None
    return SurveyMember(number, reported, note)


def parse_household(document: Any, today: date,
                    normalise: Callable[[str], str] = str.strip) -> Household:
    """Return the household form in ``document``; raise ``FollowupError`` naming the item.

    ``today`` is the local day of the district (a survey is not dated in the future);
    ``normalise`` gives an identity number's canonical form, to find a member named twice.
    """
    if not isinstance(document, Mapping):
        raise FollowupError("bad-survey", "a survey is a JSON object")
    unknown = sorted(set(document) - {"area", "on", "address", "members"})
    if unknown:
        raise _bad("bad-survey", "survey", f"unknown fields {', '.join(unknown)}")
    area = _text(document, "area", 64, "area")
    on = _day(document.get("on"))
    if on > today:
        raise _bad("bad-day", "on", f"{on.isoformat()} is after today "
                   f"({today.isoformat()})")
    address = _text(document, "address", ADDRESS_MAX, "address")
    members = document.get("members")
    if not isinstance(members, list) or not members:
        raise _bad("bad-survey", "members", "a household has at least one member")
    if len(members) > MAX_MEMBERS:
        raise _bad("bad-survey", "members", f"at most {MAX_MEMBERS} members, "
                   f"not {len(members)}")
    seen: dict[str, int] = {}
    parsed = tuple(_member(member, index, seen, normalise)
                   for index, member in enumerate(members))
    return Household(area, on, address, parsed)


@dataclass(frozen=True, slots=True)
class GridCoverage:
    """One grid's survey figures: households, members, members per reported status."""

    area: str
    households: int
    members: int
    by_status: dict[str, int]


def coverage(households: Mapping[str, int],
             members: Iterable[tuple[str, str, int]]) -> list[GridCoverage]:
    """Return the coverage per grid from households per grid and (grid, status, count)."""
    by_grid: dict[str, dict[str, int]] = {
        grid: dict.fromkeys((s.value for s in MemberStatus), 0) for grid in households}
    for grid, status, count in members:
        by_grid.setdefault(grid, dict.fromkeys((s.value for s in MemberStatus), 0))
        by_grid[grid][status] += count
    return [GridCoverage(grid, households.get(grid, 0), sum(counts.values()), counts)
            for grid, counts in sorted(by_grid.items())]


__all__ = ["ADDRESS_MAX", "FOLLOWED_UP", "ID_NUMBER_MAX", "MAX_MEMBERS", "NOTE_MAX",
           "GridCoverage", "Household", "MemberStatus", "SurveyMember", "coverage",
           "parse_household"]
