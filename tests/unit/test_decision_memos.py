"""What a decision remembers gives what it would work out afresh.

``decide`` keeps a few things between calls (see ``policy.Rule``, ``policy.Case``,
:mod:`jointcheck.rules.fact_vector`, :mod:`jointcheck.rules.instants` and the pack's
``dose_facts``): which case holds for a combination of facts, a reason filled in, what a
dose means under the pack, the last instant converted. Each is checked here against the plain
computation, on generated people, doses and instants.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointcheck.credentials.model import (
    CodeColor,
    Credential,
    CredentialType,
    ExemptionEntry,
    HealthCodeEntry,
    Subject,
    VaccinationEntry,
)
from jointcheck.errors import ValidityError
from jointcheck.rules import facts as facts_module
from jointcheck.rules.certlogic import path_reader
from jointcheck.rules.decision import decide
from jointcheck.rules.fact_vector import FACT_PATHS, PLACEHOLDER_FACTS, vector_key
from jointcheck.rules.facts import Dose, facts_and_vector, vaccination_facts
from jointcheck.rules.instants import local_time, new_slots
from jointcheck.rules.pack_files import SHIPPED, shipped_pack
from jointcheck.rules.policy import REASON_PLACEHOLDERS, PolicyPack, load_pack
from jointcheck.trust.verify import Verification

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)
DAY = date(2021, 9, 10)
AT = datetime(2021, 9, 10, 2, 0, tzinfo=UTC)
PRODUCTS = ("BBIBP-CorV", "CoronaVac", "EU/1/20/1528", "EU/1/20/1525",
            "http://hl7.org/fhir/sid/cvx|208", "Sputnik-V")


@pytest.fixture(scope="module", params=SHIPPED)
def pack(request: pytest.FixtureRequest) -> PolicyPack:
    return shipped_pack(request.param)


def forget(pack: PolicyPack) -> None:
    """Clear everything ``pack`` remembers between decisions."""
    for rule in pack.rules.values():
        rule.memo.clear()
        for case in rule.cases:
            case.reasons.clear()
    pack.dose_facts.clear()
    pack.instants[:] = new_slots()


def plain_vaccination(pack: PolicyPack, doses: list[Dose], day: date) -> dict[str, Any]:
    """The vaccination facts by date arithmetic, dose by dose, remembering nothing."""
    complete_from: date | None = None
    booster, last, top = False, None, 0
    for dose in doses:
        product = pack.product(dose.product)
        if product is None or dose.day > day:
            continue
        top = max(top, dose.number)
        last = dose.day if last is None else max(last, dose.day)
        if dose.number >= product.series:
            ready = dose.day + timedelta(days=product.days_after_complete)
            complete_from = ready if complete_from is None else min(ready, complete_from)
            if dose.number > product.series:
                booster |= (day - dose.day).days >= product.days_after_booster
    if last is None:
        return {"doses": 0, "any": False, "complete": False, "booster": False, "level": "none",
                "days_since_last": None, "complete_from": None}
    complete = complete_from is not None and complete_from <= day
    booster = booster and complete
    return {"doses": top, "any": True, "complete": complete, "booster": booster,
            "level": "booster" if booster else "complete" if complete else "partial",
            "days_since_last": (day - last).days,
            "complete_from": complete_from.isoformat() if complete_from else None}


days_before = st.one_of(st.integers(-3, 30), st.integers(-30, 500))  # near the thresholds
doses_strategy = st.lists(st.builds(
    Dose, st.sampled_from(PRODUCTS), st.integers(1, 4),
    days_before.map(lambda n: DAY - timedelta(days=n))), max_size=5)


@PROPERTY
@given(doses=doses_strategy)
def test_vaccination_facts_remembered_per_dose_equal_the_plain_reading(doses: list[Dose]) -> None:
    for pack_id in SHIPPED:
        pack = shipped_pack(pack_id)
        expected = plain_vaccination(pack, doses, DAY)
        pack.dose_facts.clear()
        assert vaccination_facts(pack, doses, DAY) == expected  # worked out afresh
        assert vaccination_facts(pack, doses, DAY) == expected  # remembered
        plain = [(d.product, d.number, d.day) for d in doses]  # tuples count as Doses do
        assert vaccination_facts(pack, plain, DAY) == expected


def test_the_dose_memo_stops_growing_at_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    pack = shipped_pack("fangzi-2021")
    pack.dose_facts.clear()
    monkeypatch.setattr(facts_module, "DOSE_MEMO_SIZE", 2)
    doses = [Dose("BBIBP-CorV", 1, DAY - timedelta(days=n)) for n in range(5)]
    for dose in doses:
        assert vaccination_facts(pack, [dose], DAY) == plain_vaccination(pack, [dose], DAY)
    assert len(pack.dose_facts) == 2


people = st.fixed_dictionaries({
    "birth": st.one_of(st.dates(date(1920, 1, 1), DAY).map(date.isoformat),
                       st.sampled_from(["1990", "2010-05", "unknown", ""])),
    "doses": doses_strategy,
    "exemptions": st.lists(st.tuples(st.integers(1, 3), st.sampled_from(["allergy", "other"]),
                                     st.integers(-60, 30), st.integers(0, 200)), max_size=2),
    "expired": st.booleans(),
    "color": st.sampled_from(["green", "green", "yellow"]),
})


def entries_of(person: dict[str, Any]) -> tuple[list[ExemptionEntry], list[ExemptionEntry]]:
    shown = [ExemptionEntry("840539006", "hospital", level, reason,
                            DAY + timedelta(days=start), DAY + timedelta(days=start + length),
                            "CN", "") for level, reason, start, length in person["exemptions"]]
    return (shown[1:], shown[:1]) if person["expired"] else (shown, [])


@PROPERTY
@given(person=people)
def test_the_fact_vector_holds_what_each_path_reads(person: dict[str, Any]) -> None:
    pack = shipped_pack("yubei-2021")
    exemptions, expired = entries_of(person)
    facts, vector = facts_and_vector(pack, person["birth"], person["doses"], exemptions, expired,
                                     person["color"], DAY, AT.isoformat())
    assert len(vector) == len(FACT_PATHS)
    for path, value in zip(FACT_PATHS, vector, strict=True):
        read = path_reader(path)(facts)
        assert read == value and type(read) is type(value), path
    for rule in pack.rules.values():
        assert rule.key_of is not None
        assert rule.key_of(vector) == tuple(read(facts) for read in rule.reads)


def test_a_rule_reading_a_path_outside_the_vector_reads_the_facts() -> None:
    document = copy.deepcopy(dict(shipped_pack("fangzi-2021").document))
    case = document["rules"]["ordinary"]["cases"][1]
    case["when"] = {"and": [{"var": "vaccination"}, case["when"]]}
    pack = load_pack(document, "whole-section.yaml")
    assert pack.rules["ordinary"].key_of is None
    assert vector_key(["person.age", "vaccination"]) is None
    assert vector_key([]) is None
    decision = decide(pack, shown(person_dict(doses=[Dose("BBIBP-CorV", 2, date(2021, 6, 1))])),
                      "gym", AT)
    assert (decision.outcome.value, decision.rule) == ("admit", "ordinary.vaccinated")


def person_dict(**changes: Any) -> dict[str, Any]:
    person = {"birth": "1981-08-11", "doses": [], "exemptions": [], "expired": False,
              "color": "green"}
    return person | changes


def shown(person: dict[str, Any]) -> list[Verification]:
    """What a person shows, as verification results: a health code and certificates."""
    subject = Subject("张", "伟", "ZHANG", "WEI", person["birth"], "pid-zhang-wei")
    dcc = Subject("张", "伟", "ZHANG", "WEI", person["birth"], None)

    def valid(kind: CredentialType, entries: list[Any], who: Subject = dcc) -> Verification:
        credential = Credential("dcc", kind, who, tuple(entries), "CN", AT, AT + timedelta(1))
        return Verification(True, "dcc", credential, b"kid", None, None)

    results = [valid(CredentialType.HEALTH_CODE,
                     [HealthCodeEntry(CodeColor(person["color"]), "code")], subject)]
    if person["doses"]:
        results.append(valid(CredentialType.VACCINATION, [
            VaccinationEntry("840539006", d.product, "v", "m", d.number, 2, d.day, "CN", "i", "u")
            for d in person["doses"]]))
    exemptions, expired = entries_of(person)
    results += [valid(CredentialType.EXEMPTION, [e]) for e in exemptions]
    for entry in expired:
        credential = Credential("dcc", CredentialType.EXEMPTION, dcc, (entry,), "CN", AT, AT)
        results.append(Verification(False, "dcc", credential, b"kid", None,
                                    ValidityError("expired", "the certificate has expired")))
    return results


@PROPERTY
@given(person=people)
def test_a_remembered_decision_equals_one_worked_out_afresh(person: dict[str, Any]) -> None:
    for pack_id in SHIPPED:
        pack = shipped_pack(pack_id)
        verifications = shown(person)
        for category in pack.categories:
            forget(pack)
            fresh = decide(pack, verifications, category, AT)
            remembered = decide(pack, verifications, category, AT)
            again = decide(pack, verifications, category, AT + timedelta(seconds=1))
            assert remembered == fresh
            assert again[:7] == fresh[:7] and again.notes == fresh.notes
        if fresh.facts is not None:  # the facts of a decision are the person's facts
            exemptions, expired = entries_of(person)
            assert fresh.facts == facts_module.person_facts(
                pack, birth_date=person["birth"], doses=person["doses"], exemptions=exemptions,
                color=person["color"], at=AT, expired_exemptions=expired)


def test_every_placeholder_is_remembered_by_what_fills_it() -> None:
    # A reason is remembered by the venue category, the pack's minimum institution level and
    # the facts of PLACEHOLDER_FACTS: a placeholder filled from anything else must be added.
    assert set(PLACEHOLDER_FACTS) | {"category", "category_zh", "min_level"} == \
        REASON_PLACEHOLDERS
    assert set(PLACEHOLDER_FACTS.values()) <= set(FACT_PATHS)


def test_the_reason_remembered_is_filled_from_the_same_facts(pack: PolicyPack) -> None:
    # Two people who differ only in a fact the reason shows get their own reasons.
    one = decide(pack, shown(person_dict(doses=[Dose("BBIBP-CorV", 1, date(2021, 8, 1))])),
                 "gym", AT)
    two = decide(pack, shown(person_dict(doses=[Dose("BBIBP-CorV", 1, date(2021, 6, 1)),
                                                Dose("BBIBP-CorV", 2, date(2021, 7, 1))])),
                 "gym", AT)
    assert one.rule == two.rule and one.reason != two.reason


ZONES: tuple[Any, ...] = (UTC, timezone(timedelta(hours=8)),
                          timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-3)),
                          ZoneInfo("Asia/Shanghai"), ZoneInfo("America/Santiago"))
PACK_ZONES = ("Asia/Shanghai", "America/Santiago", "Asia/Kolkata", "Australia/Lord_Howe",
              "Europe/London", "Asia/Tehran")


def zoned_pack(zone: str) -> PolicyPack:
    document = copy.deepcopy(dict(shipped_pack("fangzi-2021").document))
    document["timezone"] = zone
    document["valid_from"] = "2021-09-10T10:20:30.5+08:00"
    document["valid_until"] = "2022-04-03T01:30:00+01:00"
    return load_pack(document, f"{zone}.yaml")


ZONED = {zone: zoned_pack(zone) for zone in PACK_ZONES}
steps = st.lists(st.tuples(
    st.one_of(st.integers(0, 2_000_000), st.integers(0, 400 * 86_400_000_000),
              st.integers(-2_000_000, 2_000_000), st.integers(0, 6 * 3_600_000_000)),
    st.integers(0, len(ZONES) - 1)), min_size=1, max_size=40)
starts = st.sampled_from([datetime(2021, 9, 10, 2, 20, 29, tzinfo=UTC),
                          datetime(2022, 4, 2, 12, 59, 59, tzinfo=UTC),
                          datetime(2021, 10, 30, 23, 59, 58, tzinfo=UTC),
                          datetime(2022, 4, 3, 0, 29, 59, 999_999, tzinfo=UTC)])


@PROPERTY
@given(start=starts, walk=steps, zone=st.sampled_from(PACK_ZONES))
def test_local_time_gives_what_the_conversions_give(start: datetime, walk: list[tuple[int, int]],
                                                   zone: str) -> None:
    pack = ZONED[zone]
    pack.instants[:] = new_slots()
    at = start
    for micros, shown_in in walk:
        at = (at + timedelta(microseconds=micros)).astimezone(ZONES[shown_in])
        expected = (pack.in_force(at), at.astimezone(pack.timezone).date(), at.isoformat())
        assert local_time(pack, at) == expected, at
        assert local_time(pack, at) == expected, at  # the same instant again


@pytest.mark.parametrize("shown_in", ZONES, ids=str)
@pytest.mark.parametrize("zone", PACK_ZONES)
def test_local_time_second_by_second_across_hours_and_midnights(zone: str,
                                                               shown_in: Any) -> None:
    pack = ZONED[zone]
    pack.instants[:] = new_slots()
    for start, step in (
            (datetime(2021, 11, 5, 15, 59, 58, tzinfo=UTC), 1),  # midnight in Shanghai
            (datetime(2021, 11, 5, 18, 29, 58, 500_000, tzinfo=UTC), 1),  # ... in Kolkata
            (datetime(2022, 4, 3, 2, 59, 58, tzinfo=UTC), 1),  # Santiago's clocks go back
            # Tehran's go forward from 23:59:59 to 01:00 at half past a UTC hour: backwards
            # through it, the hour's first half is still the day before.
            (datetime(2021, 3, 21, 20, 40, tzinfo=UTC), -1)):
        for second in range(15 * 60):
            at = (start + timedelta(seconds=second * step, microseconds=second % 3)).astimezone(
                shown_in)
            assert local_time(pack, at) == (pack.in_force(at), at.astimezone(pack.timezone).date(),
                                            at.isoformat()), at


def test_an_instant_seen_again_is_not_converted_again() -> None:
    pack = shipped_pack("baiyin-2021")
    first = local_time(pack, AT)
    assert local_time(pack, AT) is first
    later = AT + timedelta(minutes=1, microseconds=7)
    assert local_time(pack, later) == (True, DAY, later.isoformat())

