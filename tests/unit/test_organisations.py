"""The organisations core: statuses, post rules (R11, R12), meetings (R10), the school
investigation's progress (R11) and coverage figures (R14)."""

from __future__ import annotations

from datetime import date

import pytest

from jointcheck.credentials.model import COVID_19, ExemptionEntry
from jointcheck.organisations import (
    MeetingKind,
    OrganisationError,
    PersonFacts,
    Status,
    attendance,
    clean_attendees,
    deadline_of,
    figures_by_post,
    group_of,
    parse_kind,
    post_verdict,
    progress,
    status_of,
    tally,
)
from jointcheck.policy_sources import find_pack

PACK = find_pack("fangzi-2021")  # eligible from 12; BBIBP-CorV: 2 doses, complete 14 days on
DAY = date(2021, 9, 1)
ADULT = date(1990, 3, 7)


def person(born: date = ADULT, doses: tuple[tuple[str, int, date], ...] = (),
           exemptions: tuple[ExemptionEntry, ...] = ()) -> PersonFacts:
    return PersonFacts("p1-x", born, doses, exemptions)


def exemption(level: int = 2, start: date = date(2021, 1, 1),
              until: date = date(2021, 12, 31)) -> ExemptionEntry:
    return ExemptionEntry(COVID_19, "Fangzi Hospital", level, "allergy", start, until, "CN",
                          "EX-1")


TWO_DOSES = (("BBIBP-CorV", 1, date(2021, 5, 1)), ("BBIBP-CorV", 2, date(2021, 6, 1)))
ONE_DOSE = (("BBIBP-CorV", 1, date(2021, 5, 1)),)


@pytest.mark.parametrize(("facts", "expected"), [
    (person(doses=TWO_DOSES), Status.COMPLETE),
    (person(doses=ONE_DOSE), Status.PARTIAL),
    (person(), Status.UNVACCINATED),
    (person(exemptions=(exemption(),)), Status.EXEMPT),
    (person(doses=ONE_DOSE, exemptions=(exemption(),)), Status.EXEMPT),
    (person(born=date(2012, 1, 1)), Status.NOT_ELIGIBLE),
    (person(born=date(2012, 1, 1), doses=ONE_DOSE), Status.PARTIAL),
    (person(born=date(2009, 9, 1)), Status.UNVACCINATED),  # twelve on the day
    # a level-1 institution does not count under the pack; an expired one is not in force
    (person(exemptions=(exemption(level=1),)), Status.UNVACCINATED),
    (person(exemptions=(exemption(until=date(2021, 8, 31)),)), Status.UNVACCINATED),
    # the edges of the day: an exemption's first and last day, a dose given on the day, the
    # day before the twelfth birthday
    (person(exemptions=(exemption(until=DAY),)), Status.EXEMPT),
    (person(exemptions=(exemption(start=DAY),)), Status.EXEMPT),
    (person(exemptions=(exemption(start=date(2021, 9, 2)),)), Status.UNVACCINATED),
    (person(doses=(("BBIBP-CorV", 1, DAY),)), Status.PARTIAL),
    (person(doses=(("BBIBP-CorV", 1, date(2021, 9, 2)),)), Status.UNVACCINATED),
    (person(born=date(2009, 9, 2)), Status.NOT_ELIGIBLE),
], ids=["complete", "partial", "unvaccinated", "exempt", "exempt-partial", "child",
        "child-partial", "turns-twelve", "level-1-exemption", "expired-exemption",
        "exemption-last-day", "exemption-first-day", "exemption-from-tomorrow",
        "dose-on-the-day", "dose-tomorrow", "twelve-tomorrow"])
def test_status_on_a_day(facts: PersonFacts, expected: Status) -> None:
    assert status_of(PACK, facts, DAY) is expected


def test_a_second_dose_completes_only_after_the_packs_waiting_days() -> None:
    facts = person(doses=TWO_DOSES)
    assert status_of(PACK, facts, date(2021, 6, 10)) is Status.PARTIAL
    assert status_of(PACK, facts, date(2021, 6, 15)) is Status.COMPLETE
    assert status_of(PACK, facts, date(2021, 4, 30)) is Status.UNVACCINATED  # before any dose


@pytest.mark.parametrize(("status", "may_hold"), [
    (Status.COMPLETE, True), (Status.EXEMPT, True), (Status.NOT_ELIGIBLE, True),
    (Status.PARTIAL, False), (Status.UNVACCINATED, False)])
def test_front_line_service_post_in_a_service_industry(status: Status, may_hold: bool) -> None:
    verdict = post_verdict("front-line-service", True, status)
    assert verdict.may_hold is may_hold
    assert verdict.status is status
    assert verdict.reason_en and verdict.reason_zh


def test_front_line_post_outside_the_service_industries_has_no_requirement() -> None:
    assert post_verdict("front-line-service", False, Status.UNVACCINATED).may_hold


@pytest.mark.parametrize(("status", "may_hold"), [
    (Status.COMPLETE, True), (Status.PARTIAL, True), (Status.EXEMPT, True),
    (Status.NOT_ELIGIBLE, True), (Status.UNVACCINATED, False)])
