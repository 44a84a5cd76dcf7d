"""The EU DCC test data (dgc-testdata) run verbatim: no critical failure, no false accept.

The runner reports what it checked; these tests also count, from the data itself, which
security-critical expectations each case defines, so that a runner that silently stops
running a key (or a country) fails here instead of passing with fewer results.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from jointcheck.conformance.dcc_testdata import CRITICAL, run
from jointcheck.conformance.report import CaseResult, ConformanceReport

TESTDATA = "dcc-testdata"
conformance = pytest.mark.conformance

# What a case must carry for each critical expectation to be checkable (the data definition).
NEEDS: dict[str, tuple[str, ...]] = {
    "UNPREFIX": ("PREFIX", "BASE45"),
    "B45DECODE": ("BASE45", "COMPRESSED"),
    "COMPRESSION": ("COMPRESSED", "COSE"),
    "DECODE": (),  # COSE or PREFIX, checked below
    "VERIFY": ("COSE", "CERTIFICATE"),
    "KEYUSAGE": ("COSE", "CERTIFICATE"),
    "EXPIRATIONCHECK": ("COSE", "CERTIFICATE", "VALIDATIONCLOCK"),
}


def checkable(case: dict[str, Any], key: str) -> bool:
    context = case.get("TESTCTX") or {}
    present = {name for name in ("PREFIX", "BASE45", "COMPRESSED", "COSE") if name in case}
    present |= {name for name in ("CERTIFICATE", "VALIDATIONCLOCK") if context.get(name)}
    if key == "DECODE":
        return bool({"COSE", "PREFIX"} & present)
    return set(NEEDS[key]) <= present


def expected_runs(directory: Path) -> Counter[tuple[str, bool]]:
    """Count (key, expected value) of every checkable critical expectation under ``directory``."""
    counts: Counter[tuple[str, bool]] = Counter()
    for path in sorted(directory.glob("**/2DCode/raw/*.json")):
        case = json.loads(path.read_text("utf-8"))
        for name, want in (case.get("EXPECTEDRESULTS") or {}).items():
            key = name.removeprefix("EXPECTED")
            if key in CRITICAL and checkable(case, key):
                counts[(key, bool(want))] += 1
    return counts


def actual_runs(results: list[CaseResult]) -> Counter[tuple[str, bool]]:
    return Counter((r.key, bool(r.expected)) for r in results if r.key in CRITICAL)


def describe(failures: list[CaseResult]) -> str:
    return "\n".join(f"{r.case} {r.key}: expected {r.expected}, got {r.actual} {r.detail}"
                     for r in failures)


@pytest.fixture(scope="module")
def testdata(conformance_dir: Path) -> Path:
    directory = conformance_dir / TESTDATA
    if not directory.is_dir():
        pytest.skip(f"no {TESTDATA} folder in {conformance_dir}")
    return directory


@pytest.fixture(scope="module")
def report(testdata: Path) -> ConformanceReport:
    return run(testdata)


@conformance
def test_no_critical_failure(report: ConformanceReport) -> None:
    assert report.results
    assert report.critical_failures == [], describe(report.critical_failures)


@conformance
def test_no_false_accept_end_to_end(report: ConformanceReport) -> None:
    assert report.matrix is not None
    assert report.matrix["false_accept"] == 0, "\n".join(
        n for n in report.notes if "false accept" in n)
    # The end-to-end pass did run: it accepted good cases and refused bad ones.
    assert report.matrix["true_accept"] > 0
    assert report.matrix["true_reject"] > 0


@conformance
def test_every_critical_key_is_exercised_both_ways(report: ConformanceReport,
                                                   testdata: Path) -> None:
    expected = expected_runs(testdata)
    actual = actual_runs(report.results)
    for key in sorted(CRITICAL):
        wanted = {value for (k, value) in expected if k == key}
        assert wanted, f"the data has no checkable {key} expectation"
        ran = {value for (k, value) in actual if k == key}
        assert ran == wanted, f"{key}: data expects {sorted(wanted)}, runner ran {sorted(ran)}"
    both_ways = [key for key in CRITICAL
                 if {(key, True), (key, False)} <= expected.keys()]
    assert sorted(both_ways) == sorted(CRITICAL), "the data lost a true or false expectation"


@conformance
def test_runner_runs_every_checkable_critical_expectation(report: ConformanceReport,
                                                          testdata: Path) -> None:
    assert actual_runs(report.results) == expected_runs(testdata)


@conformance
@pytest.mark.conformance_files("dcc-testdata/*/2DCode", "dcc-testdata/*/*/2DCode")
def test_country_folder(report: ConformanceReport, testdata: Path,
                        conformance_file: Path) -> None:
    folder = conformance_file.relative_to(testdata).as_posix()
    results = [r for r in report.results if r.case.startswith(f"{folder}/")]
    expected = expected_runs(conformance_file.parent)
    assert actual_runs(results) == expected
    critical = [r for r in results if r.critical and not r.passed and not r.known_issue]
    assert critical == [], describe(critical)
    false_accepts = [n for n in report.notes if f"false accept: {folder}/" in n]
    assert false_accepts == []
