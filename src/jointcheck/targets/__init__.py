"""Dose targets (R13): a target assigned to an area, its split to streets, and its progress.

Pure: the doses and eligible residents come in as plain numbers, the local day as a date.
"""

from __future__ import annotations

from jointcheck.targets.allocation import (
    MAX_DOSES,
    MAX_PERIOD_DAYS,
    SplitMethod,
    TargetError,
    TargetSpec,
    check_manual_split,
    parse_shares,
    parse_split_method,
    split_proportional,
)
from jointcheck.targets.progress import RATE_DAYS, DayDoses, Phase, Progress, progress

__all__ = [
    "MAX_DOSES",
    "MAX_PERIOD_DAYS",
    "RATE_DAYS",
    "DayDoses",
    "Phase",
    "Progress",
    "SplitMethod",
    "TargetError",
    "TargetSpec",
    "check_manual_split",
    "parse_shares",
    "parse_split_method",
    "progress",
    "split_proportional",
]
