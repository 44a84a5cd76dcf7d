"""Organisations and schools (R10-R12, R14): the pure core.

A member's status on a day (``status``), who may hold which post (``posts``), who may attend
a meeting (``meetings``), a school's one-week investigation (``school_investigation``) and
coverage figures for supervisors (``coverage``).
"""

from __future__ import annotations

from jointcheck.organisations.coverage import Coverage, tally
from jointcheck.organisations.meetings import (
    Attendance,
    MeetingKind,
    attendance,
    clean_attendees,
    parse_kind,
)
from jointcheck.organisations.posts import PostFigures, PostVerdict, figures_by_post, post_verdict
from jointcheck.organisations.school_investigation import (
    GROUPS,
    GroupProgress,
    InvestigationProgress,
    deadline_of,
    group_of,
    progress,
)
from jointcheck.organisations.status import (
    STATUSES,
    OrganisationError,
    PersonFacts,
    Status,
    status_of,
)

__all__ = [
    "GROUPS",
    "STATUSES",
    "Attendance",
    "Coverage",
    "GroupProgress",
    "InvestigationProgress",
    "MeetingKind",
    "OrganisationError",
    "PersonFacts",
    "PostFigures",
    "PostVerdict",
    "Status",
    "attendance",
    "clean_attendees",
    "deadline_of",
    "figures_by_post",
    "group_of",
    "parse_kind",
    "post_verdict",
    "progress",
    "status_of",
    "tally",
]
