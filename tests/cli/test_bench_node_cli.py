"""``jointcheck bench node``: a tiny run end to end, its figures consistent with each other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jointcheck.cli.main import app


def test_bench_node_times_checks_through_a_synced_node(tmp_path: Path) -> None:
    env = {"JOINTCHECK_KEY_DIR": str(tmp_path / "keys"), "JOINTCHECK_ENVIRONMENT": "development"}
    result = CliRunner().invoke(app, ["bench", "node", "--checks", "20", "--json"], env=env)
    assert result.exit_code == 0, result.stderr or result.output
    figures = json.loads(result.stdout)
    assert figures["checks"] == 20 and figures["queued"] == 20 + 50  # with the warm-up
    assert 0 < figures["node_ms_p50"] <= figures["node_ms_p99"]
    assert 0 < figures["reference_ms_p50"] <= figures["reference_ms_p99"]
    assert figures["ratio_p50"] == pytest.approx(
        figures["node_ms_p50"] / figures["reference_ms_p50"], rel=0.05)
