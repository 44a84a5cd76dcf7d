"""Who may take which post (R11, R12), from the member's status on the day.

- ``front-line-service`` in a listed service industry (R12): only with a complete primary
  series, or exempt. A person below the pack's eligible age is not bound by the rule (there
  is no vaccination to ask for); a partial series is not enough.
- ``first-line-teaching`` (R11): an unvaccinated teacher without exemption gets no first-line
  teaching post. "Unvaccinated" is read as "no accepted dose": a teacher with a first dose
  may teach, as in R10's reading of "vaccinated" (see ``meetings``).
- every other post, and a front-line post outside the service industries: no requirement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from jointcheck.organisations.status import Status

FRONT_LINE = "front-line-service"
TEACHING = "first-line-teaching"


@dataclass(frozen=True, slots=True)
class PostVerdict:
    """Whether a member may hold a post, the status it rests on, and why, in two languages."""

    post: str
    status: Status
    may_hold: bool
    reason_en: str
    reason_zh: str


_FRONT_LINE: dict[Status, tuple[bool, str, str]] = {
    Status.COMPLETE: (True, "Primary series complete: may take a front-line service post",
                      "已完成全程接种，可以上岗"),
    Status.EXEMPT: (True, "Contraindication certificate in force: exempt from the "
                    "vaccination requirement of the post", "持有效禁忌证明，免于上岗接种要求"),
    Status.NOT_ELIGIBLE: (True, "Below the eligible age: the post's vaccination requirement "
                          "does not apply", "未到接种年龄，不适用上岗接种要求"),
    Status.PARTIAL: (False, "Primary series not complete: a front-line post in a service "
                     "industry needs a complete series",
                     "未完成全程接种，服务行业一线岗位须完成全程接种后上岗"),
    Status.UNVACCINATED: (False, "Not vaccinated, no contraindication: a front-line post in a "
                          "service industry needs a complete series",
                          "未接种且无禁忌证明，服务行业一线岗位须完成全程接种后上岗"),
}
_TEACHING: dict[Status, tuple[bool, str, str]] = {
    Status.COMPLETE: (True, "Primary series complete: may teach in class",
                      "已完成全程接种，可以从事一线教学"),
    Status.PARTIAL: (True, "At least a first dose: may teach in class",
                     "已接种第一剂次，可以从事一线教学"),
    Status.EXEMPT: (True, "Contraindication certificate in force: may teach in class",
                    "持有效禁忌证明，可以从事一线教学"),
    Status.NOT_ELIGIBLE: (True, "Below the eligible age: the requirement does not apply",
                          "未到接种年龄，不适用接种要求"),
    Status.UNVACCINATED: (False, "Not vaccinated, no contraindication: no first-line teaching "
                          "post", "未接种且无禁忌证明，不安排一线教学岗位"),
}
_FREE = (True, "No vaccination requirement for this post", "该岗位无上岗接种要求")


def post_verdict(post: str, service_industry: bool, status: Status) -> PostVerdict:
    """Return whether a member of ``status`` may hold ``post`` in the organisation."""
    if post == FRONT_LINE and service_industry:
        may_hold, en, zh = _FRONT_LINE[status]
    elif post == TEACHING:
        may_hold, en, zh = _TEACHING[status]
    else:
        may_hold, en, zh = _FREE
    return PostVerdict(post, status, may_hold, en, zh)


@dataclass(frozen=True, slots=True)
class PostFigures:
    """How many members hold a post, and how many of them may or may not hold it."""

    members: int
    may_hold: int
    may_not_hold: int


def figures_by_post(verdicts: Iterable[PostVerdict]) -> dict[str, PostFigures]:
    """Count the verdicts per post, posts in name order."""
    counts: dict[str, list[int]] = {}
    for verdict in verdicts:
        tally = counts.setdefault(verdict.post, [0, 0])
        tally[0 if verdict.may_hold else 1] += 1
    return {post: PostFigures(sum(tally), tally[0], tally[1])
            for post, tally in sorted(counts.items())}
