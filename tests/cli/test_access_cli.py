"""``jointcheck users``, ``tokens``, ``audit`` and ``serve`` on a real database."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from jointcheck.cli.database import cli_actor
from jointcheck.cli.main import app

AUDIT_KEY = base64.b64encode(b"a" * 32).decode()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"JOINTCHECK_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
            "JOINTCHECK_KEY_DIR": str(tmp_path / "keys"), "JOINTCHECK_AUDIT_KEY": AUDIT_KEY,
            "JOINTCHECK_ENVIRONMENT": "development"}


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env, input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def ready(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    assert run(env, "db", "upgrade")[0] == 0
    areas = tmp_path / "areas.csv"
    areas.write_text("code,name\nfz,Fangzi\nfz.s01,Street One\n", encoding="utf-8")
    assert run(env, "import", "areas", str(areas))[0] == 0
    return env


def test_users_tokens_and_the_audit_trail(ready: dict[str, str], tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("Correct-horse-9\n", encoding="utf-8")
    code, out, err = run(ready, "users", "add", "CDC", "--role", "health-authority",
                         "--scope", "fz", "--name", "District CDC", "--password-file", str(secret))
    assert (code, out.strip()) == (0, "user cdc created: health-authority of fz"), err
    code, out, _ = run(ready, "users", "add", "gate", "--role", "street-officer",
                       "--scope", "fz.s01", "--no-password")
    assert code == 0
    code, out, err = run(ready, "users", "add", "officer", "--role", "street-officer",
                         "--scope", "fz.s01", stdin="Correct-horse-9\nCorrect-horse-9\n")
    assert code == 0, err
    code, out, err = run(ready, "tokens", "issue", "gate", "--label", "gate 1",
                         "--expires-days", "30")
    assert code == 0 and out.startswith("jct_") and len(out.strip().split("_", 2)[2]) == 43
    token_id = out.split("_")[1]
    assert f"token {token_id} for gate" in err and "shown" in err
    code, out, _ = run(ready, "tokens", "issue", "gate", "--json")
    assert set(json.loads(out)) == {"token_id", "token", "kind", "username", "expires_at",
                                    "permissions"}
    code, out, _ = run(ready, "tokens", "revoke", token_id)
    assert (code, out.strip()) == (0, f"token {token_id} revoked")
    code, out, _ = run(ready, "tokens", "revoke", token_id)
    assert (code, out.strip()) == (0, f"token {token_id} was revoked already")
    code, out, _ = run(ready, "audit", "verify", "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["count"] == 7
    code, out, _ = run(ready, "audit", "anchor")
    assert code == 0 and out.startswith(f"anchored 7 entries, head {report['head']}")
    code, out, _ = run(ready, "audit", "verify")
    assert (code, out.strip()) == (0, "the audit chain of 7 entries is intact")
    assert cli_actor().startswith("cli:")


def test_refusals_are_usage_errors(ready: dict[str, str], tmp_path: Path) -> None:
    cases = [
        ("users", "add", "x1", "--role", "mayor", "--scope", "fz", "--no-password"),
        ("users", "add", "x2", "--role", "street-officer", "--scope", "fz.s09", "--no-password"),
        ("tokens", "issue", "nobody"),
        ("tokens", "revoke", "0123456789abcdef"),
    ]
    for args in cases:
        code, _, err = run(ready, *args)
        assert code == 2, args
        assert "error:" in err
    weak = tmp_path / "weak"
    weak.write_text("short\n", encoding="utf-8")
    code, _, err = run(ready, "users", "add", "x3", "--role", "health-authority", "--scope",
                       "fz", "--password-file", str(weak))
    assert code == 2 and "password-too-short" in err
    code, out, _ = run(ready, "audit", "verify")
    assert (code, out.strip()) == (0, "the audit chain of 0 entries is intact")


def test_commands_refuse_a_database_not_upgraded(env: dict[str, str]) -> None:
    code, _, err = run(env, "audit", "verify")
    assert code == 2 and "jointcheck db upgrade" in err


def test_serve_refuses_placeholders_and_missing_keys(ready: dict[str, str]) -> None:
    production = ready | {"JOINTCHECK_ENVIRONMENT": "production"}
    code, _, err = run(production, "serve")
    assert code == 2 and "JOINTCHECK_SECRET_KEY must be set outside development" in err
    keyed = production | {"JOINTCHECK_SECRET_KEY": "x" * 40,
                          "JOINTCHECK_PSEUDONYM_KEY": AUDIT_KEY,
                          "JOINTCHECK_FIELD_KEYS": AUDIT_KEY}
    code, _, err = run(keyed | {"JOINTCHECK_AUDIT_KEY": "change-me"}, "serve")
    assert code == 2 and "JOINTCHECK_AUDIT_KEY" in err
    without_audit_key = {k: v for k, v in keyed.items() if k != "JOINTCHECK_AUDIT_KEY"}
    code, _, err = run(without_audit_key, "serve")
    assert code == 2 and "audit.key must come from the settings" in err


def test_serve_refuses_a_database_not_upgraded(env: dict[str, str], tmp_path: Path) -> None:
    code, _, err = run(env, "serve", "--db", f"sqlite:///{tmp_path / 'empty.db'}")
    assert code == 2 and "jointcheck db upgrade" in err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_serve_answers_over_http(ready: dict[str, str]) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "jointcheck.cli.main", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=os.environ | ready, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert health.json()["status"] == "ok"
        refused = httpx.get(f"http://127.0.0.1:{port}/api/me", timeout=2)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "token-missing"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_demo_sets_up_a_district_once_and_reuses_it(tmp_path: Path) -> None:
    database = tmp_path / "demo" / "jointcheck.db"
    arguments = ["demo", "--db", str(database), "--residents", "500", "--no-serve"]
    first = CliRunner().invoke(app, arguments)
    assert first.exit_code == 0, first.stderr
    assert "500 residents" in first.stdout and "authority" in first.stdout
    again = CliRunner().invoke(app, arguments)
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    other = CliRunner().invoke(app, [*arguments[:4], "600", "--no-serve"])
    assert other.exit_code == 2 and "demo-other-district" in other.stderr
    marker = json.loads((database.parent / "demo.json").read_text("utf-8"))
    assert (marker["seed"], marker["residents"]) == (2021, 500)
    assert (database.parent / "keystore" / "trustlist.json").exists()
    assert oct((database.parent / "keystore.pass").stat().st_mode & 0o777) == "0o600"
    # Printed sample codes, each decided at the demo operator's venue (a nursing home).
    listing = (database.parent / "codes" / "codes.txt").read_text("utf-8")
    for outcome, who in (("admit", "complete primary series"), ("restrict", "no dose"),
                         ("admit", "child under 12"), ("register", "contraindication"),
                         ("deny", "tampered")):
        assert f"{outcome:<9} a" in again.stdout
        assert any(who in line and f": {outcome} (" in line for line in listing.splitlines())
    assert len(list((database.parent / "codes").glob("*.png"))) == 7
    assert "/check" in again.stdout
