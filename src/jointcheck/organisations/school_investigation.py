"""A school's investigation of its staff, students and students' family members (R11).

The investigation is opened with the term's first day; its deadline is the seventh day of
term (R11: within one week of term start), and it is overdue from the eighth. It
covers every member of the school: ``student`` members are the students, ``family-member``
members the family, every other post the staff; a person in two groups counts in each. A
member is checked once the school has recorded an entry for them; the entry keeps the
registry's status on the day of the check, and a later entry replaces an earlier one.
The investigation is complete when every member is checked, and overdue when the deadline
has passed and it is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from jointcheck.organisations.status import STATUSES, Status

DAYS = 6
"""Days from the first day of term to the deadline: the first day and six more make the week."""
GROUPS: tuple[str, ...] = ("staff", "students", "family")


def deadline_of(term_start: date) -> date:
    """Return the deadline of an investigation opened for a term starting on ``term_start``:
    the seventh day of term, the last day of its first week."""
    return term_start + timedelta(days=DAYS)


def group_of(post: str) -> str:
    """Return the group (``staff``, ``students`` or ``family``) of a post."""
    if post == "student":
        return "students"
    if post == "family-member":
        return "family"
    return "staff"


@dataclass(frozen=True, slots=True)
class GroupProgress:
    """One group's figures: members, those checked, and the checked by status."""

    total: int
    checked: int
    by_status: dict[str, int]


@dataclass(frozen=True, slots=True)
class InvestigationProgress:
    """An investigation's progress as of a local day."""

    term_start: date
    deadline: date
    today: date
    groups: dict[str, GroupProgress]

    @property
    def complete(self) -> bool:
        """Tell whether every member is checked."""
        return all(g.checked == g.total for g in self.groups.values())

    @property
    def days_left(self) -> int:
        """Return the days from today to the deadline (0 once it has passed)."""
        return max(0, (self.deadline - self.today).days)

    @property
    def overdue(self) -> bool:
        """Tell whether the deadline has passed with members unchecked."""
        return self.today > self.deadline and not self.complete


def progress(term_start: date, today: date, members: Iterable[tuple[str, str]],
             entries: Mapping[str, Status], *,
             deadline: date | None = None) -> InvestigationProgress:
    """Return the progress of an investigation.

    ``members`` are ``(pid, post)`` pairs of the school; ``entries`` the status recorded for
    each checked pid. Entries of people who are no longer members are not counted.
    ``deadline`` is the one the investigation was opened with; without it,
    ``deadline_of(term_start)``.
    """
    people: dict[str, set[str]] = {group: set() for group in GROUPS}
    for pid, post in members:
        people[group_of(post)].add(pid)
    groups: dict[str, GroupProgress] = {}
    for group in GROUPS:
        by_status = {status.value: 0 for status in STATUSES}
        checked = 0
        for pid in people[group]:
            status = entries.get(pid)
            if status is not None:
                checked += 1
                by_status[status.value] += 1
        groups[group] = GroupProgress(len(people[group]), checked, by_status)
    return InvestigationProgress(term_start,
                                 deadline if deadline is not None else deadline_of(term_start),
                                 today, groups)
