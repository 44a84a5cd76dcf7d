"""The upstream CertLogic test suites run verbatim, and the runner on crafted suites."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jointcheck.conformance.certlogic import run
from jointcheck.conformance.report import ConformanceReport

SUITE = "certlogic-testsuite"
conformance = pytest.mark.conformance


@pytest.fixture(scope="module")
def report(conformance_dir: Path) -> ConformanceReport:
    suite = conformance_dir / SUITE
    if not suite.is_dir():
        pytest.skip(f"no {SUITE} folder in {conformance_dir}")
    return run(suite)


def _failures(report: ConformanceReport, group: str, key: str) -> list[str]:
    return [f"{r.case}: expected {r.expected!r}, got {r.actual!r} {r.detail}"
            for r in report.results if r.group == group and r.key == key and not r.passed]


@conformance
@pytest.mark.conformance_files(f"{SUITE}/testSuite/*.json")
def test_evaluation_file(report: ConformanceReport, conformance_file: Path) -> None:
    results = [r for r in report.results if r.group == conformance_file.name]
    skipped = [n for n in report.notes if n.startswith(f"skipped: {conformance_file.name}:")]
    assert results or skipped, f"nothing ran from {conformance_file.name}"
    if not results:
        pytest.skip(f"all {len(skipped)} assertions of {conformance_file.name} carry upstream's"
                    " directive 'skip'")
    assert not _failures(report, conformance_file.name, "evaluation")


@conformance
@pytest.mark.conformance_files(f"{SUITE}/validation-testSuite/*.json")
def test_validation_file(report: ConformanceReport, conformance_file: Path) -> None:
    assert [r for r in report.results if r.group == conformance_file.name]
    assert not _failures(report, conformance_file.name, "validation")


@conformance
def test_skips_are_upstreams_and_explained(report: ConformanceReport) -> None:
    assert report.notes[0].split()[0].isdigit()
    skipped = [n for n in report.notes if n.startswith("skipped: ")]
    assert len(skipped) == int(report.notes[0].split()[0])
    assert report.failed == 0


def _write(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), "utf-8")


def test_directives_are_honoured_as_mocha_does(tmp_path: Path) -> None:
    case = {"name": "c", "certLogicExpression": {"var": "x"},
            "assertions": [{"data": {"x": 1}, "expected": 1},
                           {"data": {"x": 2}, "expected": 3, "directive": "skip"}]}
    _write(tmp_path / "testSuite" / "a.json",
           {"name": "a", "cases": [case, {**case, "name": "picked", "directive": "only"}]})
    _write(tmp_path / "testSuite" / "b.json", {"name": "b", "cases": [case]})
    _write(tmp_path / "validation-testSuite" / "v.json", {"name": "v", "cases": [
        {"certLogicExpression": {"var": 1}, "issues": [{"expr": {"var": 1}, "message": "var"}]},
        {"certLogicExpression": {"var": "ok"}, "issues": []},
    ]})
    report = run(tmp_path)
    evaluated = [r.case for r in report.results if r.key == "evaluation"]
    assert evaluated == ["a.json: picked #1"]
    assert report.notes[0].startswith("5 evaluation assertions skipped")
    assert [r.passed for r in report.results if r.key == "validation"] == [True, True]


def test_a_wrong_answer_is_a_failure_with_the_actual_value(tmp_path: Path) -> None:
    _write(tmp_path / "testSuite" / "a.json", {"name": "a", "cases": [
        {"name": "wrong", "certLogicExpression": {"===": [1, 1]},
         "assertions": [{"data": {}, "expected": 1}, {"data": {}, "expected": True}]},
        {"name": "raises", "certLogicExpression": {"+": [{"var": "x"}, 1]},
         "assertions": [{"data": {"x": "1"}, "expected": 2}]},
    ]})
    report = run(tmp_path)
    assert [(r.passed, r.actual) for r in report.results] == [
        (False, True), (True, True), (False, "error certlogic-evaluation")]
