"""``jointcheck checkpoint``: what it refuses before it starts, without showing the token."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jointcheck.cli.main import app
from jointcheck.node.state import NodeState
from jointcheck.node.store import NodeStore

TOKEN = "jct_0123456789abcdef_" + "A" * 43


def run(*args: str, token: str | None = TOKEN) -> tuple[int, str]:
    env = {} if token is None else {"JOINTCHECK_CHECKPOINT_TOKEN": token}
    result = CliRunner().invoke(app, ["checkpoint", *args], env=env)
    return result.exit_code, result.output + (result.stderr or "")


@pytest.mark.parametrize(("args", "message"), [
    (["--server", "ftp://example.org", "--venue", "v-1"], "is not an http(s) URL"),
    (["--server", "http://127.0.0.1:1", "--venue", "v 1"], "is not a venue code"),
    (["--server", "http://127.0.0.1:1", "--venue", "v-1", "--sync-seconds", "0"],
     "sync-seconds"),
])
def test_bad_options_are_usage_errors(args: list[str], message: str) -> None:
    code, output = run(*args)
    assert code == 2 and message in output


def test_a_malformed_token_is_refused_without_being_shown() -> None:
    secret = "jct_not-a-real-token-secret-value"
    code, output = run("--server", "http://127.0.0.1:1", "--venue", "v-1", token=secret)
    assert code == 2 and "the token is malformed" in output
    assert secret not in output


def test_the_token_is_required() -> None:
    code, output = run("--server", "http://127.0.0.1:1", "--venue", "v-1", token=None)
    assert code == 2 and "--token" in output


def test_a_data_folder_pinned_to_another_anchor_is_refused(tmp_path: Path) -> None:
    folder = str(tmp_path / "node")
    base = ["--server", "http://127.0.0.1:1", "--venue", "v-1", "--data-dir", folder,
            "--port", "1"]
    store = NodeStore(Path(folder))
    try:
        NodeState(store, venue_id="v-1", max_age=timedelta(hours=1),
                  anchor_fingerprint="ab" * 32)
    finally:
        store.close()
    code, output = run(*base, "--anchor-fingerprint", "cd" * 32)
    assert code == 2 and "anchor-mismatch" in output
    code, output = run(*base, "--anchor-fingerprint", "xyz")
    assert code == 2 and "anchor-fingerprint-invalid" in output
