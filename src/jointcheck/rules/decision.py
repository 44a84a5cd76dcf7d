"""One decision at the door: ``decide(pack, verifications, venue_category, at) -> Decision``.

The checks every pack shares come first and are not the pack's to change (SPEC §4, R5): a
refused credential (forged, damaged, replayed, revoked) denies; credentials of different
people deny; no health code denies; a colour the pack does not pass denies. An expired
vaccination or exemption certificate is authentic but out of date: it is set aside, not
treated as a forgery, and the person is decided without it. Then the venue category's rule
decides on the person's facts (:mod:`jointcheck.rules.facts`).

A case whose condition cannot be evaluated (OPEN) never passes silently: the rule's last case,
its default for a person nothing else applies to, decides, and the decision says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from jointcheck.credentials.model import (
    CodeColor,
    Credential,
    CredentialType,
    ExemptionEntry,
    HealthCodeEntry,
    Subject,
    VaccinationEntry,
    same_holder,
)
from jointcheck.errors import CertLogicError, PolicyError
from jointcheck.rules.certlogic import is_truthy
from jointcheck.rules.facts import Dose, person_facts
from jointcheck.rules.policy import PolicyPack, Rule, Text
from jointcheck.rules.venues import VENUE_CATEGORY_NAMES
from jointcheck.trust.verify import Verification


class Outcome(StrEnum):
    """What happens at the door, from mildest to strictest."""

    ADMIT = "admit"
    REGISTER = "register"
    PERSUADE = "persuade"
    RESTRICT = "restrict"
    DENY = "deny"

    @property
    def admits(self) -> bool:
        """Tell whether the person may enter (possibly after registering)."""
        return self in (Outcome.ADMIT, Outcome.REGISTER, Outcome.PERSUADE)


class Basis(StrEnum):
    """Why: the fact the decision rests on."""

    VACCINATED = "vaccinated"
    EXEMPT = "exempt"
    NOT_ELIGIBLE_AGE = "not-eligible-age"
    UNVACCINATED = "unvaccinated"
    CODE_COLOR = "code-color"
    CREDENTIAL_INVALID = "credential-invalid"
    CREDENTIAL_MISSING = "credential-missing"
    HOLDER_MISMATCH = "holder-mismatch"


@dataclass(frozen=True, slots=True)
class Holder:
    """What a checkpoint shows of the person: enough to match an identity document."""

    name: str
    birth_year: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The one answer at the door, the rule that gave it and why, in words for people."""

    outcome: Outcome
    basis: Basis
    rule: str
    reason: Text
    policy_id: str
    policy_version: str
    holder: Holder | None = None
    facts: Mapping[str, Any] | None = None
    notes: tuple[Text, ...] = field(default=())


_TYPE_NAMES = {
    CredentialType.VACCINATION: Text("vaccination certificate", "疫苗接种证明"),
    CredentialType.EXEMPTION: Text("contraindication certificate", "禁忌证证明"),
    CredentialType.HEALTH_CODE: Text("health code", "健康码"),
    CredentialType.TEST: Text("test certificate", "检测证明"),
    CredentialType.RECOVERY: Text("recovery certificate", "康复证明"),
}
_UNKNOWN_CREDENTIAL = Text("code", "二维码")
_SET_ASIDE = frozenset({CredentialType.VACCINATION, CredentialType.EXEMPTION,
                        CredentialType.TEST, CredentialType.RECOVERY})
_COLOR_NAMES = {"green": Text("green", "绿码"), "yellow": Text("yellow", "黄码"),
                "red": Text("red", "红码")}
_REFUSALS_ZH = {
    "signature-invalid": "签名不符，疑似伪造或被篡改", "key-unknown": "签发机构不在信任列表中",
    "expired": "已过期，请出示实时码", "not-yet-valid": "尚未生效", "revoked": "已被签发机构撤销",
    "signer-expired": "签发密钥不在有效期内", "key-usage": "签发密钥无权签发此类凭证",
}
_SEVERITY = {CodeColor.GREEN: 0, CodeColor.YELLOW: 1, CodeColor.RED: 2}


class _Refusal(Exception):
    """A shared check denies; carries the decision's basis, rule and reason."""

    def __init__(self, basis: Basis, rule: str, reason: Text) -> None:
        super().__init__(rule)
        self.basis, self.rule, self.reason = basis, rule, reason


def decide(pack: PolicyPack, verifications: Sequence[Verification], venue_category: str,
           at: datetime) -> Decision:
    """Decide entry to a venue of ``venue_category`` on the verified credentials shown."""
    rule = pack.rule_for(venue_category)
    if not pack.in_force(at):
        raise PolicyError("policy-not-in-force",
                          f"policy {pack.id} {pack.version} is not in force at {at.isoformat()}")
    notes: list[Text] = []
    holder: Holder | None = None
    set_aside: list[Credential] = []
    try:
        credentials = _usable_credentials(verifications, set_aside, notes)
        subject = _one_holder(credentials + set_aside)
        holder = Holder(subject.display_name, subject.birth_year)
        color = _code_color(pack, credentials)
    except _Refusal as refusal:
        return Decision(Outcome.DENY, refusal.basis, refusal.rule, refusal.reason, pack.id,
                        pack.version, holder, None, tuple(notes))
    entries = [e for c in credentials for e in c.entries]
    doses = [Dose(e.product, e.dose, e.date) for e in entries
             if isinstance(e, VaccinationEntry) and e.date is not None]
    notes += _unaccepted_products(pack, entries)
    facts = person_facts(
        pack, birth_date=subject.birth_date, doses=doses,
        exemptions=[e for e in entries if isinstance(e, ExemptionEntry)], color=color.value,
        at=at, expired_exemptions=[e for c in set_aside for e in c.entries
                                   if isinstance(e, ExemptionEntry)])
    decision = decide_facts(pack, rule, facts, venue_category)
    return Decision(decision.outcome, decision.basis, decision.rule, decision.reason, pack.id,
                    pack.version, holder, facts, tuple(notes) + decision.notes)


