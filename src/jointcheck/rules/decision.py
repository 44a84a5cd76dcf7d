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

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

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
from jointcheck.rules.policy import Basis, Case, Outcome, PolicyPack, Rule, Text
from jointcheck.rules.venues import VENUE_CATEGORY_NAMES
from jointcheck.trust.verify import Verification


class Holder(NamedTuple):
    """What a checkpoint shows of the person: enough to match an identity document."""

    name: str
    birth_year: str


class Decision(NamedTuple):
    """The one answer at the door, the rule that gave it and why, in words for people.

    A named tuple rather than a frozen dataclass: it is as immutable, and a checkpoint makes
    one per person, where a frozen dataclass's constructor alone costs a tenth of a decision.
    """

    outcome: Outcome
    basis: Basis
    rule: str
    reason: Text
    policy_id: str
    policy_version: str
    holder: Holder | None = None
    facts: Mapping[str, Any] | None = None
    notes: tuple[Text, ...] = ()


def decision_fields(decision: Decision) -> dict[str, Any]:
    """Return a decision as plain JSON values: what a checkpoint shows, nothing medical.

    The facts are left out; the command line adds them for the person who runs it.
    """
    holder = decision.holder
    return {
        "outcome": decision.outcome.value, "basis": decision.basis.value, "rule": decision.rule,
        "reason": {"en": decision.reason.en, "zh": decision.reason.zh},
        "policy": {"id": decision.policy_id, "version": decision.policy_version},
        "holder": None if holder is None else {"name": holder.name,
                                               "birth_year": holder.birth_year},
        "notes": [{"en": n.en, "zh": n.zh} for n in decision.notes],
    }


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
_PLAIN_COLOR = {color: color.value for color in CodeColor}  # a dict lookup, not enum machinery
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
    try:
        shown = _gather(verifications, notes)
        subject = _one_holder(shown)
        holder = Holder(subject.display_name, subject.birth_year)
        color = _code_color(pack, shown.colors)
    except _Refusal as refusal:
        return Decision(Outcome.DENY, refusal.basis, refusal.rule, refusal.reason, pack.id,
                        pack.version, holder, None, tuple(notes))
    products = pack.product_index
    for dose in shown.doses:
        if dose.product not in products:
            unaccepted = sorted({d.product for d in shown.doses if d.product not in products})
            notes += [_unaccepted(product) for product in unaccepted]
            break
    facts = person_facts(pack, birth_date=subject.birth_date, doses=shown.doses,
                         exemptions=shown.exemptions, color=_PLAIN_COLOR[color], at=at,
                         expired_exemptions=shown.expired_exemptions)
    case, reason, open_note = _run_rule(pack, rule, facts, venue_category)
    if open_note is not None:
        notes.append(open_note)
    return Decision(case.outcome, case.basis, case.qualified, reason, pack.id,
                    pack.version, holder, facts, tuple(notes))


def decide_facts(pack: PolicyPack, rule: Rule, facts: Mapping[str, Any],
                 venue_category: str) -> Decision:
    """Run a rule's cases on one person's facts; the first that holds decides."""
    case, reason, open_note = _run_rule(pack, rule, facts, venue_category)
    return Decision(case.outcome, case.basis, case.qualified, reason, pack.id,
                    pack.version, None, facts, () if open_note is None else (open_note,))


def rule_outcome(rule: Rule, facts: Mapping[str, Any]) -> Outcome:
    """Return only the outcome of a rule on one person's facts (for counting many people)."""
    return _choose(rule, facts)[0].outcome


MEMO_SIZE = 4096


def _choose(rule: Rule, facts: Mapping[str, Any]) -> tuple[Case, Text | None]:
    key: tuple[Any, ...] | None = None
    if rule.reads:
        key = tuple([read(facts) for read in rule.reads])
        try:
            index = rule.memo.get(key)
        except TypeError:  # a list or a mapping was read: nothing to remember it by
            key, index = None, None
        if index is not None:
            return rule.cases[index], None
    index, note = _first_holding(rule, facts)
    if note is None and key is not None and len(rule.memo) < MEMO_SIZE:
        rule.memo[key] = index
    return rule.cases[index], note


def _first_holding(rule: Rule, facts: Mapping[str, Any]) -> tuple[int, Text | None]:
    last = len(rule.cases) - 1
    for index, case in enumerate(rule.cases):
        if case.when is None:
            return index, None
        try:
            value = case.when.evaluate(facts)
        except CertLogicError as error:
            return last, Text(
                f"rule {rule.id}.{case.id} could not be evaluated ({error.message}); "
                "the rule's default applies",
                f"规则 {rule.id}.{case.id} 无法判定，按该规则的默认情形处理")
        if value is True or (value is not False and value is not None and is_truthy(value)):
            return index, None
    return last, None


