"""Who may attend an important meeting, an official reception or a training (R10).

R10: a person without contraindication who is not vaccinated is not arranged to attend. The
seed asks cadres for a *first* dose before a deadline, so "vaccinated" is read as "at least
one accepted dose": ``complete`` and ``partial`` may attend, as may ``exempt`` (a
contraindication in force) and ``not-eligible`` (below the pack's eligible age); only
``unvaccinated`` may not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from jointcheck.organisations.status import OrganisationError, Status

MAX_ATTENDEES = 2000
"""Most attendees in one check."""


class MeetingKind(StrEnum):
    """What the attendees come to."""

    MEETING = "meeting"
    RECEPTION = "reception"
    TRAINING = "training"


def parse_kind(text: str) -> MeetingKind:
    """Return the kind named by ``text``; raise ``OrganisationError`` (``bad-kind``)."""
    try:
        return MeetingKind(text)
    except ValueError:
        names = ", ".join(kind.value for kind in MeetingKind)
        raise OrganisationError("bad-kind", f"{text!r} is not a kind of meeting (one of "
                                f"{names})") from None


def clean_attendees(refs: Sequence[str]) -> list[str]:
    """Return the attendee references stripped, without blanks; refuse an empty or long list,
    or one naming someone twice (``bad-attendees``)."""
    cleaned = [ref.strip() for ref in refs if ref.strip()]
    if not cleaned:
        raise OrganisationError("bad-attendees", "the attendee list is empty")
    if len(cleaned) > MAX_ATTENDEES:
        raise OrganisationError("bad-attendees", f"the attendee list has {len(cleaned)} "
                                f"names; at most {MAX_ATTENDEES} are checked at once")
    seen: set[str] = set()
    for number, ref in enumerate(cleaned, start=1):
        if ref in seen:
            raise OrganisationError("bad-attendees", f"attendee {number} is listed twice")
        seen.add(ref)
    return cleaned


@dataclass(frozen=True, slots=True)
class Attendance:
    """Whether a person may attend, the status it rests on, and why, in two languages."""

    may_attend: bool
    status: Status
    reason_en: str
    reason_zh: str


_ATTENDANCE: dict[Status, tuple[bool, str, str]] = {
    Status.COMPLETE: (True, "Vaccinated (primary series complete)", "已完成全程接种"),
    Status.PARTIAL: (True, "Vaccinated (at least a first dose)", "已接种第一剂次"),
    Status.EXEMPT: (True, "Contraindication certificate in force", "持有效禁忌证明"),
    Status.NOT_ELIGIBLE: (True, "Below the eligible age", "未到接种年龄"),
    Status.UNVACCINATED: (False, "Not vaccinated and no contraindication: not arranged to "
                          "attend", "未接种且无禁忌证明，不安排参加"),
}


def attendance(status: Status) -> Attendance:
    """Return whether a person of ``status`` may attend a meeting, reception or training."""
    may_attend, en, zh = _ATTENDANCE[status]
    return Attendance(may_attend, status, en, zh)
