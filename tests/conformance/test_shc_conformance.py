"""SMART Health Cards examples, dev-tools cases and WHO samples, run verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest

from jointcheck.conformance.report import CaseResult, ConformanceReport
from jointcheck.conformance.shc import run
from jointcheck.conformance.shc_sources import find_files
from jointcheck.credentials.shc import SHC_CODEC

pytestmark = pytest.mark.conformance

FOLDERS = ("shc-examples", "shc-devtools-testdata", "who-ddcc")


@pytest.fixture(scope="module")
def report(conformance_dir: Path) -> ConformanceReport:
    if not any((conformance_dir / name).is_dir() for name in FOLDERS):
        pytest.skip(f"none of {FOLDERS} in {conformance_dir}")
    return run(conformance_dir)


def _rows(report: ConformanceReport, group: str) -> list[CaseResult]:
    rows = [r for r in report.results if r.group == group]
    if not rows:
        pytest.skip(f"no {group} data")
    return rows


def _shown(rows: list[CaseResult]) -> list[str]:
    return [f"{r.case} [{r.key}]: expected {r.expected}, got {r.actual} ({r.detail})"
            for r in rows if not r.passed]


def test_every_spec_example_is_accepted(report: ConformanceReport) -> None:
    assert not _shown(_rows(report, "shc-examples"))


def test_no_must_reject_case_is_accepted(report: ConformanceReport) -> None:
    rows = _rows(report, "shc-devtools")
    assert any(r.critical for r in rows), "expected-outcomes.json has no must-reject case"
    assert not _shown([r for r in rows if r.critical])


def test_every_gated_devtools_case_agrees(report: ConformanceReport) -> None:
    assert not _shown(_rows(report, "shc-devtools"))


def test_who_smart_health_cards_decode(report: ConformanceReport, conformance_dir: Path) -> None:
    rows = {r.case: r for r in _rows(report, "who-ddcc")}
    samples = find_files(conformance_dir / "who-ddcc", "*Contents.txt")
    assert {p.name for p in samples} == set(rows)
    # The HC1 samples are the HC1 codec's business; the SHC ones are this codec's.
    ours = [p.name for p in samples if SHC_CODEC.applies(p.read_text(encoding="utf-8").strip())]
    assert ours and not _shown([rows[name] for name in ours])
