"""Follow-up of unvaccinated residents (R7, R8): the pure core.

Cases and their outcomes (``cases``), the order of a worklist (``priority``), the funnel of
an area (``funnel``) and the door-to-door survey form (``survey``). Plain values: the
database, the clock and the policy in force come in as arguments.
"""

from __future__ import annotations

from jointcheck.followup.cases import (
    CLOSING,
    NOTE_MAX,
    STATUS_FILTERS,
    SYSTEM_WORKER,
    CaseStatus,
    FollowupError,
    Outcome,
    Source,
    check_note,
    check_outcome,
    parse_outcome,
    parse_status_filter,
    status_after,
)
from jointcheck.followup.funnel import NOT_CONTACTED, STAGES, Funnel, funnel
from jointcheck.followup.priority import (
    LONG_ELIGIBLE_DAYS,
    OLDER_FROM,
    REASONS,
    VULNERABLE_CATEGORIES,
    CaseFacts,
    Priority,
    assess,
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
    "FOLLOWED_UP",
    "LONG_ELIGIBLE_DAYS",
    "NOTE_MAX",
    "NOT_CONTACTED",
    "OLDER_FROM",
    "REASONS",
    "STAGES",
    "STATUS_FILTERS",
    "SYSTEM_WORKER",
    "VULNERABLE_CATEGORIES",
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
    "check_note",
    "check_outcome",
    "coverage",
    "days_since_eligible",
    "eligible_since",
    "funnel",
    "order_key",
    "parse_household",
    "parse_outcome",
    "parse_status_filter",
    "status_after",
]
