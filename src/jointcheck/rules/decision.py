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
from jointcheck.rules.facts import DoseTuple, facts_and_vector
from jointcheck.rules.instants import local_time
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


# A named tuple's own constructor is a Python function over tuple.__new__; at the door, where
# a checkpoint makes one Decision and one Holder per person, the named tuple is made directly.
_new = tuple.__new__


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
# What a colour the pack does not pass is refused with: basis, rule, reason.
_COLOR_REFUSALS = {
    color.value: (Basis.CODE_COLOR, f"shared.code-{color.value}",
                  Text(f"The health code is {_COLOR_NAMES[color.value].en}: no entry",
                       f"健康码为{_COLOR_NAMES[color.value].zh}，不得进入"))
    for color in CodeColor}


class _Refusal(Exception):
    """A shared check denies; carries the decision's basis, rule and reason."""

    def __init__(self, basis: Basis, rule: str, reason: Text) -> None:
        super().__init__(rule)
        self.basis, self.rule, self.reason = basis, rule, reason


def decide(pack: PolicyPack, verifications: Sequence[Verification], venue_category: str,
           at: datetime) -> Decision:
    """Decide entry to a venue of ``venue_category`` on the verified credentials shown."""
    rule = pack.category_rules.get(venue_category) or pack.rule_for(venue_category)
    in_force, day, clock = local_time(pack, at)
    if not in_force:
        raise PolicyError("policy-not-in-force",
                          f"policy {pack.id} {pack.version} is not in force at {at.isoformat()}")
    notes: list[Text] = []
    holder: Holder | None = None
    try:
        credentials, colors, doses, exemptions, expired = _gather(verifications, notes)
        subject = _one_holder(credentials)
        holder = _new(Holder, (subject.display_name, subject.birth_year))
        color = _code_color(colors)
    except _Refusal as refusal:
        return _denied(pack, refusal.basis, refusal.rule, refusal.reason, holder, notes)
    if color not in pack.passing_colors:
        return _denied(pack, *_COLOR_REFUSALS[color], holder, notes)
    products = pack.product_index
    for dose in doses:
        if dose[0] not in products:
            unaccepted = sorted({d[0] for d in doses if d[0] not in products})
            notes += [_unaccepted(product) for product in unaccepted]
            break
    facts, vector = facts_and_vector(pack, subject.birth_date, doses, exemptions, expired,
                                     color, day, clock)
    key_of = rule.key_of
    index = None if key_of is None else rule.memo.get(key := key_of(vector))
    if index is not None:  # the usual case: a combination of facts seen before
        case, open_note = rule.cases[index], None
    else:
        case, open_note = _choose(rule, facts) if key_of is None else \
            _choose_by_key(rule, facts, key)
    reason = case.reason
    if case.fields:
        remembered = (venue_category, pack.exemptions.min_institution_level,
                      case.reason_key(vector))
        reason = case.reasons.get(remembered) or _remember_reason(pack, case, facts,
                                                                  venue_category, remembered)
    if open_note is not None:
        notes.append(open_note)
    return _new(Decision, (case.outcome, case.basis, case.qualified, reason, pack.id,
                           pack.version, holder, facts, tuple(notes) if notes else ()))


def _denied(pack: PolicyPack, basis: Basis, rule: str, reason: Text, holder: Holder | None,
            notes: list[Text]) -> Decision:
    return Decision(Outcome.DENY, basis, rule, reason, pack.id, pack.version, holder, None,
                    tuple(notes))


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
    if not rule.reads:
        index, note = _first_holding(rule, facts)
        return rule.cases[index], note
    return _choose_by_key(rule, facts, tuple([read(facts) for read in rule.reads]))


def _choose_by_key(rule: Rule, facts: Mapping[str, Any],
                   key: tuple[Any, ...]) -> tuple[Case, Text | None]:
    # ``key`` holds the values the conditions read from ``facts``, in the order of rule.reads.
    try:
        index = rule.memo.get(key)
    except TypeError:  # a list or a mapping was read: nothing to remember it by
        index, note = _first_holding(rule, facts)
        return rule.cases[index], note
    if index is not None:
        return rule.cases[index], None
    index, note = _first_holding(rule, facts)
    if note is None and len(rule.memo) < MEMO_SIZE:
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
    reason = _filled(pack, case, facts, venue_category) if case.fields else case.reason
    return case, reason, open_note


def _filled(pack: PolicyPack, case: Case, facts: Mapping[str, Any], venue_category: str) -> Text:
    values = {name: _PLACEHOLDERS[name](pack, facts, venue_category) for name in case.fields}
    return Text(case.reason.en.format_map(values), case.reason.zh.format_map(values))


