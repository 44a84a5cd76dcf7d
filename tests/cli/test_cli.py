"""The command line's contract: names, options, JSON fields and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jointcheck.cli.main import app

PASSPHRASE = {"JOINTCHECK_KEY_PASSPHRASE": "a-test-passphrase"}
VERIFY_FIELDS = {"valid", "format", "type", "code", "stage", "message", "kid", "subject",
                 "payload"}


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env if env is not None else PASSPHRASE)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def keydir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("keys")
    code, _, err = run("keys", "init", "--dir", str(directory), "--at", "2026-11-01")
    assert code == 0, err
    return directory


def issue(keydir: Path, *args: str) -> str:
    code, out, err = run("issue", *args, "--keys", str(keydir), "--at", "2026-11-20T08:00:00Z")
    assert code == 0, err
    return out.strip()


def verify(keydir: Path, text: str, *args: str) -> tuple[int, dict[str, object]]:
    code, out, _ = run("verify", "--trust", str(keydir / "trustlist.json"), "--anchor",
                       str(keydir / "anchor.crt.pem"), "--json", *args, text)
    return code, json.loads(out)


def test_keys_init_writes_encrypted_keys_and_a_trust_list(keydir: Path) -> None:
    assert json.loads((keydir / "trustlist.json").read_text())["format"].startswith(
        "jointcheck-trustlist")
    for key_file in keydir.glob("*.key.pem"):
        assert b"ENCRYPTED PRIVATE KEY" in key_file.read_bytes()


def test_vaccination_verifies_with_the_json_contract(keydir: Path) -> None:
    text = issue(keydir, "vaccination", "--name", "张 伟", "--dob", "1985-03-14", "--dose", "2",
                 "--of", "2", "--date", "2021-08-10")
    code, result = verify(keydir, text, "--at", "2026-11-23")
    assert code == 0
    assert result.keys() >= VERIFY_FIELDS
    assert (result["valid"], result["format"], result["type"], result["code"]) == (
        True, "hc1", "vaccination", "valid")
    assert result["subject"] == {"name": "张伟", "birth_date": "1985-03-14",
                                 "family_name": "张", "given_name": "伟",
                                 "family_std": "ZHANG", "given_std": "WEI", "pid": None}
    assert result["payload"]["v"][0]["dn"] == 2  # type: ignore[index]


def test_tampered_certificate_exits_1_with_the_stage(keydir: Path) -> None:
    text = issue(keydir, "vaccination", "--name", "Li Na", "--dob", "1990-07-02", "--dose", "1",
                 "--of", "2", "--date", "2021-08-10")
    tampered = text[:-20] + ("0" if text[-20] != "0" else "1") + text[-19:]
    code, result = verify(keydir, tampered, "--at", "2026-11-23")
    assert code == 1
    assert result["valid"] is False
    assert result["stage"] in {"base45", "compression", "cose", "payload", "signature"}


def test_replayed_health_code_is_refused_as_expired(keydir: Path) -> None:
    text = issue(keydir, "health-code", "--name", "张 伟", "--dob", "1985-03-14", "--color",
                 "green", "--pid", "zw-pseudonym-000001", "--ttl", "300")
    assert verify(keydir, text, "--at", "2026-11-20T08:04:00Z")[0] == 0
    code, result = verify(keydir, text, "--at", "2026-11-20T08:06:00Z")
    assert (code, result["code"], result["stage"]) == (1, "expired", "validity")


def test_exemption_and_qr_image_round_trip(keydir: Path, tmp_path: Path) -> None:
    png = tmp_path / "exemption.png"
    issue(keydir, "exemption", "--name", "王 芳", "--dob", "1970-01-01", "--institution",
          "Fangzi People's Hospital", "--institution-level", "2", "--reason", "allergy",
          "--valid-until", "2027-06-30", "--png", str(png))
    code, result = verify(keydir, f"@{png}", "--at", "2026-12-01")
    assert (code, result["type"]) == (0, "exemption")
    assert result["payload"]["e"][0]["il"] == 2  # type: ignore[index]


def test_unknown_signer_is_key_unknown(keydir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    assert run("keys", "init", "--dir", str(other), "--at", "2026-11-01")[0] == 0
    text = issue(other, "vaccination", "--name", "Li Na", "--dob", "1990-07-02", "--dose", "1",
                 "--of", "1", "--date", "2021-08-10")
    code, result = verify(keydir, text, "--at", "2026-11-23")
    assert (code, result["code"]) == (1, "key-unknown")


def test_revocation_through_the_command_line(keydir: Path, tmp_path: Path) -> None:
    text = issue(keydir, "vaccination", "--name", "Zhao Lei", "--dob", "1960-02-02", "--dose",
                 "1", "--of", "1", "--date", "2021-08-10")
    cid = verify(keydir, text, "--at", "2026-11-23")[1]["certificate_id"]
    assert run("keys", "revoke", "--dir", str(keydir), str(cid), "--at", "2026-11-21")[0] == 0
    code, result = verify(keydir, text, "--at", "2026-11-23")
    assert (code, result["code"]) == (1, "revoked")


def test_usage_errors_exit_2(keydir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    assert run("verify", "--trust", str(bad), "HC1:ABC")[0] == 2
    assert run("verify", "--trust", str(tmp_path / "missing.pem"), "HC1:ABC")[0] == 2
    assert run("verify", "--at", "yesterday", "HC1:ABC")[0] == 2
    assert run("issue", "vaccination", "--keys", str(keydir), "--name", "A B", "--dob",
               "1990-01-01", "--dose", "3", "--of", "2", "--date", "2021-01-01")[0] == 2
    code, _, err = run("issue", "health-code", "--keys", str(keydir), "--name", "A B", "--dob",
                       "1990-01-01", "--color", "green", "--pid", "p" * 20, env={})
    assert code == 2 and "JOINTCHECK_KEY_PASSPHRASE" in err


def test_wrong_passphrase_is_refused(keydir: Path) -> None:
    code, _, err = run("keys", "list", "--dir", str(keydir),
                       env={"JOINTCHECK_KEY_PASSPHRASE": "not-the-passphrase"})
    assert code == 2 and "passphrase-wrong" in err


def test_rotation_keeps_old_certificates_valid(keydir: Path) -> None:
    before = issue(keydir, "vaccination", "--name", "Sun Li", "--dob", "1980-01-01", "--dose",
                   "1", "--of", "1", "--date", "2021-08-10")
    # The new signer is valid from 07:00, before the 08:00 issue time of the next certificate.
    assert run("keys", "rotate", "--dir", str(keydir), "--group", "dcc", "--at",
               "2026-11-20T07:00:00Z")[0] == 0
    after = issue(keydir, "vaccination", "--name", "Sun Li", "--dob", "1980-01-01", "--dose",
                  "1", "--of", "1", "--date", "2021-08-10")
    first, second = verify(keydir, before, "--at", "2026-11-23"), verify(keydir, after, "--at",
                                                                       "2026-11-23")
    assert first[0] == second[0] == 0
    assert first[1]["kid"] != second[1]["kid"]


def test_bench_verify_prints_its_figures_as_json() -> None:
    code, out, err = run("bench", "verify", "--count", "100", "--rounds", "1", "--json")
    assert code == 0, err
    figures = json.loads(out)
    assert {"pipeline_per_s", "raw_es256_per_s", "pycose_per_s", "ratio_raw",
            "ratio_pycose"} <= figures.keys()
    assert figures["ratio_raw"] == pytest.approx(
        figures["pipeline_per_s"] / figures["raw_es256_per_s"], rel=0.01)


def test_conformance_dcc_testdata_ends_with_the_summary_line(conformance_dir: Path) -> None:
    code, out, _ = run("conformance", "dcc-testdata", str(conformance_dir))
    assert code == 0
    assert re.fullmatch(r"\d+ passed, \d+ failed", out.strip().splitlines()[-1])
