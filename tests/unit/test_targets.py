"""Dose targets' pure core: the split to streets and the progress with its forecast."""

from __future__ import annotations

import random
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointcheck.targets import (
    Phase,
    SplitMethod,
    TargetError,
    TargetSpec,
    check_manual_split,
    parse_shares,
    parse_split_method,
    progress,
    split_proportional,
)

STREETS = st.dictionaries(st.from_regex(r"fz\.s[0-9]{2}", fullmatch=True),
                          st.integers(0, 50_000), min_size=1, max_size=25)


@given(total=st.integers(0, 1_000_000), weights=STREETS)
def test_proportional_split_sums_exactly_and_stays_within_one_dose_of_the_quota(
        total: int, weights: dict[str, int]) -> None:
    if sum(weights.values()) == 0:
        with pytest.raises(TargetError) as caught:
            split_proportional(total, weights)
        assert caught.value.code == "no-eligible"
        return
    shares = split_proportional(total, weights)
    assert set(shares) == set(weights)
    assert sum(shares.values()) == total
    whole = sum(weights.values())
    for street, weight in weights.items():
        quota = Fraction(total * weight, whole)
        assert quota - 1 < shares[street] < quota + 1
        if weight == 0:
            assert shares[street] == 0


@given(total=st.integers(0, 100_000), weights=STREETS)
def test_a_street_with_more_eligible_residents_never_gets_fewer_doses(
        total: int, weights: dict[str, int]) -> None:
    if sum(weights.values()) == 0:
        return
    shares = split_proportional(total, weights)
    for a, more in weights.items():
        for b, fewer in weights.items():
            if more > fewer:
                assert shares[a] >= shares[b]


def test_the_largest_remainders_get_the_doses_left_over() -> None:
    # Quotas 10 * (5, 3, 2) / 10 = 5, 3, 2 exactly; 7 * (5, 3, 2) / 10 = 3.5, 2.1, 1.4.
    assert split_proportional(10, {"a": 5, "b": 3, "c": 2}) == {"a": 5, "b": 3, "c": 2}
    assert split_proportional(7, {"a": 5, "b": 3, "c": 2}) == {"a": 4, "b": 2, "c": 1}
    # Equal remainders: the larger weight first, then the smaller code.
    assert split_proportional(1, {"b": 1, "a": 1}) == {"a": 1, "b": 0}
    assert split_proportional(54_000, {"s1": 1, "s2": 1, "s3": 1}) == {
        "s1": 18_000, "s2": 18_000, "s3": 18_000}


def test_a_manual_split_must_sum_to_the_target() -> None:
    streets = ["fz.s01", "fz.s02", "fz.s03"]
    assert check_manual_split(100, {"fz.s01": 60, "fz.s02": 40}, streets) == {
        "fz.s01": 60, "fz.s02": 40, "fz.s03": 0}
    with pytest.raises(TargetError) as caught:
        check_manual_split(100, {"fz.s01": 60, "fz.s02": 39}, streets)
    assert caught.value.code == "split-mismatch"
    assert "99" in caught.value.message
    with pytest.raises(TargetError) as caught:
        check_manual_split(100, {"fz.s09": 100}, streets)
    assert caught.value.code == "unknown-street"
    with pytest.raises(TargetError) as caught:
        check_manual_split(100, {"fz.s01": 110, "fz.s02": -10}, streets)
    assert caught.value.code == "bad-split"
    with pytest.raises(TargetError) as caught:
        check_manual_split(100, {}, streets)
    assert caught.value.code == "bad-split"


def test_shares_and_methods_are_read_from_text() -> None:
    assert parse_shares(["fz.s01=60", " fz.s02 = 40 "]) == {"fz.s01": 60, "fz.s02": 40}
    for bad in (["fz.s01"], ["=4"], ["fz.s01=x"], ["fz.s01=1", "fz.s01=2"]):
        with pytest.raises(TargetError) as caught:
            parse_shares(bad)
        assert caught.value.code == "bad-split"
    assert parse_split_method("manual") is SplitMethod.MANUAL
    with pytest.raises(TargetError):
        parse_split_method("even")


