"""Policy packs: a jurisdiction's rules at the door as data, checked when loaded, compiled once.

A pack (YAML or JSON, format ``jointcheck-policy/1``) names the venue categories and the rule
for each, the age thresholds, the vaccine products it accepts (with their primary series and
the days that must pass after the last dose), which exemptions count and which health-code
colours pass. A rule is an ordered list of cases; each case has a CertLogic condition over the
decision's facts (see :mod:`jointcheck.rules.facts`) and the outcome, basis and reason it
gives. The last case of a rule has no condition: it is what happens when nothing else applies.

Loading checks the pack against its JSON Schema, then what a schema cannot say (every venue
category mapped to a rule that exists, every condition valid CertLogic, dates in order); every
problem is reported with the file, the path inside it and what is wrong.
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jsonschema import Draft202012Validator

from jointcheck.errors import PolicyError
from jointcheck.rules.certlogic import (
    CompiledExpression,
    compile_expression,
    path_reader,
    var_paths,
)
from jointcheck.rules.certlogic_validate import validate_expression
from jointcheck.rules.fact_vector import PLACEHOLDER_FACTS, VectorKey, no_facts, vector_key
from jointcheck.rules.instants import new_slots
from jointcheck.rules.venues import VENUE_CATEGORIES, is_venue_category

FORMAT = "jointcheck-policy/1"


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


class Text(NamedTuple):
    """A sentence in English and Chinese."""

    en: str
    zh: str


# What a case's reason may name in braces, e.g. "Vaccinated ({doses} dose(s))".
REASON_PLACEHOLDERS = frozenset({
    "eligible_from", "adult_from", "age", "doses", "complete_from", "min_level",
    "exemption_level", "exemption_until", "category", "category_zh",
})


def placeholders_of(text: str) -> list[str]:
    """Return the ``{name}`` placeholders of a reason, in order; raise ValueError if malformed."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


@dataclass(frozen=True, slots=True)
class Product:
    """A vaccine product the pack accepts, and what completes it."""

    code: str
    aliases: tuple[str, ...]
    name: str
    series: int
    days_after_complete: int
    days_after_booster: int
    complete_delay: timedelta  # days_after_complete, ready to add to a date


@dataclass(frozen=True, slots=True)
class Case:
    """One case of a rule: when its condition holds, this is the decision."""

    id: str
    when: CompiledExpression | None
    outcome: Outcome
    basis: Basis
    reason: Text
    fields: tuple[str, ...] = ()
    qualified: str = ""  # "<rule>.<case>", the id a decision names
    # The reason filled in, remembered by what it is filled from (see Rule.memo): the venue
    # category, the pack's minimum institution level, and the facts ``reason_key`` takes from
    # the flat fact vector.
    reason_key: VectorKey = field(default=no_facts, compare=False, repr=False)
    reasons: dict[tuple[Any, ...], Text] = field(default_factory=dict, compare=False,
                                                 repr=False)


@dataclass(frozen=True, slots=True)
class Rule:
    """An ordered list of cases; the first whose condition holds decides.

    ``reads`` are the fact paths the conditions read. CertLogic is a pure function of the data
    it reads, so which case holds is remembered in ``memo`` by the values read: most people at
    a door share a handful of combinations (adult and vaccinated, child, ...), and a repeated
    combination costs a few dictionary lookups instead of the conditions. ``key_of`` takes the
    same key from the flat fact vector (:mod:`jointcheck.rules.fact_vector`) when it can.
    """

    id: str
    name: Text
    cases: tuple[Case, ...]
    reads: tuple[Callable[[Any], Any], ...] = ()
    memo: dict[tuple[Any, ...], int] = field(default_factory=dict, compare=False, repr=False)
    key_of: VectorKey | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ExemptionPolicy:
    """Which contraindication certificates count."""

    accepted: bool
    min_institution_level: int
    reasons: frozenset[str] | None