def _remember_reason(pack: PolicyPack, case: Case, facts: Mapping[str, Any],
                     venue_category: str, remembered: tuple[Any, ...]) -> Text:
    # A reason is a function of what ``remembered`` holds: a repeated combination (two doses
    # at a gym) is remembered, like the case itself, instead of formatted again.
    reason = _filled(pack, case, facts, venue_category)
    if len(case.reasons) < MEMO_SIZE:
        case.reasons[remembered] = reason
    return reason


def _category_name(venue_category: str, language: int) -> str:
    names = VENUE_CATEGORY_NAMES.get(venue_category)
    return venue_category if names is None else names[language]


_Facts = Mapping[str, Any]
_PLACEHOLDERS: dict[str, Callable[[PolicyPack, _Facts, str], object]] = {
    "eligible_from": lambda pack, facts, category: pack.eligible_from,
    "adult_from": lambda pack, facts, category: pack.adult_from,
    "age": lambda pack, facts, category: facts["person"]["age"],
    "doses": lambda pack, facts, category: facts["vaccination"]["doses"],
    "complete_from": lambda pack, facts, category: facts["vaccination"]["complete_from"] or "-",
    "min_level": lambda pack, facts, category: pack.exemptions.min_institution_level,
    "exemption_level": lambda pack, facts, category: facts["exemption"]["level"],
    "exemption_until": lambda pack, facts, category: facts["exemption"]["until"] or "-",
    "category": lambda pack, facts, category: _category_name(category, 0),
    "category_zh": lambda pack, facts, category: _category_name(category, 1),
}


_Shown = tuple[list[Credential], list[CodeColor], list[DoseTuple], list[ExemptionEntry],
               list[ExemptionEntry]]


def _gather(verifications: Sequence[Verification], notes: list[Text]) -> _Shown:
    """Return what one pass over the verified credentials found.

    The credentials, health-code colours, doses, exemptions and the exemptions of expired
    certificates; a refused credential raises ``_Refusal``.
    """
    if not verifications:
        raise _Refusal(Basis.CREDENTIAL_MISSING, "shared.nothing-shown",
                       Text("No code was shown: show the health code and vaccination "
                            "certificate", "未出示任何码：请出示健康码和疫苗接种证明"))
    credentials: list[Credential] = []
    colors: list[CodeColor] = []
    doses: list[DoseTuple] = []  # plain tuples: a Dose is a class to construct
    exemptions: list[ExemptionEntry] = []
    expired: list[ExemptionEntry] = []
    for result in verifications:
        credential = result.credential
        if result.valid and credential is not None:
            credentials.append(credential)
            for entry in credential.entries:
                if type(entry) is VaccinationEntry:
                    if entry.date is not None:
                        doses.append((entry.product, entry.dose, entry.date))
                elif type(entry) is HealthCodeEntry:
                    colors.append(entry.color)
                elif type(entry) is ExemptionEntry:
                    exemptions.append(entry)
        elif (credential is not None and credential.type in _SET_ASIDE
              and result.stage == "validity" and result.code == "expired"):
            # Authentic but out of date: it names the holder, and counts for nothing else.
            credentials.append(credential)
            expired += [e for e in credential.entries if isinstance(e, ExemptionEntry)]
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
    return credentials, colors, doses, exemptions, expired


def _one_holder(everyone: list[Credential]) -> Subject:
    subject = everyone[0].subject
    for credential in everyone:  # the health code names the holder where there is one
        if credential.type is CredentialType.HEALTH_CODE:
            subject = credential.subject
            break
    pid = subject.pid
    for other in everyone:
        theirs = other.subject
        if theirs is subject or (pid and theirs.pid == pid):  # same_holder's first answer
            continue
        if not same_holder(subject, theirs):
            what = _TYPE_NAMES[other.type]
            raise _Refusal(Basis.HOLDER_MISMATCH, "shared.holder-mismatch",
                           Text(f"The {what.en} belongs to someone else",
                                f"{what.zh}与健康码不是同一人"))
    return subject


def _code_color(colors: list[CodeColor]) -> str:
    """Return the most severe colour shown, as plain text; refuse when there is none."""
    if not colors:
        raise _Refusal(Basis.CREDENTIAL_MISSING, "shared.no-health-code",
                       Text("No valid health code was shown: show a fresh health code",
                            "未出示有效健康码：请出示实时健康码"))
    color = colors[0] if len(colors) == 1 else max(colors, key=_SEVERITY.__getitem__)
    return _PLAIN_COLOR[color]


def _unaccepted(product: str) -> Text:
    return Text(f"doses of {product} are not accepted by this policy",
                f"本政策不认可 {product} 的接种记录")
