"""One decision at the door: the checks every pack shares, set-aside certificates, CertLogic
errors, the holder shown, and the facts (age, vaccination level) the rules look at.

Credentials are issued by the session issuer of ``conftest.py`` and verified against its trust
list at ``check_at`` (2024-06-01 09:00 UTC), under fangzi-2021 (in force since 2021-08-31).
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

import pytest

from jointcheck.credentials.model import CodeColor
from jointcheck.credentials.payloads import Holder as Person
from jointcheck.errors import CertLogicError, PolicyError
from jointcheck.rules.decision import Basis, Decision, Holder, Outcome, decide, decide_facts
from jointcheck.rules.pack_files import shipped_pack
from jointcheck.rules.policy import PolicyPack, load_pack
from jointcheck.trust.issuer import Issuer
from jointcheck.trust.store import TrustStore
from jointcheck.trust.verify import verify

CJK = re.compile(r"[\u4e00-\u9fff]")
FAILING_WHEN = {"after": [{"plusTime": [{"var": "person.age"}, 1, "day"]},
                          {"plusTime": ["2021-01-01", 0, "day"]}]}


@pytest.fixture(scope="module")
def pack() -> PolicyPack:
    return shipped_pack("fangzi-2021")


class Kit:
    """Issue credentials for the session holder (or another person) and decide on them."""

    def __init__(self, issuer: Issuer, store: TrustStore, holder: Person, at: datetime) -> None:
        self.issuer, self.store, self.holder, self.at = issuer, store, holder, at

    def code(self, color: str = "green", holder: Person | None = None,
             at: datetime | None = None) -> str:
        issued = (at or self.at) - timedelta(minutes=1)
        return self.issuer.health_code(holder or self.holder, color=CodeColor(color),
                                       at=issued, ttl=timedelta(minutes=10)).text

    def vaccination(self, dose: int = 2, when: date = date(2024, 3, 1),
                    product: str = "BBIBP-CorV", holder: Person | None = None,
                    at: datetime | None = None) -> str:
        return self.issuer.vaccination(holder or self.holder, dose=dose, series=2, when=when,
                                       at=at or self.at - timedelta(days=1),
                                       product=product).text

    def exemption(self, level: int = 3) -> str:
        day = self.at.date()
        return self.issuer.exemption(
            self.holder, institution="Fangzi People's Hospital", institution_level=level,
            reason_category="allergy", valid_from=day - timedelta(days=10),
            valid_until=day + timedelta(days=100), at=self.at - timedelta(days=10)).text

    def decide(self, pack: PolicyPack, texts: Sequence[str], venue: str = "mall-supermarket",
               at: datetime | None = None) -> Decision:
        when = at or self.at
        return decide(pack, [verify(t, self.store, when) for t in texts], venue, when)


@pytest.fixture
def kit(issuer: Issuer, store: TrustStore, holder: Person, check_at: datetime) -> Kit:
    return Kit(issuer, store, holder, check_at)


def outcome(decision: Decision) -> tuple[str, str]:
    return decision.outcome.value, decision.basis.value


def note_text(decision: Decision) -> str:
    return " | ".join(f"{n.en} / {n.zh}" for n in decision.notes)


# ---- the shared checks -----------------------------------------------------------------------

def test_nothing_shown_is_denied_as_missing(kit: Kit, pack: PolicyPack) -> None:
    decision = kit.decide(pack, [])
    assert outcome(decision) == ("deny", "credential-missing")
    assert decision.rule == "shared.nothing-shown" and decision.holder is None


def test_vaccination_without_health_code_is_denied_as_missing(kit: Kit,
                                                              pack: PolicyPack) -> None:
    decision = kit.decide(pack, [kit.vaccination()])
    assert outcome(decision) == ("deny", "credential-missing")
    assert decision.rule == "shared.no-health-code"


@pytest.mark.parametrize("damaged", ["HC1:garbage", "HC1:", "not a code at all", "shc:/123"])
def test_damaged_qr_text_is_denied_as_invalid(kit: Kit, pack: PolicyPack, damaged: str) -> None:
    decision = kit.decide(pack, [kit.code(), kit.vaccination(), damaged])
    assert outcome(decision) == ("deny", "credential-invalid")
    assert decision.rule.startswith("shared.refused.")
    assert decision.reason.en and CJK.search(decision.reason.zh)


def test_credentials_in_any_order_give_the_same_decision(kit: Kit, pack: PolicyPack) -> None:
    texts = [kit.code(), kit.vaccination(dose=1), kit.exemption()]
    decisions = {(d.outcome, d.basis, d.rule, d.reason, d.holder)
                 for d in (kit.decide(pack, order, "meeting")
                           for order in itertools.permutations(texts))}
    assert len(decisions) == 1
    # One dose is not complete at a meeting; the exemption decides, whatever the order.
    assert next(iter(decisions))[:3] == (Outcome.ADMIT, Basis.EXEMPT, "meeting.exempt")


def test_someone_elses_certificate_is_refused_in_any_order(kit: Kit, pack: PolicyPack) -> None:
    other = Person.parse("李 娜", "1961-03-04", pid="pid-li-na-0000002")
    texts = [kit.code(), kit.vaccination(holder=other)]
    for order in (texts, texts[::-1]):
        assert outcome(kit.decide(pack, order)) == ("deny", "holder-mismatch")


def test_pack_not_in_force_is_a_policy_error(kit: Kit, pack: PolicyPack) -> None:
    before = pack.valid_from - timedelta(seconds=1)
    with pytest.raises(PolicyError) as caught:
        decide(pack, [], "mall-supermarket", before)
    assert caught.value.code == "policy-not-in-force"
    # In force from its first instant on.
    assert outcome(decide(pack, [], "mall-supermarket", pack.valid_from))[0] == "deny"


def test_pack_past_its_end_is_not_in_force(kit: Kit, pack: PolicyPack) -> None:
    document = copy.deepcopy(dict(pack.document))
    document["valid_until"] = "2022-01-01T00:00:00+08:00"
    ended = load_pack(document, "ended.yaml")
    with pytest.raises(PolicyError) as caught:
        kit.decide(ended, [kit.code(), kit.vaccination()])
    assert caught.value.code == "policy-not-in-force"


@pytest.mark.parametrize("category", ["karaoke", "", "Nursing-Home"])
def test_unknown_venue_category_is_a_policy_error(kit: Kit, pack: PolicyPack,
                                                  category: str) -> None:
    with pytest.raises(PolicyError) as caught:
        kit.decide(pack, [kit.code(), kit.vaccination()], category)
    assert caught.value.code == "venue-category-unknown"


def test_red_code_beats_a_valid_exemption(kit: Kit, pack: PolicyPack) -> None:
    assert outcome(kit.decide(pack, [kit.code(), kit.exemption()])) == ("admit", "exempt")
    decision = kit.decide(pack, [kit.exemption(), kit.code("red")])
    assert outcome(decision) == ("deny", "code-color")
    assert decision.rule == "shared.code-red"


@pytest.mark.parametrize(("colors", "rule"), [
    (("green", "yellow"), "shared.code-yellow"),
    (("yellow", "green"), "shared.code-yellow"),
    (("red", "yellow"), "shared.code-red"),
    (("green", "red", "yellow"), "shared.code-red"),
])
def test_most_severe_health_code_counts(kit: Kit, pack: PolicyPack, colors: tuple[str, ...],
                                        rule: str) -> None:
    decision = kit.decide(pack, [*(kit.code(c) for c in colors), kit.vaccination()])
    assert outcome(decision) == ("deny", "code-color")
    assert decision.rule == rule


def test_expired_vaccination_is_set_aside_not_denied(kit: Kit, pack: PolicyPack) -> None:
    # Issued on 2024-01-02 for a year: authentic, but over when checked on 2025-03-01.
    later = datetime(2025, 3, 1, 9, 0, tzinfo=kit.at.tzinfo)
    old = kit.vaccination(when=date(2023, 12, 1), at=datetime(2024, 1, 2, tzinfo=kit.at.tzinfo))
    assert verify(old, kit.store, later).code == "expired"
    code = kit.code(at=later)
    decision = kit.decide(pack, [code, old], "mall-supermarket", later)
    assert outcome(decision) == ("persuade", "unvaccinated")
    assert "expired" in note_text(decision) and "已过期" in note_text(decision)
    assert decision.facts is not None and decision.facts["vaccination"]["doses"] == 0
    assert outcome(kit.decide(pack, [code, old], "nursing-home", later)) == (
        "restrict", "unvaccinated")


def test_holder_shows_name_and_birth_year_only(kit: Kit, pack: PolicyPack) -> None:
    decision = kit.decide(pack, [kit.code(), kit.vaccination(), kit.exemption()])
    assert decision.holder == Holder("张伟", "1990")
    shown = (Holder._fields if hasattr(Holder, "_fields")  # a named tuple, or a dataclass
             else tuple(f.name for f in dataclasses.fields(Holder)))
    assert shown == ("name", "birth_year")


@pytest.mark.parametrize(("texts", "venue"), [
    (lambda k: [k.code(), k.vaccination()], "nursing-home"),
    (lambda k: [k.code()], "nursing-home"),
    (lambda k: [k.code(), k.exemption()], "nursing-home"),
    (lambda k: [k.code("yellow")], "gym"),
    (lambda k: [k.code(), "HC1:garbage"], "gym"),
    (lambda k: [], "gym"),
    (lambda k: [k.vaccination()], "gym"),
], ids=["admit", "restrict", "register", "code-color", "invalid", "nothing", "no-code"])
def test_reasons_exist_in_both_languages(kit: Kit, pack: PolicyPack,
                                         texts: Callable[[Kit], list[str]], venue: str) -> None:
    reason = kit.decide(pack, texts(kit), venue).reason
    assert reason.en.isascii() and len(reason.en) > 10
    assert CJK.search(reason.zh)
    assert "{" not in reason.en + reason.zh


# ---- a condition that cannot be evaluated ----------------------------------------------------

@pytest.fixture(scope="module")
def failing_pack(pack: PolicyPack) -> PolicyPack:
    """fangzi-2021 with the 'vaccinated' case of its ordinary rule made to fail when run."""
    document = copy.deepcopy(dict(pack.document))
    document["rules"]["ordinary"]["cases"][1]["when"] = FAILING_WHEN
    return load_pack(document, "failing.yaml")


def test_failing_condition_falls_to_the_default_case_with_a_note(kit: Kit,
                                                                 failing_pack: PolicyPack) -> None:
    decision = kit.decide(failing_pack, [kit.code(), kit.vaccination()])
    assert decision.facts is not None
    condition = failing_pack.rules["ordinary"].cases[1].when
    assert condition is not None
    with pytest.raises(CertLogicError):  # the condition really fails on these facts
        condition.evaluate(decision.facts)
    assert outcome(decision) == ("persuade", "unvaccinated")
    assert decision.rule == "ordinary.unvaccinated"
    assert "ordinary.vaccinated" in note_text(decision)
    assert "could not be evaluated" in note_text(decision) and CJK.search(note_text(decision))


def test_failing_condition_never_admits_silently(kit: Kit, failing_pack: PolicyPack) -> None:
    # The exemption would admit after the failing case; the default decides, with a note.
    decision = kit.decide(failing_pack, [kit.code(), kit.exemption()])
    assert decision.outcome is not Outcome.ADMIT and decision.notes
    # The rules that do not contain the failing case are not affected.
    assert outcome(kit.decide(failing_pack, [kit.code(), kit.vaccination()], "meeting")) == (
        "admit", "vaccinated")


def test_decide_facts_notes_the_failing_case(failing_pack: PolicyPack) -> None:
    facts = {"person": {"age": 40, "eligible": True, "adult": True},
             "vaccination": {"doses": 2, "any": True, "complete": True, "complete_from": None},
             "exemption": {"valid": False, "level": 0, "until": None}, "code": {"color": "green"}}
    decision = decide_facts(failing_pack, failing_pack.rules["ordinary"], facts, "gym")
    assert (decision.outcome, decision.rule) == (Outcome.PERSUADE, "ordinary.unvaccinated")
    assert len(decision.notes) == 1


def test_product_not_accepted_is_not_counted_and_named_in_a_note(kit: Kit,
                                                                  pack: PolicyPack) -> None:
    decision = kit.decide(pack, [kit.code(), kit.vaccination(product="Sputnik-V")])
    assert outcome(decision) == ("persuade", "unvaccinated")
    assert decision.facts is not None and decision.facts["vaccination"]["any"] is False
    assert "Sputnik-V" in " ".join(n.en for n in decision.notes)
    assert "Sputnik-V" in " ".join(n.zh for n in decision.notes)
    accepted = kit.decide(pack, [kit.code(), kit.vaccination(product="CoronaVac")])
    assert outcome(accepted) == ("admit", "vaccinated") and not accepted.notes


def test_every_reason_placeholder_a_pack_may_use_has_a_value() -> None:
    from jointcheck.rules import decision
    from jointcheck.rules.policy import REASON_PLACEHOLDERS

    assert set(decision._PLACEHOLDERS) == REASON_PLACEHOLDERS


def test_the_memo_gives_what_the_conditions_give() -> None:
    # Which case holds is remembered by the fact values the conditions read; a remembered
    # answer must equal a fresh evaluation for every combination, in every shipped pack.
    from itertools import product

    from jointcheck.rules import decision
    from jointcheck.rules.pack_files import SHIPPED, shipped_pack

    for pack_id in SHIPPED:
        pack = shipped_pack(pack_id)
        for rule in pack.rules.values():
            rule.memo.clear()
            for eligible, adult, any_, complete, valid in product((True, False), repeat=5):
                facts = {"person": {"eligible": eligible, "adult": adult, "age": 30},
                         "vaccination": {"any": any_, "complete": complete, "booster": False},
                         "exemption": {"valid": valid}}
                first = decision._choose(rule, facts)[0]
                remembered = decision._choose(rule, facts)[0]
                fresh = rule.cases[decision._first_holding(rule, facts)[0]]
                assert first is remembered is fresh
            assert rule.memo, rule.id


def test_var_paths_finds_every_literal_path() -> None:
    from jointcheck.rules.certlogic import var_paths

    expression = {"and": [{"!": [{"var": "person.eligible"}]},
                          {"if": [{"var": "vaccination.any"}, {"var": "exemption.valid"}, False]},
                          {"reduce": [{"var": "payload.v"}, {"var": "accumulator"}, 0]}]}
    assert var_paths(expression) == {"person.eligible", "vaccination.any", "exemption.valid",
                                     "payload.v", "accumulator"}
