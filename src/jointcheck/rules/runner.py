"""Run EU DCC business rules: ``run_rule(rule, external, payload) -> PASSED | FAIL | OPEN``.

As in the EU verifier, the logic sees ``{"payload": <DCC payload>, "external": <parameters>}``.
A rule whose engine or engine version is not supported, or whose logic is invalid or raises
while evaluating, gives OPEN: never a crash, and never a silent pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cached_property
from typing import Any

from jointcheck.errors import CertLogicError
from jointcheck.rules.certlogic import CompiledExpression, compile_expression, is_truthy
from jointcheck.rules.certlogic_dates import parse_date_time

ENGINE = "CERTLOGIC"
# Rules in the wild say 0.7.5; the EU verifier accepts every version up to its own 1.x.
OLDEST_ENGINE_VERSION = (0, 7, 0)
NEWEST_ENGINE_MAJOR = 1
_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)", re.ASCII)


class RuleResult(Enum):
    """The verdict of one rule on one certificate."""

    PASSED = "PASSED"
    FAIL = "FAIL"
    OPEN = "OPEN"


@dataclass(frozen=True)
class RuleOutcome:
    """What one rule said about one certificate, and why."""

    rule_id: str
    result: RuleResult
    message: str
    value: Any = None


def parse_version(text: str) -> tuple[int, int, int] | None:
    """Return ``major.minor.patch`` as numbers, or None if ``text`` is not such a version."""
    match = _VERSION.fullmatch(text.strip()) if isinstance(text, str) else None
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def engine_supported(engine: str, engine_version: str) -> bool:
    """Tell whether this engine runs rules written for ``engine`` at ``engine_version``."""
    version = parse_version(engine_version)
    return (
        engine == ENGINE
        and version is not None
        and version >= OLDEST_ENGINE_VERSION
        and version[0] <= NEWEST_ENGINE_MAJOR
    )


def schema_compatible(rule_schema: str, payload: Any) -> bool:
    """Tell whether a rule for DCC schema ``rule_schema`` applies to ``payload``'s ``ver``.

    As in the EU verifier, a different major version means the rule may read fields the
    certificate does not have in that meaning: the rule is OPEN. A payload without a
    readable ``ver`` is left to the rule (the schema check refuses it elsewhere).
    """
    wanted = parse_version(rule_schema)
    ver = payload.get("ver") if isinstance(payload, Mapping) else None
    have = parse_version(ver) if isinstance(ver, str) else None
    return wanted is None or have is None or wanted[0] == have[0]


def _instant(rule: Mapping[str, Any], key: str) -> datetime:
    try:
        return parse_date_time(str(rule[key]))
    except (KeyError, CertLogicError) as error:
        raise CertLogicError("rule-invalid", f"rule field {key} is missing or not a date-time: "
                                             f"{rule.get(key)!r}") from error


@dataclass(frozen=True)
class Rule:
    """One business rule in the EU rule format (the JSON the DCC Gateway distributes)."""

    identifier: str
    type: str
    version: str
    schema_version: str
    engine: str
    engine_version: str
    certificate_type: str
    descriptions: tuple[tuple[str, str], ...]
    valid_from: datetime
    valid_to: datetime
    affected_fields: tuple[str, ...]
    logic: Any
    country: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rule:
        """Read a rule from its JSON object; raise ``CertLogicError`` if a field is missing."""
        try:
            return cls(
                identifier=str(data["Identifier"]),
                type=str(data["Type"]),
                version=str(data["Version"]),
                schema_version=str(data["SchemaVersion"]),
                engine=str(data["Engine"]),
                engine_version=str(data["EngineVersion"]),
                certificate_type=str(data["CertificateType"]),
                descriptions=tuple(
                    (str(item.get("lang", "")), str(item.get("desc", "")))
                    for item in data.get("Description") or ()
                ),
                valid_from=_instant(data, "ValidFrom"),
                valid_to=_instant(data, "ValidTo"),
                affected_fields=tuple(str(field) for field in data.get("AffectedFields") or ()),
                logic=data["Logic"],
                country=str(data["Country"]),
            )
        except KeyError as error:
            raise CertLogicError("rule-invalid", f"rule field {error} is missing") from error

    def description(self, lang: str = "en") -> str:
        """Return the description in ``lang``, else in English, else the first, else the id."""
        texts = dict(self.descriptions)
        if lang in texts or "en" in texts:
            return texts.get(lang) or texts["en"]
        return self.descriptions[0][1] if self.descriptions else self.identifier

    @cached_property
    def compiled(self) -> CompiledExpression:
        """Return the logic compiled once; raise ``CertLogicError`` if it is invalid."""
        return compile_expression(self.logic)

    def in_force(self, at: datetime) -> bool:
        """Tell whether the rule applies at ``at``: ValidFrom <= at < ValidTo."""
        if at.tzinfo is None:
            raise ValueError("rules_in_force needs a timezone-aware instant")
        return self.valid_from <= at < self.valid_to


def _as_json(external: Mapping[str, Any]) -> dict[str, Any]:
    # The EU verifier hands the logic a validation clock as an ISO string, never as an object.
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in external.items()
    }


def run_rule(rule: Rule, external_parameters: Mapping[str, Any], payload: Any) -> RuleOutcome:
    """Run one rule on one DCC payload; never raise, answer OPEN when it cannot decide."""
    if not engine_supported(rule.engine, rule.engine_version):
        return RuleOutcome(rule.identifier, RuleResult.OPEN,
                           f"engine {rule.engine} {rule.engine_version} is not supported")
    if not schema_compatible(rule.schema_version, payload):
        return RuleOutcome(rule.identifier, RuleResult.OPEN,
                           f"rule written for schema {rule.schema_version}, the certificate is "
                           f"{payload.get('ver')}")
    data = {"payload": payload, "external": _as_json(external_parameters)}
    try:
        value = rule.compiled.evaluate(data)
    except CertLogicError as error:
        return RuleOutcome(rule.identifier, RuleResult.OPEN, f"{error.code}: {error.message}")
    except Exception as error:  # a rule must never crash the check
        return RuleOutcome(rule.identifier, RuleResult.OPEN,
                           f"unexpected {type(error).__name__}: {error}")
    result = RuleResult.PASSED if is_truthy(value) else RuleResult.FAIL
    return RuleOutcome(rule.identifier, result, rule.description(), value)


def _version_key(rule: Rule) -> tuple[int, int, int]:
    return parse_version(rule.version) or (-1, -1, -1)


def rules_in_force(rules: Iterable[Rule], at: datetime) -> list[Rule]:
    """Return the rules valid at ``at``, only the highest Version of each Identifier."""
    latest: dict[str, Rule] = {}
    for rule in rules:
        if not rule.in_force(at):
            continue
        known = latest.get(rule.identifier)
        if known is None or _version_key(rule) > _version_key(known):
            latest[rule.identifier] = rule
    return sorted(latest.values(), key=lambda rule: rule.identifier)