@dataclass(frozen=True)
class PolicyPack:
    """A loaded, checked and compiled policy pack."""

    id: str
    jurisdiction: Text
    version: str
    valid_from: datetime
    valid_until: datetime | None
    timezone: ZoneInfo
    source: str
    reading: str
    retention_days: int
    eligible_from: int
    adult_from: int
    products: tuple[Product, ...]
    exemptions: ExemptionPolicy
    passing_colors: frozenset[str]
    rules: Mapping[str, Rule]
    categories: Mapping[str, str]
    scenario_at: datetime | None
    scenarios: tuple[Mapping[str, Any], ...]
    document: Mapping[str, Any]
    product_index: Mapping[str, Product]
    category_rules: Mapping[str, Rule]
    valid_from_ts: float
    valid_until_ts: float
    # What a dose of (product, number, day) means under the pack (jointcheck.rules.facts).
    dose_facts: dict[Any, Any] = field(default_factory=dict, init=False, compare=False,
                                       repr=False)
    # What :func:`jointcheck.rules.instants.local_time` last found for this pack.
    instants: list[Any] = field(default_factory=new_slots, init=False, compare=False,
                                repr=False)

    def rule_for(self, category: str) -> Rule:
        """Return the rule of a venue category; raise ``PolicyError`` for an unknown one."""
        rule = self.category_rules.get(category)
        if rule is not None:
            return rule
        name = self.categories.get(category)
        if name is None:
            known = "unknown" if not is_venue_category(category) else "not covered by this pack"
            raise PolicyError("venue-category-unknown",
                              f"venue category {category!r} is {known}")
        return self.rules[name]

    def in_force(self, at: datetime) -> bool:
        """Tell whether the pack applies at ``at``."""
        moment = at.timestamp()  # one conversion, instead of one per aware comparison
        return self.valid_from_ts <= moment and (self.valid_until is None
                                                 or moment < self.valid_until_ts)

    def product(self, code: str) -> Product | None:
        """Return the accepted product a code (or alias) names, or ``None``."""
        return self.product_index.get(code)


@cache
def _validator() -> Draft202012Validator:
    text = resources.files("jointcheck.rules").joinpath("schemas/policy-pack.schema.json")
    return Draft202012Validator(json.loads(text.read_text("utf-8")),
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def _where(path: Any) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in path]
    return "".join(parts).lstrip(".") or "(top)"


def schema_problems(document: Any) -> list[str]:
    """Return what the JSON Schema finds wrong with a pack document, as ``path: message``."""
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{_where(e.absolute_path)}: {e.message}" for e in errors]


def load_pack(document: Any, source: str = "<pack>") -> PolicyPack:
    """Check and compile a pack document; raise ``PolicyError`` naming every problem found."""
    document = _plain(document)
    problems = schema_problems(document)
    if not problems:
        problems = _meaning_problems(document)
    if problems:
        listed = "\n".join(f"  {source}: {p}" for p in problems)
        raise PolicyError("policy-invalid", f"{source} is not a valid policy pack:\n{listed}")
    return _build(document)


def _plain(document: Any) -> Any:
    # YAML reads unquoted dates as date objects; the schema wants the text the author wrote.
    if isinstance(document, dict):
        return {str(k): _plain(v) for k, v in document.items()}
    if isinstance(document, list):
        return [_plain(v) for v in document]
    if isinstance(document, datetime | date):  # a bare date is read in the pack's time zone
        return document.isoformat()
    return document


