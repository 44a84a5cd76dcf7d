"""The EU business-rules test data run verbatim through the rule runner; the runner itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jointcheck.conformance.certlogic import run_business_rules
from jointcheck.conformance.report import ConformanceReport

RULES = "dcc-business-rules"
conformance = pytest.mark.conformance


@pytest.fixture(scope="module")
def report(conformance_dir: Path) -> ConformanceReport:
    rules = conformance_dir / RULES
    if not rules.is_dir():
        pytest.skip(f"no {RULES} folder in {conformance_dir}")
    return run_business_rules(rules)


@conformance
def test_at_least_99_percent_of_rule_tests_pass(report: ConformanceReport) -> None:
    evaluations = [r for r in report.results if r.key == "evaluation"]
    passed = sum(r.passed for r in evaluations)
    assert evaluations
    failures = "\n".join(f"{r.case}: {r.detail}" for r in evaluations if not r.passed)
    assert passed >= 0.99 * len(evaluations), failures


@conformance
def test_every_rule_logic_is_valid_certlogic(report: ConformanceReport) -> None:
    invalid = [r.case for r in report.results if r.key == "validation" and not r.passed]
    assert not invalid


@conformance
def test_every_failure_has_a_note(report: ConformanceReport) -> None:
    for result in report.results:
        if not result.passed and result.key == "evaluation":
            assert any(result.case in note for note in report.notes), result.case


def _rule(identifier: str, logic: Any, engine_version: str = "1.0.0") -> dict[str, Any]:
    return {"Identifier": identifier, "Type": "Acceptance", "Country": "XX", "Version": "1.0.0",
            "SchemaVersion": "1.0.0", "Engine": "CERTLOGIC", "EngineVersion": engine_version,
            "CertificateType": "General", "Description": [{"lang": "en", "desc": identifier}],
            "ValidFrom": "2021-06-01T00:00:00Z", "ValidTo": "2022-06-01T00:00:00Z",
            "AffectedFields": [], "Logic": logic}


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), "utf-8")


def test_failures_are_explained(tmp_path: Path) -> None:
    is_vaccine = {"===": [{"var": "payload.v.0.tg"}, "840539006"]}
    _write(tmp_path / "XX" / "GR-XX-0001" / "rule.json", _rule("GR-XX-0001", is_vaccine))
    tests = tmp_path / "XX" / "GR-XX-0001" / "tests"
    payload = {"v": [{"tg": "840539006"}]}
    _write(tests / "test001.json", {"name": "ok", "payload": payload, "expected": True,
                                    "external": {"validationClock": "2021-07-01T00:00:00Z"}})
    _write(tests / "test002.json", {"name": "wrong", "payload": payload, "expected": False,
                                    "external": {}})
    _write(tests / "test003.json", {"name": "late", "payload": payload, "expected": True,
                                    "external": {"validationClock": "2023-01-01T00:00:00Z"}})
    _write(tests / "notes.json", {"not": "a test"})
    (tests / "test004.json").write_text("{", "utf-8")
    _write(tmp_path / "XX" / "GR-XX-0002" / "rule.json", _rule("GR-XX-0002", True, "3.0.0"))
    _write(tmp_path / "XX" / "GR-XX-0002" / "tests" / "test001.json",
           {"payload": {}, "expected": True, "external": {}})
    _write(tmp_path / "XX" / "NOT-A-RULE" / "NOT-A-RULE.json", _rule("NOT-A-RULE", True))
    report = run_business_rules(tmp_path)
    outcomes = {r.case.split(":")[0]: (r.passed, r.detail)
                for r in report.results if r.key == "evaluation"}
    assert outcomes["XX/GR-XX-0001/test001.json"] == (True, "")
    assert "logic evaluated to True, expected False" in outcomes["XX/GR-XX-0001/test002.json"][1]
    assert "outside the rule's validity" in outcomes["XX/GR-XX-0001/test003.json"][1]
    assert "not readable JSON" in outcomes["XX/GR-XX-0001/test004.json"][1]
    unsupported = outcomes["XX/GR-XX-0002/test001.json"][1]
    assert "OPEN: engine CERTLOGIC 3.0.0 is not supported" in unsupported
    assert len(outcomes) == 5
    assert "XX/NOT-A-RULE" in report.notes[0]
    assert sum(note.startswith("failed: ") for note in report.notes) == 4
