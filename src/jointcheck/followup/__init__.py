"""Follow-up of unvaccinated residents (R7, R8): the pure core.

Cases and their outcomes (``cases``), the order of a worklist (``priority``), the funnel of
an area (``funnel``) and the door-to-door survey form (``survey``). Plain values: the
database, the clock and the policy in force come in as arguments.
"""

from __future__ import annotations

from jointcheck.followup.cases import (
    CLOSING,
    EXEMPTION_NOTE,
    NOTE_MAX,
    REOPENED_AFTER,
    STATUS_FILTERS,
    SYSTEM_WORKER,
    CaseStatus,
    FollowupError,
    Outcome,
    Source,
    check_note,
    check_outcome,
    is_candidate,
    parse_outcome,
    parse_status_filter,
    status_after,
    system_closing,
)
from jointcheck.followup.funnel import NOT_CONTACTED, STAGES, Funnel, funnel
from jointcheck.followup.priority import (
    LONG_ELIGIBLE_DAYS,
    OLDER_FROM,
    REASONS,
    VULNERABLE_CATEGORIES,
    BandBounds,
    CaseFacts,
    Priority,
    assess,
    band_bounds,
    days_since_eligible,
    eligible_since,
    order_key,
)
from jointcheck.followup.survey import (
    FOLLOWED_UP,
    GridCoverage,
    Household,
    MemberStatus,
    SurveyMember,
    coverage,
    parse_household,
)

__all__ = [
    "CLOSING",
    "EXEMPTION_NOTE",
    "FOLLOWED_UP",
    "LONG_ELIGIBLE_DAYS",
    "NOTE_MAX",
    "NOT_CONTACTED",
    "OLDER_FROM",
    "REASONS",
    "REOPENED_AFTER",
    "STAGES",
    "STATUS_FILTERS",
    "SYSTEM_WORKER",
    "VULNERABLE_CATEGORIES",
    "BandBounds",
    "CaseFacts",
    "CaseStatus",
    "FollowupError",
    "Funnel",
    "GridCoverage",
    "Household",
    "MemberStatus",
    "Outcome",
    "Priority",
    "Source",
    "SurveyMember",
    "assess",
    "band_bounds",
    "check_note",
    "check_outcome",
    "coverage",
    "days_since_eligible",
    "eligible_since",
    "funnel",
    "is_candidate",
    "order_key",
    "parse_household",
    "parse_outcome",
    "parse_status_filter",
    "status_after",
    "system_closing",
]
