"""The report every conformance runner returns: counts per group, failures, a closing line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CaseResult:
    """One expectation of one case: what upstream expects and what jointcheck did."""

    case: str
    group: str
    key: str
    expected: Any
    actual: Any
    passed: bool
    critical: bool = False
    known_issue: str = ""
    detail: str = ""


@dataclass
class ConformanceReport:
    """All results of one run, with notes that explain what is reported but not gated."""

    suite: str
    results: list[CaseResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    matrix: dict[str, int] | None = None

    def add(self, result: CaseResult) -> None:
        """Record one result."""
        self.results.append(result)

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.passed and not r.known_issue)

    @property
    def known(self) -> int:
        return sum(1 for r in self.results if not r.passed and r.known_issue)

    @property
    def critical_failures(self) -> list[CaseResult]:
        """Return the failed security-critical expectations that no known issue explains."""
        return [r for r in self.results if r.critical and not r.passed and not r.known_issue]

    def by(self, attribute: str) -> dict[str, tuple[int, int]]:
        """Return (passed, failed) per value of ``attribute`` (``group`` or ``key``)."""
        ok: Counter[str] = Counter()
        bad: Counter[str] = Counter()
        for r in self.results:
            name = getattr(r, attribute)
            if r.passed:
                ok[name] += 1
            elif not r.known_issue:
                bad[name] += 1
            else:
                ok[name] += 0
        return {name: (ok[name], bad[name]) for name in sorted(set(ok) | set(bad))}

    def summary_line(self) -> str:
        """Return the closing line ``N passed, M failed``."""
        return f"{self.passed} passed, {self.failed} failed"

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "suite": self.suite,
            "passed": self.passed,
            "failed": self.failed,
            "known_issues": self.known,
            "critical_failures": len(self.critical_failures),
            "by_key": {k: {"passed": p, "failed": f} for k, (p, f) in self.by("key").items()},
            "by_group": {k: {"passed": p, "failed": f} for k, (p, f) in self.by("group").items()},
            "matrix": self.matrix,
            "notes": self.notes,
            "failures": [
                {"case": r.case, "key": r.key, "expected": r.expected, "actual": r.actual,
                 "critical": r.critical, "known_issue": r.known_issue, "detail": r.detail}
                for r in self.results if not r.passed
            ],
        }
