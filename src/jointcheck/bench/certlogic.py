"""Benchmark our compiled CertLogic engine against panzi-json-logic's CertLogic dialect.

Both engines evaluate the same business rules on the same upstream test payloads in one run.
Only cases where both give the same verdict are timed, so neither is rewarded for taking a
shortcut to a wrong answer; the disagreements are counted and reported. ``ratio`` is ours over
theirs with the logic compiled once per rule, which is how the runner uses it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from json_logic import certLogic
from json_logic.cert_logic.builtins import to_bool

from jointcheck.conformance.certlogic import load_rule_tests
from jointcheck.rules.certlogic import CompiledExpression, compile_expression, is_truthy

_Case = tuple[Any, CompiledExpression, dict[str, Any]]


def _verdict(evaluate: Callable[[], Any], truthy: Callable[[Any], bool]) -> str:
    try:
        return "pass" if truthy(evaluate()) else "fail"
    except Exception as error:  # an engine that raises has answered "error"
        return f"error {type(error).__name__}"


def _cases(rules_dir: Path) -> list[_Case]:
    cases: list[_Case] = []
    for test in load_rule_tests(rules_dir):
        if test.rule is None or test.test is None or test.problem:
            continue
        data = {"payload": test.test.get("payload"), "external": test.test.get("external") or {}}
        cases.append((test.rule.logic, test.rule.compiled, data))
    return cases


def _rate(work: Callable[[], None], count: int, rounds: int, seconds: float | None) -> float:
    """Return evaluations per second of ``work`` (one pass = ``count`` evaluations)."""
    done = 0
    started = time.perf_counter()
    while True:
        work()
        done += 1
        elapsed = time.perf_counter() - started
        if (seconds is None and done >= rounds) or (seconds is not None and elapsed >= seconds):
            return done * count / elapsed if elapsed > 0 else float("inf")


def run(rules_dir: Path, rounds: int = 20, seconds: float | None = None) -> dict[str, Any]:
    """Time both engines on the rules' test cases; ``seconds`` per engine overrides ``rounds``."""
    cases = _cases(rules_dir)
    agreed: list[_Case] = []
    disagreements: list[str] = []
    both_errors = 0
    for logic, compiled, data in cases:
        ours = _verdict(partial(compiled.evaluate, data), is_truthy)
        theirs = _verdict(partial(certLogic, logic, data), to_bool)
        if ours != theirs:
            disagreements.append(f"ours {ours}, panzi {theirs}")
        elif ours.startswith("error"):
            both_errors += 1  # the same answer, but timing a raise says little about speed
        else:
            agreed.append((logic, compiled, data))

    def run_ours() -> None:
        for _logic, compiled, data in agreed:
            compiled.evaluate(data)

    def run_ours_compiling() -> None:
        for logic, _compiled, data in agreed:
            compile_expression(logic).evaluate(data)

    def run_panzi() -> None:
        for logic, _compiled, data in agreed:
            certLogic(logic, data)

    ours_per_s = _rate(run_ours, len(agreed), rounds, seconds)
    panzi_per_s = _rate(run_panzi, len(agreed), rounds, seconds)
    compiling_per_s = _rate(run_ours_compiling, len(agreed), rounds, seconds)
    return {
        "cases": len(cases),
        "timed_cases": len(agreed),
        "both_errors": both_errors,
        "disagreements": len(disagreements),
        "disagreement_kinds": sorted(set(disagreements)),
        "ours_per_s": round(ours_per_s, 1),
        "ours_compile_each_time_per_s": round(compiling_per_s, 1),
        "panzi_per_s": round(panzi_per_s, 1),
        "ratio": round(ours_per_s / panzi_per_s, 2) if panzi_per_s else None,
    }
