"""Run the CertLogic test suites and the EU business-rules test data verbatim.

``run`` takes a folder laid out like upstream's ``certlogic/specification`` (``testSuite/`` and
``validation-testSuite/``) and honours its ``directive`` fields as upstream's Mocha runner does:
``skip`` on a file, case or assertion skips it; ``only`` on a file or case runs only those.
``run_business_rules`` takes a folder laid out like ``dgc-business-rules-testdata``: one folder
per rule set, one folder per rule with ``rule.json`` and ``tests/testNNN.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jointcheck.conformance.report import CaseResult, ConformanceReport
from jointcheck.errors import CertLogicError
from jointcheck.rules.certlogic import compile_expression
from jointcheck.rules.certlogic_dates import parse_date_time
from jointcheck.rules.certlogic_validate import validate_expression
from jointcheck.rules.runner import Rule, RuleResult, run_rule

_TEST_FILE = re.compile(r"test\d+\.json")
# Folders of upstream's repository that are not rule sets (its tooling skips them too).
_NOT_RULE_SETS = frozenset(["html", "out", "tests", "tooling", "valuesets"])


def json_equal(left: Any, right: Any) -> bool:
    """Compare JSON values deeply, telling booleans from numbers as chai's deepEqual does."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    return type(left) is type(right) and bool(left == right)