def test_first_line_teaching(status: Status, may_hold: bool) -> None:
    verdict = post_verdict("first-line-teaching", False, status)
    assert verdict.may_hold is may_hold
    if not may_hold:
        assert "teaching" in verdict.reason_en and "教学" in verdict.reason_zh


@pytest.mark.parametrize("post", ["office", "logistics", "leadership", "student",
                                  "family-member", "other"])
def test_other_posts_have_no_requirement(post: str) -> None:
    assert post_verdict(post, True, Status.UNVACCINATED).may_hold


def test_figures_by_post() -> None:
    verdicts = [post_verdict("first-line-teaching", False, Status.UNVACCINATED),
                post_verdict("first-line-teaching", False, Status.COMPLETE),
                post_verdict("office", False, Status.UNVACCINATED)]
    figures = figures_by_post(verdicts)
    assert list(figures) == ["first-line-teaching", "office"]
    assert (figures["first-line-teaching"].members, figures["first-line-teaching"].may_hold,
            figures["first-line-teaching"].may_not_hold) == (2, 1, 1)
    assert figures["office"].may_not_hold == 0


@pytest.mark.parametrize(("status", "may_attend"), [
    (Status.COMPLETE, True), (Status.PARTIAL, True), (Status.EXEMPT, True),
    (Status.NOT_ELIGIBLE, True), (Status.UNVACCINATED, False)])
def test_meeting_attendance(status: Status, may_attend: bool) -> None:
    answer = attendance(status)
    assert answer.may_attend is may_attend
    assert answer.reason_en and answer.reason_zh


def test_meeting_kinds_and_attendee_lists() -> None:
    assert parse_kind("training") is MeetingKind.TRAINING
    with pytest.raises(OrganisationError) as refused:
        parse_kind("banquet")
    assert refused.value.code == "bad-kind"
    assert clean_attendees([" a ", "", "b"]) == ["a", "b"]
    for bad in ([], ["  "], ["a", "b", "a"]):
        with pytest.raises(OrganisationError) as refused:
            clean_attendees(bad)
        assert refused.value.code == "bad-attendees"


def test_groups_and_deadline() -> None:
    # R11, within one week of term start: the seventh day of term, 1 to 7 September
    assert deadline_of(date(2021, 9, 1)) == date(2021, 9, 7)
    assert [group_of(p) for p in ("student", "family-member", "first-line-teaching",
                                  "logistics")] == ["students", "family", "staff", "staff"]


MEMBERS = [("t1", "first-line-teaching"), ("t2", "office"), ("s1", "student"),
           ("s2", "student"), ("f1", "family-member"), ("t2", "family-member")]


def test_investigation_progress_counts_each_group() -> None:
    entries = {"t1": Status.COMPLETE, "s1": Status.NOT_ELIGIBLE, "t2": Status.EXEMPT,
               "gone": Status.UNVACCINATED}  # "gone" left the school: not counted
    found = progress(date(2021, 9, 1), date(2021, 9, 3), MEMBERS, entries)
    staff, students, family = (found.groups[g] for g in ("staff", "students", "family"))
    assert (staff.total, staff.checked) == (2, 2)
    assert staff.by_status == {"complete": 1, "partial": 0, "unvaccinated": 0, "exempt": 1,
                               "not-eligible": 0}
    assert (students.total, students.checked, students.by_status["not-eligible"]) == (2, 1, 1)
    assert (family.total, family.checked, family.by_status["exempt"]) == (2, 1, 1)
    assert found.deadline == date(2021, 9, 7)
    assert found.days_left == 4
    assert not found.complete and not found.overdue


def test_investigation_is_overdue_past_the_deadline_unless_complete() -> None:
    partial = {"t1": Status.COMPLETE}
    on_deadline = progress(date(2021, 9, 1), date(2021, 9, 7), MEMBERS, partial)
    assert not on_deadline.overdue and on_deadline.days_left == 0
    late = progress(date(2021, 9, 1), date(2021, 9, 8), MEMBERS, partial)  # the eighth day
    assert late.overdue and late.days_left == 0
    everyone = dict.fromkeys(("t1", "t2", "s1", "s2", "f1"), Status.COMPLETE)
    done = progress(date(2021, 9, 1), date(2021, 9, 20), MEMBERS, everyone)
    assert done.complete and not done.overdue


def test_investigation_keeps_the_deadline_it_was_opened_with() -> None:
    partial = {"t1": Status.COMPLETE}
    found = progress(date(2021, 9, 1), date(2021, 9, 8), MEMBERS, partial,
                     deadline=date(2021, 9, 8))
    assert found.deadline == date(2021, 9, 8)
    assert not found.overdue and found.days_left == 0


def test_coverage_tally_and_rate() -> None:
    found = tally([Status.COMPLETE, Status.COMPLETE, Status.PARTIAL, Status.EXEMPT,
                   Status.UNVACCINATED, Status.NOT_ELIGIBLE, Status.COMPLETE, Status.PARTIAL])
    assert (found.members, found.complete, found.partial, found.unvaccinated, found.exempt,
            found.not_eligible) == (8, 3, 2, 1, 1, 1)
    assert found.complete_rate == 0.375
    assert tally([]).complete_rate is None