def decide_facts(pack: PolicyPack, rule: Rule, facts: Mapping[str, Any],
                 venue_category: str) -> Decision:
    """Run a rule's cases on one person's facts; the first that holds decides."""
    notes: tuple[Text, ...] = ()
    chosen = rule.cases[-1]
    for case in rule.cases:
        if case.when is None:
            chosen = case
            break
        try:
            holds = is_truthy(case.when.evaluate(facts))
        except CertLogicError as error:
            notes = (Text(f"rule {rule.id}.{case.id} could not be evaluated ({error.message}); "
                          "the rule's default applies",
                          f"规则 {rule.id}.{case.id} 无法判定，按该规则的默认情形处理"),)
            chosen = rule.cases[-1]
            break
        if holds:
            chosen = case
            break
    reason = chosen.reason.format(**_placeholders(pack, facts, venue_category))
    return Decision(Outcome(chosen.outcome), Basis(chosen.basis), f"{rule.id}.{chosen.id}",
                    reason, pack.id, pack.version, None, facts, notes)


def _placeholders(pack: PolicyPack, facts: Mapping[str, Any], category: str) -> dict[str, Any]:
    names = VENUE_CATEGORY_NAMES.get(category, (category, category))
    vaccination, exemption = facts["vaccination"], facts["exemption"]
    return {
        "eligible_from": pack.eligible_from, "adult_from": pack.adult_from,
        "age": facts["person"]["age"], "doses": vaccination["doses"],
        "complete_from": vaccination["complete_from"] or "-",
        "min_level": pack.exemptions.min_institution_level,
        "exemption_level": exemption["level"], "exemption_until": exemption["until"] or "-",
        "category": names[0], "category_zh": names[1],
    }


def _usable_credentials(verifications: Sequence[Verification], set_aside: list[Credential],
                        notes: list[Text]) -> list[Credential]:
    if not verifications:
        raise _Refusal(Basis.CREDENTIAL_MISSING, "shared.nothing-shown",
                       Text("No code was shown: show the health code and vaccination "
                            "certificate", "未出示任何码：请出示健康码和疫苗接种证明"))
    usable: list[Credential] = []
    for result in verifications:
        credential = result.credential
        if result.valid and credential is not None:
            usable.append(credential)
        elif (credential is not None and credential.type in _SET_ASIDE
              and result.stage == "validity" and result.code == "expired"):
            set_aside.append(credential)
            what = _TYPE_NAMES[credential.type]
            notes.append(Text(f"the {what.en} has expired and does not count",
                              f"{what.zh}已过期，不予认可"))
        else:
            what = _TYPE_NAMES.get(credential.type, _UNKNOWN_CREDENTIAL) if credential else \
                _UNKNOWN_CREDENTIAL
            why = _REFUSALS_ZH.get(result.code, f"无法识别（{result.code}）")
            raise _Refusal(Basis.CREDENTIAL_INVALID, f"shared.refused.{result.code}",
                           Text(f"The {what.en} was refused: {result.message}",
                                f"{what.zh}未通过核验：{why}"))
    return usable


def _one_holder(credentials: list[Credential]) -> Subject:
    codes = [c for c in credentials if c.type is CredentialType.HEALTH_CODE]
    subject = (codes or credentials)[0].subject
    for other in credentials:
        if not same_holder(subject, other.subject):
            what = _TYPE_NAMES[other.type]
            raise _Refusal(Basis.HOLDER_MISMATCH, "shared.holder-mismatch",
                           Text(f"The {what.en} belongs to someone else",
                                f"{what.zh}与健康码不是同一人"))
    return subject


def _code_color(pack: PolicyPack, credentials: list[Credential]) -> CodeColor:
    colors = [e.color for c in credentials for e in c.entries if isinstance(e, HealthCodeEntry)]
    if not colors:
        raise _Refusal(Basis.CREDENTIAL_MISSING, "shared.no-health-code",
                       Text("No valid health code was shown: show a fresh health code",
                            "未出示有效健康码：请出示实时健康码"))
    color = max(colors, key=_SEVERITY.__getitem__)
    if color.value not in pack.passing_colors:
        name = _COLOR_NAMES[color.value]
        raise _Refusal(Basis.CODE_COLOR, f"shared.code-{color.value}",
                       Text(f"The health code is {name.en}: no entry",
                            f"健康码为{name.zh}，不得进入"))
    return color


def _unaccepted_products(pack: PolicyPack, entries: Sequence[object]) -> list[Text]:
    codes = sorted({e.product for e in entries
                    if isinstance(e, VaccinationEntry) and pack.product(e.product) is None})
    return [Text(f"doses of {code} are not accepted by this policy",
                 f"本政策不认可 {code} 的接种记录") for code in codes]
