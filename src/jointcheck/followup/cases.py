"""A follow-up case and its outcomes: what may be recorded, and which outcomes close a case.

A case is one eligible person not yet vaccinated whom a grid worker follows up (R7). Each
outcome carries its local day, the worker and an optional short note. ``vaccinated``,
``exemption-presented`` and ``moved-away`` close the case; the others keep it open.

Who is followed up, and what closes a case without a worker, follow the one reading of a
person's status under the policy pack in force (``jointcheck.rules.status``):

- a candidate is ``unvaccinated`` under the pack (of eligible age, no dose of a product the
  pack accepts, no contraindication certificate the pack accepts in force), or younger but
  registered at a venue's door with no accepted dose and no accepted exemption;
- a dose of a product the pack accepts closes an open case as ``vaccinated``; failing that,
  an accepted exemption in force closes it as ``exemption-presented``; both carry the worker
  ``system``. A dose of a product the pack does not accept closes nothing: the person stays
  followed up, as the door would treat them as unvaccinated;
- a person gets a new case when a candidate again only if their latest case closed as
  ``exemption-presented`` (the exemption lapsed, or the one a worker saw is not in the
  registry); never after ``vaccinated`` or ``moved-away`` (a person who moves back is found
  by a door-to-door survey).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from jointcheck.errors import JointcheckError
from jointcheck.rules.policy import PolicyPack
from jointcheck.rules.status import PersonFacts, Status, exempt_on, last_accepted_dose, status_of

SYSTEM_WORKER = "system"
"""The worker of an outcome recorded by the software (a case closed by a dose record)."""
NOTE_MAX = 200
"""Longest note of an outcome or a survey member, in characters."""


class FollowupError(JointcheckError, ValueError):
    """A follow-up outcome, query or survey is refused.

    Codes: ``unknown-outcome``, ``bad-day`` (a day in the future, before the case opened or
    before its last outcome), ``case-closed``, ``bad-note``, ``bad-status``, ``bad-limit``,
    ``bad-area``, ``bad-survey``, ``bad-member``, ``duplicate-member`` and
    ``unknown-person`` (a survey member's identity number is not in the registry).
    """

    stage = "followup"


class Outcome(StrEnum):
    """What came of a contact with the person followed up."""

    CONTACTED = "contacted"
    POLICY_EXPLAINED = "policy-explained"
    APPOINTMENT_BOOKED = "appointment-booked"
    VACCINATED = "vaccinated"
    EXEMPTION_PRESENTED = "exemption-presented"
    DECLINED = "declined"
    MOVED_AWAY = "moved-away"
    UNREACHABLE = "unreachable"


CLOSING: frozenset[Outcome] = frozenset({Outcome.VACCINATED, Outcome.EXEMPTION_PRESENTED,
                                         Outcome.MOVED_AWAY})
"""The outcomes that close a case."""
REOPENED_AFTER: frozenset[Outcome] = frozenset({Outcome.EXEMPTION_PRESENTED})
"""The closing outcomes after which a refresh opens a new case for a candidate again."""
EXEMPTION_NOTE = "contraindication certificate in force"
"""The note of a case closed by ``system`` for an exemption in the registry."""


class Source(StrEnum):
    """How a case came to be opened."""

    REGISTRATION = "registration"
    REGISTRY = "registry"
    SURVEY = "survey"


class CaseStatus(StrEnum):
    """Whether a case is still worked."""

    OPEN = "open"
    CLOSED = "closed"


STATUS_FILTERS = ("open", "closed", "all")
"""The values of a worklist's status filter."""


def parse_outcome(text: str) -> Outcome:
    """Return the outcome named by ``text``; raise ``FollowupError`` (``unknown-outcome``)."""
    try:
        return Outcome(text)
    except ValueError:
        names = ", ".join(o.value for o in Outcome)
        raise FollowupError("unknown-outcome",
                            f"{text!r} is not an outcome (one of {names})") from None


def parse_status_filter(text: str) -> str:
    """Return a worklist status filter; raise ``FollowupError`` (``bad-status``)."""
    if text not in STATUS_FILTERS:
        raise FollowupError("bad-status", f"{text!r} is not a status (open, closed or all)")
    return text


def check_note(note: str | None) -> str | None:
    """Return a note stripped, or None when empty; raise ``FollowupError`` (``bad-note``)."""
    if note is None:
        return None
    if not isinstance(note, str):
        raise FollowupError("bad-note", "a note is text")
    text = note.strip()
    if len(text) > NOTE_MAX:
        raise FollowupError("bad-note", f"a note is at most {NOTE_MAX} characters, "
                            f"not {len(text)}")
    return text or None


def check_outcome(outcome: Outcome, on: date, *, today: date, opened_on: date,
                  last_on: date | None, status: CaseStatus) -> None:
    """Refuse an outcome that cannot be recorded on a case; raise ``FollowupError``."""
    if status is CaseStatus.CLOSED:
        raise FollowupError("case-closed", "the case is closed; no outcome can be added")
    if on > today:
        raise FollowupError("bad-day", f"an outcome cannot be recorded for a future day "
                            f"({on.isoformat()} is after {today.isoformat()})")
    if on < opened_on:
        raise FollowupError("bad-day", f"the case opened on {opened_on.isoformat()}; an "
                            f"outcome cannot be dated {on.isoformat()}")
    if last_on is not None and on < last_on:
        raise FollowupError("bad-day", f"the last outcome is dated {last_on.isoformat()}; "
                            f"a later one cannot be dated {on.isoformat()}")
    if not isinstance(outcome, Outcome):
        raise FollowupError("unknown-outcome", f"{outcome!r} is not an outcome")


def status_after(outcome: Outcome) -> CaseStatus:
    """Return the status of a case once ``outcome`` is recorded."""
    return CaseStatus.CLOSED if outcome in CLOSING else CaseStatus.OPEN


def is_candidate(pack: PolicyPack, person: PersonFacts, day: date, *, registered: bool) -> bool:
    """Tell whether ``person`` is to be followed up on ``day`` under ``pack``: unvaccinated
    under the pack, or not yet eligible but ``registered`` at a venue's door unvaccinated."""
    status = status_of(pack, person, day)
    return status is Status.UNVACCINATED or (registered and status is Status.NOT_ELIGIBLE)


def system_closing(pack: PolicyPack, person: PersonFacts,
                   day: date) -> tuple[Outcome, str] | None:
    """Return the outcome and note that close an open case of ``person`` on ``day`` without a
    worker (a dose the pack accepts, else an exemption it accepts in force), or None."""
    last = last_accepted_dose(pack, person.doses, day)
    if last is not None:
        return Outcome.VACCINATED, f"dose record of {last.isoformat()}"
    if exempt_on(pack, person.exemptions, day):
        return Outcome.EXEMPTION_PRESENTED, EXEMPTION_NOTE
    return None
