"""The follow-up core: outcomes and which close a case, the worklist order and its reasons,
the funnel per stage, and the door-to-door survey form."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jointcheck.credentials.model import COVID_19, ExemptionEntry
from jointcheck.followup import (
    CLOSING,
    EXEMPTION_NOTE,
    NOT_CONTACTED,
    STAGES,
    CaseFacts,
    CaseStatus,
    FollowupError,
    MemberStatus,
    Outcome,
    Source,
    assess,
    band_bounds,
    check_note,
    check_outcome,
    coverage,
    days_since_eligible,
    eligible_since,
    funnel,
    is_candidate,
    order_key,
    parse_household,
    parse_outcome,
    parse_status_filter,
    status_after,
    system_closing,
)
from jointcheck.policy_sources import find_pack
from jointcheck.registry.ages import age_on, born_by, turns
from jointcheck.rules.status import PersonFacts
from jointcheck.security.pseudonym import normalise_id_number

TODAY = date(2026, 11, 23)
OPENED = date(2026, 11, 1)


def test_three_outcomes_close_a_case_and_the_others_keep_it_open() -> None:
    assert {Outcome.VACCINATED, Outcome.EXEMPTION_PRESENTED, Outcome.MOVED_AWAY} == CLOSING
    assert [o for o in Outcome if status_after(o) is CaseStatus.CLOSED] == [
        Outcome.VACCINATED, Outcome.EXEMPTION_PRESENTED, Outcome.MOVED_AWAY]
    for outcome in ("contacted", "policy-explained", "appointment-booked", "declined",
                    "unreachable"):
        assert status_after(parse_outcome(outcome)) is CaseStatus.OPEN


def test_an_unknown_outcome_is_named() -> None:
    with pytest.raises(FollowupError) as caught:
        parse_outcome("persuaded")
    assert caught.value.code == "unknown-outcome"
    assert "'persuaded'" in caught.value.message and "unreachable" in caught.value.message


@pytest.mark.parametrize(("on", "last_on", "status", "code"), [
    (date(2026, 11, 24), None, CaseStatus.OPEN, "bad-day"),
    (date(2026, 10, 31), None, CaseStatus.OPEN, "bad-day"),
    (date(2026, 11, 10), date(2026, 11, 12), CaseStatus.OPEN, "bad-day"),
    (date(2026, 11, 20), None, CaseStatus.CLOSED, "case-closed"),
])
def test_outcomes_out_of_time_or_on_closed_cases_are_refused(
        on: date, last_on: date | None, status: CaseStatus, code: str) -> None:
    with pytest.raises(FollowupError) as caught:
        check_outcome(Outcome.CONTACTED, on, today=TODAY, opened_on=OPENED, last_on=last_on,
                      status=status)
    assert caught.value.code == code


def test_outcomes_on_the_opening_day_today_and_the_last_outcomes_day_pass() -> None:
    for on in (OPENED, TODAY, date(2026, 11, 12)):
        check_outcome(Outcome.DECLINED, on, today=TODAY, opened_on=OPENED,
                      last_on=date(2026, 11, 1), status=CaseStatus.OPEN)


def test_notes_are_short_and_status_filters_known() -> None:
    assert check_note("  rang twice ") == "rang twice"
    assert check_note("   ") is None and check_note(None) is None
    with pytest.raises(FollowupError, match="at most 200"):
        check_note("x" * 201)
    assert [parse_status_filter(s) for s in ("open", "closed", "all")] == [
        "open", "closed", "all"]
    with pytest.raises(FollowupError) as caught:
        parse_status_filter("pending")
    assert caught.value.code == "bad-status"


def test_ages_and_eligibility_days() -> None:
    assert age_on(date(2014, 11, 23), TODAY) == 12
    assert age_on(date(2014, 11, 24), TODAY) == 11
    assert born_by(TODAY, 12) == date(2014, 11, 23)
    assert turns(date(2012, 2, 29), 13) == date(2025, 3, 1)
    policy = date(2021, 8, 31)
    # Eligible since the policy began, or since the twelfth birthday if that came later.
    assert eligible_since(date(1950, 5, 1), 12, policy) == policy
    assert eligible_since(date(2014, 11, 3), 12, policy) == date(2026, 11, 3)
    assert days_since_eligible(date(2014, 11, 3), 12, policy, TODAY) == 20
    assert days_since_eligible(date(2015, 1, 1), 12, policy, TODAY) == 0


def _facts(case_id: int, age: int, days: int = 10, visits: int = 0,
           source: Source = Source.REGISTRY) -> CaseFacts:
    return CaseFacts(case_id, age, days, visits, source)


def test_priority_bands_carry_their_reasons() -> None:
    older = assess(_facts(1, 71))
    assert (older.band, older.reasons) == (1, ("older-age",))
    visitor = assess(_facts(2, 30, visits=2, source=Source.REGISTRATION))
    assert (visitor.band, visitor.reasons) == (1, ("vulnerable-venue-visits",
                                                   "registered-at-door"))
    long = assess(_facts(3, 30, days=400, source=Source.SURVEY))
    assert (long.band, long.reasons) == (2, ("long-eligible", "reported-in-survey"))
    assert assess(_facts(4, 30)) == assess(_facts(5, 30)) and assess(_facts(4, 30)).band == 3


def test_the_worklist_order_is_band_then_age_then_days_then_visits() -> None:
    facts = [_facts(1, 30), _facts(2, 65), _facts(3, 80), _facts(4, 30, visits=1),
             _facts(5, 40, days=100), _facts(6, 40, days=200), _facts(7, 65, visits=3),
             _facts(8, 30, days=5)]
    ordered = sorted(facts, key=lambda f: order_key(f, assess(f)))
    assert [f.case_id for f in ordered] == [3, 7, 2, 4, 6, 5, 1, 8]


def test_the_funnel_counts_each_case_once_at_its_latest_outcome() -> None:
    result = funnel([(CaseStatus.OPEN, None, 4), (CaseStatus.OPEN, Outcome.DECLINED, 2),
                     (CaseStatus.CLOSED, Outcome.VACCINATED, 3),
                     (CaseStatus.CLOSED, Outcome.MOVED_AWAY, 1)])
    assert (result.total, result.open, result.closed) == (10, 6, 4)
    assert list(result.stages) == list(STAGES) and STAGES[-1] == NOT_CONTACTED
    assert result.stages[NOT_CONTACTED] == 4 and result.stages["declined"] == 2
    assert result.stages["vaccinated"] == 3 and result.stages["contacted"] == 0
    assert sum(result.stages.values()) == result.total


def _form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "area": "fz.s01.c01.g01", "on": "2026-11-22", "address": "3-201, Lane 5",
        "members": [{"id_number": "110101199003070011", "status": "unvaccinated"},
                    {"id_number": "110101198501020022", "status": "away", "note": " abroad "}]}
    return form | changes


def test_a_household_form_is_read() -> None:
    household = parse_household(_form(), TODAY, normalise_id_number)
    assert household.area == "fz.s01.c01.g01" and household.on == date(2026, 11, 22)
    assert [(m.status, m.note) for m in household.members] == [
        (MemberStatus.UNVACCINATED, None), (MemberStatus.AWAY, "abroad")]


@pytest.mark.parametrize(("changes", "code", "names"), [
    ({"on": "2026-11-24"}, "bad-day", "on:"),
    ({"on": "yesterday"}, "bad-survey", "on:"),
    ({"address": " "}, "bad-survey", "address:"),
    ({"members": []}, "bad-survey", "members:"),
    ({"members": [{"id_number": "1", "status": "vaccinated"},
                  {"id_number": "2", "status": "immune"}]}, "bad-member", "members[1].status"),
    ({"members": [{"id_number": "", "status": "vaccinated"}]}, "bad-member",
     "members[0].id_number"),
    ({"members": [{"id_number": "11010119900307001x", "status": "vaccinated"},
                  {"id_number": "1101-0119 9003 07001X", "status": "away"}]},
     "duplicate-member", "members[1]"),
    ({"members": [{"id_number": "1", "status": "away", "note": "x" * 201}]}, "bad-member",
     "members[0].note"),
    ({"colour": "red"}, "bad-survey", "unknown fields colour"),
])
def test_a_bad_household_form_is_refused_naming_the_item(changes: dict[str, object],
                                                         code: str, names: str) -> None:
    with pytest.raises(FollowupError) as caught:
        parse_household(_form(**changes), TODAY, normalise_id_number)
    assert caught.value.code == code
    assert names in caught.value.message


def test_coverage_counts_households_and_members_per_grid() -> None:
    grids = coverage({"fz.s01.c01.g01": 2, "fz.s01.c01.g02": 1},
                     [("fz.s01.c01.g01", "vaccinated", 3), ("fz.s01.c01.g01", "away", 1),
                      ("fz.s01.c01.g02", "unvaccinated", 2)])
    assert [(g.area, g.households, g.members) for g in grids] == [
        ("fz.s01.c01.g01", 2, 4), ("fz.s01.c01.g02", 1, 2)]
    assert grids[0].by_status == {"vaccinated": 3, "partly-vaccinated": 0, "unvaccinated": 0,
                                  "exempt": 0, "not-eligible": 0, "away": 1}


def test_born_by_turns_and_age_on_agree_on_every_day_around_leap_years() -> None:
    """``born_by`` (who is eligible on a day), ``turns`` (from when) and ``age_on`` give the
    same answer on every day of 2023-2029 for birthdays around 29 February."""
    births = [date(y, m, d) for y in (2011, 2012) for m, d in ((2, 28), (3, 1))]
    births.append(date(2012, 2, 29))
    day = date(2023, 1, 1)
    while day <= date(2029, 12, 31):
        for born in births:
            eligible = age_on(born, day) >= 12
            assert (born <= born_by(day, 12)) == eligible, (born, day)
            assert (turns(born, 12) <= day) == eligible, (born, day)
        day += timedelta(days=1)


def test_the_bands_as_birth_dates_match_assess() -> None:
    """A database orders by ``band_bounds``; it must give every birth date the band that
    ``assess`` gives (29 February and policy starts around the 90 days included)."""

    for today in (date(2026, 11, 23), date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1)):
        for policy_from in (date(2021, 9, 1), today - timedelta(days=90),
                            today - timedelta(days=89)):
            bounds = band_bounds(12, policy_from, today)
            for born in [today - timedelta(days=d) for d in range(0, 70 * 366, 7)] + [
                    date(1964, 2, 29), date(2012, 2, 29), date(2013, 3, 1), date(2013, 2, 28)]:
                facts = CaseFacts(1, age_on(born, today),
                                  days_since_eligible(born, 12, policy_from, today), 0,
                                  Source.REGISTRY)
                expected = assess(facts).band
                band = 1 if born <= bounds.older_born_by else (
                    2 if bounds.long_born_by is not None and born <= bounds.long_born_by else 3)
                assert band == expected, (today, policy_from, born)


def test_candidates_and_what_closes_a_case_follow_the_pack() -> None:

    pack = find_pack("fangzi-2021")
    today = date(2026, 11, 23)
    adult, child = date(1980, 5, 1), date(2020, 5, 1)

    def certificate(level: int, until: date) -> ExemptionEntry:
        return ExemptionEntry(COVID_19, "hospital", level, "allergy", date(2026, 1, 1), until,
                              "CN", f"c{level}")

    nobody = PersonFacts("p", adult)
    assert is_candidate(pack, nobody, today, registered=False)
    assert system_closing(pack, nobody, today) is None
    unaccepted = PersonFacts("p", adult, (("Sputnik-V", 1, date(2026, 11, 1)),))
    assert is_candidate(pack, unaccepted, today, registered=False)
    assert system_closing(pack, unaccepted, today) is None
    dosed = PersonFacts("p", adult, (("BBIBP-CorV", 1, date(2026, 11, 1)),))
    assert not is_candidate(pack, dosed, today, registered=False)
    assert system_closing(pack, dosed, today) == (Outcome.VACCINATED,
                                                  "dose record of 2026-11-01")
    future = PersonFacts("p", adult, (("BBIBP-CorV", 1, date(2026, 12, 1)),))
    assert system_closing(pack, future, today) is None
    low = PersonFacts("p", adult, exemptions=(certificate(1, date(2027, 1, 1)),))
    assert is_candidate(pack, low, today, registered=False)
    assert system_closing(pack, low, today) is None
    exempt = PersonFacts("p", adult, exemptions=(certificate(2, date(2027, 1, 1)),))
    assert not is_candidate(pack, exempt, today, registered=False)
    assert system_closing(pack, exempt, today) == (Outcome.EXEMPTION_PRESENTED, EXEMPTION_NOTE)
    lapsed = PersonFacts("p", adult, exemptions=(certificate(2, date(2026, 11, 22)),))
    assert is_candidate(pack, lapsed, today, registered=False)
    young = PersonFacts("p", child)
    assert not is_candidate(pack, young, today, registered=False)
    assert is_candidate(pack, young, today, registered=True)
