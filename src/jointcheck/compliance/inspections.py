"""An inspection of a venue, its sanction, and a complaint about a venue that does not check.

A complaint is about a **venue**; the complainant's identity is neither asked for nor stored
(SPEC §2, declined: no reports about individual residents).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from jointcheck.errors import JointcheckError

MAX_TEXT = 4000
"""Longest findings or complaint text, in characters."""


class InspectionError(JointcheckError, ValueError):
    """An inspection, a complaint or a case investigation's day is malformed.

    Codes: ``bad-sanction``, ``bad-sanction-dates``, ``bad-text``, ``bad-visitors``,
    ``bad-day``, ``unknown-venue``.
    """

    stage = "inspection"


class Sanction(StrEnum):
    """What an inspection imposed, from mildest to strictest."""

    NONE = "none"
    WARNING = "warning"
    RECTIFICATION_ORDER = "rectification-order"
    SUSPENSION = "suspension"

    @property
    def has_period(self) -> bool:
        """Tell whether the sanction runs from a start date to an end date."""
        return self in (Sanction.RECTIFICATION_ORDER, Sanction.SUSPENSION)


def parse_sanction(text: str) -> Sanction:
    """Return the sanction named by ``text``; raise ``InspectionError`` (``bad-sanction``)."""
    try:
        return Sanction(text)
    except ValueError:
        names = ", ".join(s.value for s in Sanction)
        raise InspectionError("bad-sanction",
                              f"{text!r} is not a sanction (one of {names})") from None


def _text(value: str, field: str, *, required: bool) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise InspectionError("bad-text", f"the {field} must not be empty")
    if len(cleaned) > MAX_TEXT:
        raise InspectionError("bad-text", f"the {field} is longer than {MAX_TEXT} characters")
    return cleaned


@dataclass(frozen=True, slots=True)
class Inspection:
    """A venue inspection: its day, whether the venue checked everyone, what was found, and the
    sanction with its period (a rectification order or a suspension runs from ``sanction_from``
    to ``sanction_until`` inclusive; a warning has a day and no end; none has neither)."""

    venue: str
    inspected_on: date
    checked_everyone: bool
    findings: str
    sanction: Sanction = Sanction.NONE
    sanction_from: date | None = None
    sanction_until: date | None = None
    visitors_per_day: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "findings",
                           _text(self.findings, "findings", required=not self.checked_everyone))
        sanction = parse_sanction(str(self.sanction))
        object.__setattr__(self, "sanction", sanction)
        start, end = self.sanction_from, self.sanction_until
        if sanction is Sanction.NONE:
            if start is not None or end is not None:
                raise InspectionError("bad-sanction-dates", "no sanction takes no dates")
        elif sanction is Sanction.WARNING:
            if end is not None:
                raise InspectionError("bad-sanction-dates", "a warning has no end date")
            if start is None:
                object.__setattr__(self, "sanction_from", self.inspected_on)
        elif start is None or end is None:
            raise InspectionError("bad-sanction-dates",
                                  f"a {sanction} needs a start and an end date")
        elif end < start or start < self.inspected_on:
            raise InspectionError("bad-sanction-dates",
                                  f"a {sanction} runs from the inspection day or later, "
                                  "and ends on or after its start")
        if self.visitors_per_day is not None and not 0 < self.visitors_per_day <= 10_000_000:
            raise InspectionError("bad-visitors",
                                  "the visitors per day are a positive whole number")

    @property
    def found_a_failure(self) -> bool:
        """Tell whether the inspection found that the venue did not check every person."""
        return not self.checked_everyone

    def sanction_open_on(self, day: date) -> bool:
        """Tell whether a rectification order or suspension of this inspection runs on ``day``."""
        if not self.sanction.has_period or self.sanction_from is None:
            return False
        return self.sanction_from <= day <= (self.sanction_until or day)


@dataclass(frozen=True, slots=True)
class Complaint:
    """A complaint that a venue does not check, on a day; it names no complainant."""

    venue: str
    received_on: date
    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", _text(self.text, "complaint", required=True))
