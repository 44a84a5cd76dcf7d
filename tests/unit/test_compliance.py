"""Venue compliance: inspections and sanctions as values, and venues ranked by their facts."""

from __future__ import annotations

from datetime import date

import pytest

from jointcheck.compliance import (
    REASONS,
    Complaint,
    Inspection,
    InspectionError,
    Sanction,
    VenueFacts,
    assess_venue,
    rank_venues,
)

DAY = date(2026, 11, 23)


def facts(code: str = "v1", *, days: int = 7, without: int = 0, checks: int = 700,
          visitors: int | None = None, failed: int = 0, complaints: int = 0,
          sanction: str | None = None) -> VenueFacts:
    return VenueFacts(code, code.upper(), "restaurant", "fz.s01", days, without, checks,
                      visitors, failed, complaints, sanction)


def test_a_venue_that_checks_every_day_gives_no_reason() -> None:
    assessed = assess_venue(facts(visitors=100))
    assert assessed.reasons == ()
    assert assessed.compliant


def test_no_checks_on_any_day_is_no_checks_logged_not_days_without() -> None:
    assert assess_venue(facts(without=7, checks=0)).reasons == ("no-checks-logged",)
    assert assess_venue(facts(without=2, checks=50)).reasons == ("days-without-checks",)


def test_too_few_checks_needs_the_expected_visitors() -> None:
    assert assess_venue(facts(checks=70, visitors=100)).reasons == ("too-few-checks",)
    assert assess_venue(facts(checks=70)).reasons == ()
    # exactly half of the visitors is enough; a custom share moves the line
    assert assess_venue(facts(checks=350, visitors=100)).reasons == ()
    assert assess_venue(facts(checks=350, visitors=100), 0.6).reasons == ("too-few-checks",)


def test_a_single_finding_is_not_repeated() -> None:
    assert assess_venue(facts(failed=1)).reasons == ()
    assert assess_venue(facts(failed=2)).reasons == ("repeated-findings",)


def test_reasons_come_in_a_fixed_order() -> None:
    reasons = assess_venue(facts(without=7, checks=0, visitors=50, failed=3, complaints=1,
                                 sanction="suspension")).reasons
    assert reasons == ("no-checks-logged", "repeated-findings", "complaints", "open-sanction")
    assert set(reasons) <= set(REASONS)


def test_ranking_puts_most_reasons_first_then_figures() -> None:
    ranked = rank_venues([
        facts("good", visitors=100),
        facts("quiet", without=7, checks=0),
        facts("bad", without=7, checks=0, failed=2, complaints=1),
        facts("gappy", without=3, checks=300),
        facts("gappier", without=5, checks=100),
        facts("thin", checks=70, visitors=100),
        facts("thinner", checks=14, visitors=100),
    ])
    assert [item.facts.code for item in ranked] == [
        "bad", "quiet", "gappier", "gappy", "thinner", "thin", "good"]


@pytest.mark.parametrize(("days", "without", "checks"), [(0, 0, 0), (7, 8, 1), (7, 3, 0),
                                                         (7, -1, 5)])
def test_impossible_facts_are_refused(days: int, without: int, checks: int) -> None:
    with pytest.raises(ValueError):
        facts(days=days, without=without, checks=checks)


def test_a_failed_inspection_must_say_what_was_found() -> None:
    with pytest.raises(InspectionError) as caught:
        Inspection("v1", DAY, False, "   ")
    assert caught.value.code == "bad-text"
    assert Inspection("v1", DAY, True, "").findings == ""
    assert Inspection("v1", DAY, False, " no scanner at the side door ").found_a_failure


def test_a_warning_starts_on_the_inspection_day_and_has_no_end() -> None:
    warning = Inspection("v1", DAY, False, "x", Sanction.WARNING)
    assert warning.sanction_from == DAY
    assert not warning.sanction_open_on(DAY)
    with pytest.raises(InspectionError, match="no end"):
        Inspection("v1", DAY, False, "x", Sanction.WARNING, DAY, date(2026, 12, 1))


def test_a_suspension_runs_between_its_dates_inclusive() -> None:
    end = date(2026, 11, 30)
    suspension = Inspection("v1", DAY, False, "x", Sanction("suspension"), DAY, end)
    assert suspension.sanction_open_on(DAY) and suspension.sanction_open_on(end)
    assert not suspension.sanction_open_on(date(2026, 12, 1))
    assert not suspension.sanction_open_on(date(2026, 11, 22))


@pytest.mark.parametrize(("sanction", "start", "end"), [
    ("none", DAY, None),
    ("rectification-order", DAY, None),
    ("rectification-order", None, DAY),
    ("suspension", DAY, date(2026, 11, 22)),
    ("suspension", date(2026, 11, 22), DAY),
])
def test_sanction_dates_that_do_not_fit_are_refused(sanction: str, start: date | None,
                                                    end: date | None) -> None:
    with pytest.raises(InspectionError) as caught:
        Inspection("v1", DAY, False, "x", Sanction(sanction), start, end)
    assert caught.value.code == "bad-sanction-dates"


def test_an_unknown_sanction_and_bad_visitors_are_refused() -> None:
    with pytest.raises(InspectionError) as caught:
        Inspection("v1", DAY, True, "", "fine")  # type: ignore[arg-type]
    assert caught.value.code == "bad-sanction"
    with pytest.raises(InspectionError) as caught:
        Inspection("v1", DAY, True, "", visitors_per_day=0)
    assert caught.value.code == "bad-visitors"


def test_a_complaint_needs_text_and_names_no_one() -> None:
    assert Complaint("v1", DAY, "  nobody scans at the door ").text == "nobody scans at the door"
    with pytest.raises(InspectionError):
        Complaint("v1", DAY, "")
    assert set(Complaint.__slots__) == {"venue", "received_on", "text"}