def _meaning_problems(doc: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    for category, rule in doc["categories"].items():
        if not is_venue_category(category):
            problems.append(f"categories.{category}: not a venue category (SPEC §4 slugs)")
        if rule not in doc["rules"]:
            problems.append(f"categories.{category}: rule {rule!r} is not defined in rules")
    missing = [c for c in VENUE_CATEGORIES if c not in doc["categories"]]
    if missing:
        problems.append(f"categories: venue categories without a rule: {', '.join(missing)}")
    for rule_id, rule in doc["rules"].items():
        problems += _case_problems(rule_id, rule["cases"])
    problems += _time_problems(doc)
    if doc["ages"]["eligible_from"] > doc["ages"]["adult_from"]:
        problems.append("ages: eligible_from is above adult_from")
    codes = [c for p in doc["products"] for c in (p["code"], *p.get("aliases", ()))]
    problems += [f"products: code {c!r} is listed twice" for c in sorted(set(codes))
                 if codes.count(c) > 1]
    return problems


def _case_problems(rule_id: str, cases: list[Mapping[str, Any]]) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for index, case in enumerate(cases):
        where = f"rules.{rule_id}.cases[{index}]"
        if case["id"] in seen:
            problems.append(f"{where}.id: case id {case['id']!r} is used twice in this rule")
        seen.add(case["id"])
        last = index == len(cases) - 1
        if "when" not in case and not last:
            problems.append(f"{where}: only the last case may leave out 'when'")
        if "when" in case and last:
            problems.append(f"{where}: the last case must leave out 'when' (it is the default)")
        if "when" in case:
            problems += [f"{where}.when: {p}" for p in validate_expression(case["when"])]
        for lang in ("en", "zh"):
            problems += _reason_problems(f"{where}.reason.{lang}", case["reason"][lang])
    return problems


def _reason_problems(where: str, text: str) -> list[str]:
    try:
        names = placeholders_of(text)
    except ValueError as error:
        return [f"{where}: {error} (write {{{{ and }}}} for a literal brace)"]
    unknown = sorted(set(names) - REASON_PLACEHOLDERS)
    if unknown:
        return [f"{where}: unknown placeholder(s) {', '.join(unknown)}; known: "
                f"{', '.join(sorted(REASON_PLACEHOLDERS))}"]
    return []


def _time_problems(doc: Mapping[str, Any]) -> list[str]:
    try:
        zone = ZoneInfo(doc["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        return [f"timezone: {doc['timezone']!r} is not an IANA time zone"]
    problems: list[str] = []
    instants: dict[str, datetime] = {}
    for key in ("valid_from", "valid_until", "scenario_at"):
        text = doc.get(key)
        if text is None:
            continue
        try:
            instants[key] = _instant(text, zone)
        except ValueError:
            problems.append(f"{key}: {text!r} is not a date or an ISO 8601 date-time with a "
                            "time zone")
    start, end = instants.get("valid_from"), instants.get("valid_until")
    if start is not None and end is not None and end <= start:
        problems.append("valid_until: is not after valid_from")
    return problems


def _instant(text: str, zone: ZoneInfo | None) -> datetime:
    """Read a date-time with a zone, or a bare date as midnight in the pack's time zone."""
    if len(text) == 10 and zone is not None:
        return datetime.combine(date.fromisoformat(text), time(0), zone)
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("a date-time needs a time zone")
    return value


def _text(raw: Mapping[str, str]) -> Text:
    return Text(raw["en"], raw["zh"])


def _rule(rule_id: str, raw: Mapping[str, Any]) -> Rule:
    cases = tuple(_case(rule_id, c) for c in raw["cases"])
    paths = sorted({path for c in raw["cases"] if "when" in c for path in var_paths(c["when"])})
    return Rule(rule_id, _text(raw["name"]), cases, tuple(path_reader(p) for p in paths),
                key_of=vector_key(paths))


def _case(rule_id: str, raw: Mapping[str, Any]) -> Case:
    fields = tuple(sorted({*placeholders_of(raw["reason"]["en"]),
                           *placeholders_of(raw["reason"]["zh"])}))
    reason_key = vector_key([PLACEHOLDER_FACTS[f] for f in fields if f in PLACEHOLDER_FACTS])
    return Case(raw["id"], compile_expression(raw["when"]) if "when" in raw else None,
                Outcome(raw["outcome"]), Basis(raw["basis"]), _text(raw["reason"]), fields,
                f"{rule_id}.{raw['id']}", reason_key or no_facts)


def _build(doc: Mapping[str, Any]) -> PolicyPack:
    rules = {rule_id: _rule(rule_id, raw) for rule_id, raw in doc["rules"].items()}
    exemptions = doc["exemptions"]
    reasons = exemptions.get("reasons")
    zone = ZoneInfo(doc["timezone"])
    valid_from = _instant(doc["valid_from"], zone)
    valid_until = _instant(doc["valid_until"], zone) if doc["valid_until"] else None
    products = tuple(
        Product(p["code"], tuple(p.get("aliases", ())), p.get("name", p["code"]), p["series"],
                p["days_after_complete"], p.get("days_after_booster", p["days_after_complete"]),
                timedelta(days=p["days_after_complete"]))
        for p in doc["products"])
    return PolicyPack(
        id=doc["id"], jurisdiction=_text(doc["jurisdiction"]), version=doc["version"],
        valid_from=valid_from, valid_until=valid_until,
        timezone=zone, source=doc.get("source", ""),
        reading=doc.get("reading", ""), retention_days=doc.get("retention_days", 21),
        eligible_from=doc["ages"]["eligible_from"], adult_from=doc["ages"]["adult_from"],
        products=products,
        exemptions=ExemptionPolicy(exemptions["accepted"], exemptions["min_institution_level"],
                                   frozenset(reasons) if reasons is not None else None),
        passing_colors=frozenset(doc["health_code"]["pass"]),
        rules=rules, categories=dict(doc["categories"]),
        scenario_at=_instant(doc["scenario_at"], zone) if doc.get("scenario_at") else None,
        scenarios=tuple(doc.get("scenarios", ())), document=doc,
        product_index={name: p for p in products for name in (p.code, *p.aliases)},
        category_rules={category: rules[name] for category, name in doc["categories"].items()},
        valid_from_ts=valid_from.timestamp(),
        valid_until_ts=valid_until.timestamp() if valid_until else float("inf"),
    )
