"""The facts a rule looks at: ages from full and partial birth dates, and vaccination levels."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from jointcheck.credentials.model import ExemptionEntry
from jointcheck.rules.facts import Dose, age_on, exemption_facts, person_facts, vaccination_facts
from jointcheck.rules.pack_files import shipped_pack
from jointcheck.rules.policy import PolicyPack

DAY = date(2021, 9, 10)


@pytest.fixture(scope="module")
def pack() -> PolicyPack:
    return shipped_pack("fangzi-2021")


# ---- age -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("birth", "day", "age"), [
    ("1990-05-17", date(2024, 5, 16), 33),
    ("1990-05-17", date(2024, 5, 17), 34),  # the birthday itself
    ("1990-05-17", date(1990, 5, 17), 0),  # the day of birth
    ("2000-02-29", date(2021, 2, 28), 20),
    ("2000-02-29", date(2021, 3, 1), 21),
    ("1990", date(2024, 1, 1), 34),  # a year only: the earliest day, 1 January
    ("1990", date(2023, 12, 31), 33),
    ("1990-05", date(2024, 5, 1), 34),  # a year and month: the 1st of the month
    ("1990-05", date(2024, 4, 30), 33),
    ("1978-01-26T00:00:00", date(2021, 9, 10), 43),  # as some DCCs write it
    (" 1990-05-17 ", date(2024, 5, 17), 34),
])
def test_age_on(birth: str, day: date, age: int) -> None:
    assert age_on(birth, day) == age


@pytest.mark.parametrize("birth", ["2030-01-01", "2024-05-18", "2025", "2024-06", "", "abc",
                                   "1990-13-01", "1990-02-30", "19x0-01-01"])
def test_age_on_future_or_unreadable_is_none(birth: str) -> None:
    assert age_on(birth, date(2024, 5, 17)) is None


def test_unreadable_birth_date_is_decided_as_an_adult(pack: PolicyPack) -> None:
    facts = person_facts(pack, birth_date="unknown", doses=(), exemptions=(), color="green",
                         at=datetime(2021, 9, 10, 2, tzinfo=UTC))
    assert facts["person"] == {"age": None, "eligible": True, "adult": True}


def test_age_is_counted_in_the_packs_time_zone(pack: PolicyPack) -> None:
    # 16:30 UTC on 9 September is already 10 September in Shanghai: the 12th birthday.
    at = datetime(2021, 9, 9, 16, 30, tzinfo=UTC)
    facts = person_facts(pack, birth_date="2009-09-10", doses=(), exemptions=(), color="green",
                         at=at)
    assert facts["person"]["age"] == 12 and facts["person"]["eligible"] is True
    earlier = person_facts(pack, birth_date="2009-09-10", doses=(), exemptions=(),
                           color="green", at=at - timedelta(hours=1))
    assert earlier["person"]["age"] == 11 and earlier["person"]["eligible"] is False


# ---- vaccination -----------------------------------------------------------------------------

def days_ago(n: int) -> date:
    return DAY - timedelta(days=n)


def facts(pack: PolicyPack, *doses: tuple[str, int, int]) -> dict[str, object]:
    """Vaccination facts on DAY of doses given as (product, number, days before DAY)."""
    return vaccination_facts(pack, [Dose(p, n, days_ago(d)) for p, n, d in doses], DAY)


def test_no_doses(pack: PolicyPack) -> None:
    assert facts(pack) == {"doses": 0, "any": False, "complete": False, "booster": False,
                           "level": "none", "days_since_last": None, "complete_from": None}


def test_product_not_accepted_is_not_counted(pack: PolicyPack) -> None:
    result = facts(pack, ("Sputnik-V", 1, 100), ("Sputnik-V", 2, 60))
    assert (result["any"], result["doses"], result["level"]) == (False, 0, "none")
    mixed = facts(pack, ("Sputnik-V", 1, 100), ("BBIBP-CorV", 2, 60))
    assert (mixed["any"], mixed["complete"], mixed["days_since_last"]) == (True, True, 60)


def test_dose_after_the_check_day_is_not_counted(pack: PolicyPack) -> None:
    assert facts(pack, ("BBIBP-CorV", 1, -1))["any"] is False
    result = facts(pack, ("BBIBP-CorV", 1, 60), ("BBIBP-CorV", 2, -3))
    assert (result["doses"], result["complete"], result["level"]) == (1, False, "partial")
    assert facts(pack, ("BBIBP-CorV", 1, 0))["any"] is True  # given today counts


def test_one_dose_of_two_is_partial(pack: PolicyPack) -> None:
    result = facts(pack, ("CoronaVac", 1, 20))
    assert result == {"doses": 1, "any": True, "complete": False, "booster": False,
                      "level": "partial", "days_since_last": 20, "complete_from": None}


def test_complete_only_after_days_after_complete(pack: PolicyPack) -> None:
    assert pack.product("BBIBP-CorV").days_after_complete == 14
    waiting = facts(pack, ("BBIBP-CorV", 1, 40), ("BBIBP-CorV", 2, 13))
    assert (waiting["complete"], waiting["level"]) == (False, "partial")
    assert waiting["complete_from"] == (DAY + timedelta(days=1)).isoformat()
    ready = facts(pack, ("BBIBP-CorV", 1, 40), ("BBIBP-CorV", 2, 14))
    assert (ready["complete"], ready["level"], ready["complete_from"]) == (
        True, "complete", DAY.isoformat())


def test_single_dose_product_completes_the_series(pack: PolicyPack) -> None:
    assert facts(pack, ("EU/1/20/1525", 1, 14))["level"] == "complete"
    assert facts(pack, ("EU/1/20/1525", 1, 13))["level"] == "partial"


def test_booster_after_the_series(pack: PolicyPack) -> None:
    series = [("BBIBP-CorV", 1, 200), ("BBIBP-CorV", 2, 170)]
    fresh = facts(pack, *series, ("BBIBP-CorV", 3, 5))
    assert (fresh["doses"], fresh["complete"], fresh["booster"], fresh["level"]) == (
        3, True, False, "complete")
    settled = facts(pack, *series, ("BBIBP-CorV", 3, 14))
    assert (settled["booster"], settled["level"], settled["days_since_last"]) == (
        True, "booster", 14)


def test_heterologous_doses_complete_the_series(pack: PolicyPack) -> None:
    result = facts(pack, ("BBIBP-CorV", 1, 90), ("EU/1/20/1528", 2, 60))
    assert (result["complete"], result["level"]) == (True, "complete")
    booster = facts(pack, ("CoronaVac", 1, 200), ("CoronaVac", 2, 170),
                    ("EU/1/20/1528", 3, 30))
    assert booster["level"] == "booster"


def test_aliases_count_as_their_product(pack: PolicyPack) -> None:
    cvx = "http://hl7.org/fhir/sid/cvx|208"
    assert facts(pack, (cvx, 1, 90), (cvx, 2, 60))["level"] == "complete"


# ---- exemption -------------------------------------------------------------------------------

def exemption(level: int, start: int, end: int) -> ExemptionEntry:
    """A contraindication certificate valid from ``start`` to ``end`` days after DAY."""
    return ExemptionEntry("840539006", "People's Hospital", level, "allergy",
                          DAY + timedelta(days=start), DAY + timedelta(days=end), "CN", "")


@pytest.mark.parametrize(("entry", "valid", "problem"), [
    (exemption(2, -10, 10), True, None),
    (exemption(3, 0, 0), True, None),
    (exemption(1, -10, 10), False, "level-too-low"),
    (exemption(2, -20, -1), False, "expired"),
    (exemption(2, 1, 20), False, "not-yet-valid"),
])
def test_exemption_validity(pack: PolicyPack, entry: ExemptionEntry, valid: bool,
                            problem: str | None) -> None:
    found = exemption_facts(pack, [entry], DAY)
    assert found["present"] is True
    assert found["valid"] is valid and found["problem"] == problem


def test_the_problem_named_is_that_of_the_certificate_picked(pack: PolicyPack) -> None:
    # Neither counts; the level-3 one is picked as the best shown, so its problem is named.
    found = exemption_facts(pack, [exemption(1, -10, 10), exemption(3, -30, -2)], DAY)
    assert found["level"] == 3 and found["problem"] == "expired"


def test_an_expired_certificate_is_shown_but_never_valid(pack: PolicyPack) -> None:
    found = exemption_facts(pack, [], DAY, [exemption(3, -10, 10)])
    assert found == {"present": True, "valid": False, "level": 3,
                     "until": (DAY + timedelta(days=10)).isoformat(), "problem": "expired"}
