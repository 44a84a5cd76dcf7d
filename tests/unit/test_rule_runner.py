"""Rule runner: PASSED, FAIL and OPEN, and which rules are in force when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from jointcheck.errors import CertLogicError
from jointcheck.rules.runner import (
    Rule,
    RuleResult,
    engine_supported,
    parse_version,
    rules_in_force,
    run_rule,
)

AT = datetime(2021, 8, 1, 12, 0, tzinfo=UTC)

FULLY_VACCINATED = {"if": [
    {"var": "payload.v.0"},
    {">=": [{"var": "payload.v.0.dn"}, {"var": "payload.v.0.sd"}]},
    True,
]}


def rule_json(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Identifier": "VR-XX-0001",
        "Type": "Acceptance",
        "Country": "XX",
        "Version": "1.0.0",
        "SchemaVersion": "1.0.0",
        "Engine": "CERTLOGIC",
        "EngineVersion": "0.7.5",
        "CertificateType": "Vaccination",
        "Description": [{"lang": "de", "desc": "Vollständig"}, {"lang": "en", "desc": "Complete"}],
        "ValidFrom": "2021-07-01T00:00:00Z",
        "ValidTo": "2030-06-01T00:00:00Z",
        "AffectedFields": ["v.0", "v.0.dn", "v.0.sd"],
        "Logic": FULLY_VACCINATED,
    }
    base.update(overrides)
    return base


def dose(dn: int, sd: int) -> dict[str, Any]:
    return {"v": [{"dn": dn, "sd": sd}]}


def test_rule_is_read_from_the_eu_format() -> None:
    rule = Rule.from_json(rule_json())
    assert rule.identifier == "VR-XX-0001"
    assert rule.valid_from == datetime(2021, 7, 1, tzinfo=UTC)
    assert rule.affected_fields == ("v.0", "v.0.dn", "v.0.sd")
    assert rule.description() == "Complete"
    assert rule.description("de") == "Vollständig"
    assert rule.description("fr") == "Complete"


def test_a_rule_without_a_required_field_is_refused() -> None:
    data = rule_json()
    del data["Logic"]
    with pytest.raises(CertLogicError) as caught:
        Rule.from_json(data)
    assert caught.value.code == "rule-invalid"
    with pytest.raises(CertLogicError, match="ValidTo"):
        Rule.from_json(rule_json(ValidTo="soon"))


def test_passed_and_fail() -> None:
    rule = Rule.from_json(rule_json())
    passed = run_rule(rule, {"validationClock": AT}, dose(2, 2))
    assert passed.result is RuleResult.PASSED
    assert passed.rule_id == "VR-XX-0001"
    assert passed.message == "Complete"
    assert run_rule(rule, {}, dose(1, 2)).result is RuleResult.FAIL


def test_truthiness_decides_not_python_truth() -> None:
    for logic, expected in [
        ("non-empty", RuleResult.PASSED), (1, RuleResult.PASSED), ([0], RuleResult.PASSED),
        ({"var": "external.empty"}, RuleResult.FAIL), (0, RuleResult.FAIL), ("", RuleResult.FAIL),
        ({"plusTime": ["2021-01-01", 0, "day"]}, RuleResult.FAIL),
    ]:
        rule = Rule.from_json(rule_json(Logic=logic))
        assert run_rule(rule, {"empty": {}}, {}).result is expected, logic


@pytest.mark.parametrize(("engine", "version"), [
    ("CERTLOGIC", "2.0.0"), ("CERTLOGIC", "0.6.9"), ("CERTLOGIC", "one"),
    ("JSONLOGIC", "1.0.0"), ("certlogic", "1.0.0"),
])
def test_unsupported_engine_or_version_is_open(engine: str, version: str) -> None:
    rule = Rule.from_json(rule_json(Engine=engine, EngineVersion=version))
    outcome = run_rule(rule, {}, dose(2, 2))
    assert outcome.result is RuleResult.OPEN
    assert "not supported" in outcome.message


@pytest.mark.parametrize("version", ["0.7.0", "0.7.5", "1.0.0", "1.3.3", "1.99.0"])
def test_supported_engine_versions(version: str) -> None:
    assert engine_supported("CERTLOGIC", version)


def test_an_exception_inside_a_rule_is_open_never_a_pass() -> None:
    rule = Rule.from_json(rule_json(Logic={"not-before": [
        {"plusTime": [{"var": "external.validationClock"}, 0, "day"]},
        {"plusTime": [{"var": "payload.v.0.dt"}, 14, "day"]},
    ]}))
    outcome = run_rule(rule, {"validationClock": "2021-08-01T00:00:00Z"}, {"v": [{"dt": 5}]})
    assert outcome.result is RuleResult.OPEN
    assert outcome.message.startswith("certlogic-evaluation")
    assert run_rule(rule, {"validationClock": AT}, {"v": [{"dt": "2021-07-01"}]}).result \
        is RuleResult.PASSED


def test_invalid_logic_is_open() -> None:
    outcome = run_rule(Rule.from_json(rule_json(Logic={"all": [1]})), {}, {})
    assert outcome.result is RuleResult.OPEN
    assert outcome.message.startswith("certlogic-invalid")


def test_data_seen_by_the_logic_is_payload_and_external() -> None:
    rule = Rule.from_json(rule_json(Logic={"in": [{"var": "payload.co"},
                                                   {"var": "external.valueSets.countries"}]}))
    external = {"valueSets": {"countries": ["AT", "DE"]}}
    assert run_rule(rule, external, {"co": "AT"}).result is RuleResult.PASSED
    assert run_rule(rule, external, {"co": "FR"}).result is RuleResult.FAIL


def test_a_datetime_validation_clock_is_passed_as_iso_text() -> None:
    rule = Rule.from_json(rule_json(Logic={"before": [
        {"plusTime": [{"var": "external.validationClock"}, 0, "day"]},
        {"plusTime": ["2021-08-01T12:00:01Z", 0, "day"]},
    ]}))
    assert run_rule(rule, {"validationClock": AT}, {}).result is RuleResult.PASSED
    later = AT.astimezone(timezone(timedelta(hours=5))) + timedelta(seconds=2)
    assert run_rule(rule, {"validationClock": later}, {}).result is RuleResult.FAIL


def test_rules_in_force_honour_validity_and_keep_the_latest_version() -> None:
    old = Rule.from_json(rule_json(Version="1.0.0"))
    new = Rule.from_json(rule_json(Version="1.10.0", ValidFrom="2021-08-01T12:00:00Z"))
    ended = Rule.from_json(rule_json(Identifier="VR-XX-0002", ValidTo="2021-08-01T12:00:00Z"))
    future = Rule.from_json(rule_json(Identifier="VR-XX-0003", ValidFrom="2021-09-01T00:00:00Z"))
    rules = [old, new, ended, future]
    assert rules_in_force(rules, AT) == [new]
    assert rules_in_force(rules, AT - timedelta(seconds=1)) == [old, ended]
    assert rules_in_force(rules, datetime(2021, 9, 1, tzinfo=UTC)) == [new, future]
    assert rules_in_force(rules, datetime(2030, 6, 1, tzinfo=UTC)) == []
    with pytest.raises(ValueError, match="timezone-aware"):
        rules_in_force(rules, datetime(2021, 8, 1))  # noqa: DTZ001


def test_parse_version() -> None:
    assert parse_version("1.2.3") == (1, 2, 3)
    assert parse_version("1.2") is None
    assert parse_version("v1.2.3") is None


@pytest.mark.parametrize(("rule_schema", "ver", "result"), [
    ("1.0.0", "1.3.0", RuleResult.PASSED),
    ("1.3.0", "1.0.0", RuleResult.PASSED),
    ("2.0.0", "1.3.0", RuleResult.OPEN),
    ("1.0.0", "2.0.0", RuleResult.OPEN),
    ("1.0.0", None, RuleResult.PASSED),
])
def test_a_rule_for_another_schema_major_is_open(rule_schema: str, ver: str | None,
                                                 result: RuleResult) -> None:
    rule = Rule.from_json(rule_json(SchemaVersion=rule_schema))
    payload = dose(2, 2) | ({"ver": ver} if ver else {})
    outcome = run_rule(rule, {}, payload)
    assert outcome.result is result
    if result is RuleResult.OPEN:
        assert "schema" in outcome.message