def _run_rule(pack: PolicyPack, rule: Rule, facts: Mapping[str, Any],
              venue_category: str) -> tuple[Case, Text, Text | None]:
    case, open_note = _choose(rule, facts)
    reason = case.reason
    if case.fields:
        names = VENUE_CATEGORY_NAMES.get(venue_category, (venue_category, venue_category))
        values = {name: _PLACEHOLDERS[name](pack, facts, names) for name in case.fields}
        reason = Text(reason.en.format_map(values), reason.zh.format_map(values))
    return case, reason, open_note


_Facts = Mapping[str, Any]
_PLACEHOLDERS: dict[str, Callable[[PolicyPack, _Facts, tuple[str, str]], object]] = {
    "eligible_from": lambda pack, facts, names: pack.eligible_from,
    "adult_from": lambda pack, facts, names: pack.adult_from,
    "age": lambda pack, facts, names: facts["person"]["age"],
    "doses": lambda pack, facts, names: facts["vaccination"]["doses"],
    "complete_from": lambda pack, facts, names: facts["vaccination"]["complete_from"] or "-",
    "min_level": lambda pack, facts, names: pack.exemptions.min_institution_level,
    "exemption_level": lambda pack, facts, names: facts["exemption"]["level"],
    "exemption_until": lambda pack, facts, names: facts["exemption"]["until"] or "-",
    "category": lambda pack, facts, names: names[0],
    "category_zh": lambda pack, facts, names: names[1],
}


class _Shown:
    """What one pass over the verified credentials found (a checkpoint makes one per person)."""

    __slots__ = ("colors", "credentials", "doses", "exemptions", "expired_exemptions")

    def __init__(self) -> None:
        self.credentials: list[Credential] = []
        self.colors: list[CodeColor] = []
        self.doses: list[Dose] = []
        self.exemptions: list[ExemptionEntry] = []
        self.expired_exemptions: list[ExemptionEntry] = []


def _gather(verifications: Sequence[Verification], notes: list[Text]) -> _Shown:
    if not verifications:
        raise _Refusal(Basis.CREDENTIAL_MISSING, "shared.nothing-shown",
                       Text("No code was shown: show the health code and vaccination "
                            "certificate", "未出示任何码：请出示健康码和疫苗接种证明"))
    shown = _Shown()
    for result in verifications:
        credential = result.credential
        if result.valid and credential is not None:
            shown.credentials.append(credential)
            for entry in credential.entries:
                if type(entry) is VaccinationEntry:
                    if entry.date is not None:
                        shown.doses.append(Dose(entry.product, entry.dose, entry.date))
                elif type(entry) is HealthCodeEntry:
                    shown.colors.append(entry.color)
                elif type(entry) is ExemptionEntry:
                    shown.exemptions.append(entry)
        elif (credential is not None and credential.type in _SET_ASIDE
              and result.stage == "validity" and result.code == "expired"):
            # Authentic but out of date: it names the holder, and counts for nothing else.
            shown.credentials.append(credential)
            shown.expired_exemptions += [e for e in credential.entries
                                         if isinstance(e, ExemptionEntry)]
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
    return shown


def _one_holder(shown: _Shown) -> Subject:
    everyone = shown.credentials
    subject = everyone[0].subject
    for credential in everyone:  # the health code names the holder where there is one
        if credential.type is CredentialType.HEALTH_CODE:
            subject = credential.subject
            break
    for other in everyone:
        if other.subject is not subject and not same_holder(subject, other.subject):
            what = _TYPE_NAMES[other.type]
            raise _Refusal(Basis.HOLDER_MISMATCH, "shared.holder-mismatch",
                           Text(f"The {what.en} belongs to someone else",
                                f"{what.zh}与健康码不是同一人"))
    return subject


def _code_color(pack: PolicyPack, colors: list[CodeColor]) -> CodeColor:
    if not colors:
        raise _Refusal(Basis.CREDENTIAL_MISSING, "shared.no-health-code",
                       Text("No valid health code was shown: show a fresh health code",
                            "未出示有效健康码：请出示实时健康码"))
    color = colors[0] if len(colors) == 1 else max(colors, key=_SEVERITY.__getitem__)
    if _PLAIN_COLOR[color] not in pack.passing_colors:
        name = _COLOR_NAMES[color.value]
        raise _Refusal(Basis.CODE_COLOR, f"shared.code-{color.value}",
                       Text(f"The health code is {name.en}: no entry",
                            f"健康码为{name.zh}，不得进入"))
    return color


def _unaccepted(product: str) -> Text:
    return Text(f"doses of {product} are not accepted by this policy",
                f"本政策不认可 {product} 的接种记录")
