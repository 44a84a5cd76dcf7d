"""``jointcheck bench issue-api``: it runs end to end and its figures agree with each other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jointcheck.cli.main import app


def test_bench_issue_api_reports_rates_and_ratio(tmp_path: Path) -> None:
    env = {"JOINTCHECK_KEY_DIR": str(tmp_path / "keys"), "JOINTCHECK_ENVIRONMENT": "development"}
    result = CliRunner().invoke(app, ["bench", "issue-api", "--db", "sqlite://", "--seconds", "1",
                                      "--residents", "10", "--clients", "2", "--json"], env=env)
    assert result.exit_code == 0, result.stderr or result.output
    document = json.loads(result.stdout)
    (figures,) = document["results"]
    assert (figures["database"], figures["residents"], figures["clients"]) == ("sqlite", 10, 2)
    assert figures["issued"] > 0 and figures["codes_per_s"] > 0
    assert figures["raw_signs_per_s"] > figures["codes_per_s"]
    assert figures["ratio"] == pytest.approx(figures["codes_per_s"] / figures["raw_signs_per_s"],
                                             rel=0.05, abs=0.0001)
    assert figures["concurrent_codes_per_s"] > 0
    assert figures["latency_ms_p50"] <= figures["latency_ms_p99"]


@pytest.mark.parametrize("command", ["issue-api", "ingest", "rollup"])
def test_a_database_option_that_is_not_a_url_is_a_usage_error(command: str) -> None:
    result = CliRunner().invoke(app, ["bench", command, "--db", "sqlite"])
    assert result.exit_code == 2
    assert "'sqlite' is not a database URL" in result.output