@pytest.mark.parametrize(("doses", "start", "end", "code"), [
    (0, date(2026, 11, 1), date(2026, 11, 3), "bad-doses"),
    (-5, date(2026, 11, 1), date(2026, 11, 3), "bad-doses"),
    (True, date(2026, 11, 1), date(2026, 11, 3), "bad-doses"),
    (100, date(2026, 11, 3), date(2026, 11, 1), "bad-period"),
    (100, date(2026, 1, 1), date(2027, 1, 2), "bad-period"),
])
def test_a_malformed_target_is_refused(doses: int, start: date, end: date,
                                       code: str) -> None:
    with pytest.raises(TargetError) as caught:
        TargetSpec("fz", doses, start, end)
    assert caught.value.code == code


def test_a_target_counts_both_ends_of_its_period() -> None:
    assert TargetSpec("fz", 54_000, date(2026, 11, 1), date(2026, 11, 3)).days == 3


def _generated_doses(seed: int, start: date, days: int) -> dict[date, int]:
    rng = random.Random(seed)
    return {start + timedelta(days=n): rng.randint(0, 20_000) for n in range(-3, days + 3)}


@pytest.mark.parametrize("seed", range(8))
def test_progress_and_forecast_follow_the_daily_doses(seed: int) -> None:
    start, end = date(2026, 11, 20), date(2026, 11, 29)
    doses = _generated_doses(seed, start, 10)
    today = start + timedelta(days=random.Random(seed).randint(1, 9))
    result = progress(100_000, start, end, doses, today)
    in_period = [start + timedelta(days=n) for n in range((today - start).days + 1)]
    assert [d.day for d in result.days] == in_period
    assert [d.doses for d in result.days] == [doses[d] for d in in_period]
    assert result.given == sum(doses[d] for d in in_period)
    assert result.days[-1].cumulative == result.given
    complete = [d for d in in_period if d < today][-3:]
    rate = sum(doses[d] for d in complete) / len(complete)
    assert result.rate == pytest.approx(rate)
    done = sum(doses[d] for d in in_period if d < today)
    expected = done + round(max(doses[today], rate) + rate * (end - today).days)
    assert result.forecast == expected
    assert result.phase is Phase.RUNNING
    assert result.will_meet == (result.given >= 100_000 or expected >= 100_000)
    assert result.required_rate == pytest.approx(
        max(100_000 - done, 0) / ((end - today).days + 1))


def test_a_forecast_at_the_current_rate_says_whether_the_target_is_met() -> None:
    start, end = date(2026, 11, 1), date(2026, 11, 3)
    day1 = {start: 18_000}
    on_track = progress(54_000, start, end, {**day1, start + timedelta(1): 5_000},
                        start + timedelta(1))
    assert on_track.rate == 18_000
    assert on_track.forecast == 18_000 + 18_000 + 18_000
    assert on_track.will_meet is True
    assert on_track.given == 23_000 and on_track.remaining == 31_000
    behind = progress(54_000, start, end, {start: 10_000}, start + timedelta(1))
    assert behind.forecast == 30_000 and behind.will_meet is False
    assert behind.required_rate == 22_000


def test_before_the_first_complete_day_there_is_no_forecast() -> None:
    start, end = date(2026, 11, 1), date(2026, 11, 3)
    first = progress(54_000, start, end, {start: 4_000}, start)
    assert first.rate is None and first.forecast is None and first.will_meet is None
    assert first.given == 4_000 and first.required_rate == 18_000
    before = progress(54_000, start, end, {start: 4_000}, start - timedelta(1))
    assert before.phase is Phase.NOT_STARTED and before.days == [] and before.given == 0
    assert before.required_rate == 18_000


def test_after_the_end_the_forecast_is_the_final_count() -> None:
    start, end = date(2026, 11, 1), date(2026, 11, 3)
    doses = {start - timedelta(1): 9, start: 20_000, end: 20_000, end + timedelta(1): 99_999}
    over = progress(54_000, start, end, doses, end + timedelta(5))
    assert over.phase is Phase.ENDED
    assert over.given == 40_000 and over.forecast == 40_000 and over.will_meet is False
    assert [d.doses for d in over.days] == [20_000, 0, 20_000]
    assert over.percent == pytest.approx(100 * 40_000 / 54_000)
    met = progress(100, start, end, {start: 150}, start)
    assert met.will_meet is True and met.remaining == 0