def _shown(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _evaluation_result(name: str, group: str, expr: Any, assertion: dict[str, Any]) -> CaseResult:
    expected = assertion["expected"]
    try:
        actual = compile_expression(expr).evaluate(assertion.get("data"))
    except CertLogicError as error:
        return CaseResult(name, group, "evaluation", expected, f"error {error.code}", False,
                          detail=error.message)
    return CaseResult(name, group, "evaluation", expected, _shown(actual),
                      json_equal(actual, expected))


def _selected(suites: list[tuple[str, dict[str, Any]]]) -> set[tuple[str, int]] | None:
    """Return the (file, case) pairs that ``only`` selects, or None when nothing says ``only``."""
    chosen = {
        (file, index)
        for file, suite in suites
        for index, case in enumerate(suite.get("cases", []))
        if suite.get("directive") == "only" or case.get("directive") == "only"
    }
    return chosen or None


def _run_evaluation(directory: Path, report: ConformanceReport) -> None:
    suites = [(path.name, json.loads(path.read_text("utf-8")))
              for path in sorted(directory.glob("*.json"))]
    only = _selected(suites)
    skipped: list[str] = []
    for file, suite in suites:
        for index, case in enumerate(suite.get("cases", [])):
            label = f"{file}: {case.get('name', f'case {index + 1}')}"
            reason = ("file" if suite.get("directive") == "skip" else
                      "case" if case.get("directive") == "skip" else
                      "not selected by 'only'" if only and (file, index) not in only else "")
            for number, assertion in enumerate(case.get("assertions", []), start=1):
                name = f"{label} #{number}" + (f" ({assertion['message']})"
                                                if assertion.get("message") else "")
                if reason or assertion.get("directive") == "skip":
                    skipped.append(f"{name} [skip on {reason or 'assertion'}]")
                    continue
                expr = assertion.get("certLogicExpression", case.get("certLogicExpression"))
                report.add(_evaluation_result(name, file, expr, assertion))
    report.notes.append(f"{len(skipped)} evaluation assertions skipped because upstream's test "
                        "data marks them with directive 'skip' (or 'only' elsewhere)")
    report.notes.extend(f"skipped: {line}" for line in skipped)


def _run_validation(directory: Path, report: ConformanceReport) -> None:
    for path in sorted(directory.glob("*.json")):
        suite = json.loads(path.read_text("utf-8"))
        for number, case in enumerate(suite.get("cases", []), start=1):
            expr = case.get("certLogicExpression")
            name = f"{path.name}: {case.get('name') or json.dumps(expr)[:60]} #{number}"
            if case.get("directive") == "skip" or suite.get("directive") == "skip":
                report.notes.append(f"skipped: {name} [directive 'skip']")
                continue
            expected = [issue["message"] for issue in case.get("issues", [])]
            problems = validate_expression(expr)
            agrees = bool(problems) == bool(expected) and all(
                any(message in problem for problem in problems) for message in expected
            )
            report.add(CaseResult(name, path.name, "validation", expected, problems, agrees))


def run(directory: Path) -> ConformanceReport:
    """Run a CertLogic specification folder (testSuite/ and validation-testSuite/) verbatim."""
    report = ConformanceReport(suite="certlogic")
    _run_evaluation(directory / "testSuite", report)
    _run_validation(directory / "validation-testSuite", report)
    return report


@dataclass(frozen=True)
class RuleTest:
    """One upstream test of one business rule: a payload, external parameters, the verdict."""

    rule_set: str
    rule_dir: str
    file: str
    rule: Rule | None
    test: dict[str, Any] | None
    problem: str = ""

    @property
    def name(self) -> str:
        """Return a readable id: rule set, rule, test file and the test's own name."""
        own = (self.test or {}).get("name") or "<no name>"
        return f"{self.rule_set}/{self.rule_dir}/{self.file}: {own}"


def _read_json(path: Path) -> tuple[Any, str]:
    try:
        return json.loads(path.read_text("utf-8")), ""
    except (OSError, ValueError) as error:
        return None, f"{path.name} is not readable JSON: {error}"


def _rule_sets(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and p.name not in _NOT_RULE_SETS)


def _rule_dirs(directory: Path) -> Iterator[tuple[str, Path]]:
    for rule_set in _rule_sets(directory):
        for rule_dir in sorted(p for p in rule_set.iterdir() if (p / "rule.json").is_file()):
            yield rule_set.name, rule_dir


def _not_rules(directory: Path) -> list[str]:
    return [f"{rule_set.name}/{p.name}" for rule_set in _rule_sets(directory)
            for p in sorted(rule_set.iterdir()) if p.is_dir() and not (p / "rule.json").is_file()]


def load_rule_tests(directory: Path) -> list[RuleTest]:
    """Read every rule and its tests from a folder laid out like dgc-business-rules-testdata."""
    tests: list[RuleTest] = []
    for rule_set, rule_dir in _rule_dirs(directory):
        data, problem = _read_json(rule_dir / "rule.json")
        rule: Rule | None = None
        if not problem:
            try:
                rule = Rule.from_json(data)
            except CertLogicError as error:
                problem = f"rule.json is not a valid rule: {error.message}"
        files = sorted(p for p in (rule_dir / "tests").glob("*.json")
                       if _TEST_FILE.fullmatch(p.name))
        for path in files:
            test, test_problem = _read_json(path)
            tests.append(RuleTest(rule_set, rule_dir.name, path.name, rule,
                                  test if isinstance(test, dict) else None,
                                  problem or test_problem or ("" if isinstance(test, dict)
                                                              else "test is not a JSON object")))
    return tests


def _clock_problem(rule: Rule, external: dict[str, Any]) -> str:
    clock = external.get("validationClock")
    if not clock:
        return ""
    try:
        instant = parse_date_time(str(clock))
    except CertLogicError as error:
        return f"validationClock is not a date-time: {error.message}"
    if rule.in_force(instant):
        return ""
    return (f"validationClock {clock} is outside the rule's validity "
            f"[{rule.valid_from.isoformat()}, {rule.valid_to.isoformat()})")


def _business_rule_result(case: RuleTest) -> CaseResult:
    group = f"{case.rule_set}/{case.rule_dir}"
    test = case.test or {}
    expected = test.get("expected")
    if case.problem or case.rule is None:
        return CaseResult(case.name, group, "evaluation", expected, None, False,
                          detail=case.problem)
    external = test.get("external") or {}
    problem = _clock_problem(case.rule, external)
    outcome = run_rule(case.rule, external, test.get("payload"))
    if outcome.result is RuleResult.OPEN:
        problem = problem or f"rule gave OPEN: {outcome.message}"
    elif not json_equal(outcome.value, expected):
        problem = problem or f"logic evaluated to {_shown(outcome.value)!r}, expected {expected!r}"
    actual = outcome.result.value if outcome.result is RuleResult.OPEN else _shown(outcome.value)
    return CaseResult(case.name, group, "evaluation", expected, actual, not problem, detail=problem)


def run_business_rules(directory: Path) -> ConformanceReport:
    """Run every business rule's upstream tests; note why each failure failed."""
    report = ConformanceReport(suite="dcc-business-rules")
    seen_rules: set[str] = set()
    for case in load_rule_tests(directory):
        group = f"{case.rule_set}/{case.rule_dir}"
        if case.rule is not None and group not in seen_rules:
            seen_rules.add(group)
            problems = validate_expression(case.rule.logic)
            report.add(CaseResult(f"{group}/rule.json: Logic", group, "validation", [], problems,
                                  not problems))
        result = _business_rule_result(case)
        report.add(result)
        if not result.passed:
            report.notes.append(f"failed: {result.case}: {result.detail}")
    passed_over = _not_rules(directory)
    report.notes.insert(0, f"{len(seen_rules)} rules with tests; {len(passed_over)} folders "
                           "without rule.json are not rules, as upstream's tooling treats them"
                           + (f": {', '.join(passed_over)}" if passed_over else ""))
    return report
