"""``jointcheck check``: the one decision at the door, its JSON contract and exit codes.

Credentials are issued with the command line and checked against the key store's signed trust
list, pinned to its anchor, as in ``test_cli.py``.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import run

ISSUED = "2026-11-20T08:00:00Z"
CHECKED = "2026-11-20T08:05:00Z"
ADULT = ("--name", "张 伟", "--dob", "1985-03-14", "--pid", "zw-pseudonym-000001")
CHECK_FIELDS = {"outcome", "basis", "rule", "reason", "policy", "credentials", "holder",
                "notes", "facts", "at", "venue_category"}
VERIFY_FIELDS = {"valid", "format", "type", "code", "stage", "message"}


@pytest.fixture(scope="module")
def keydir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("keys")
    code, _, err = run("keys", "init", "--dir", str(directory), "--at", "2026-11-01")
    assert code == 0, err
    return directory


def issue(keydir: Path, *args: str) -> str:
    code, out, err = run("issue", *args, "--keys", str(keydir), "--at", ISSUED)
    assert code == 0, err
    return out.strip()


@pytest.fixture(scope="module")
def green(keydir: Path) -> str:
    return issue(keydir, "health-code", *ADULT, "--color", "green")


@pytest.fixture(scope="module")
def yellow(keydir: Path) -> str:
    return issue(keydir, "health-code", *ADULT, "--color", "yellow")


@pytest.fixture(scope="module")
def certificate(keydir: Path) -> str:
    return issue(keydir, "vaccination", *ADULT[:4], "--dose", "2", "--of", "2", "--date",
                 "2021-08-10")


def check(keydir: Path, venue: str, *codes: str, policy: str = "fangzi-2021",
          at: str = CHECKED, json_output: bool = True) -> tuple[int, str, str]:
    return run("check", "--policy", policy, "--venue-category", venue, "--trust",
               str(keydir / "trustlist.json"), "--anchor", str(keydir / "anchor.crt.pem"),
               "--at", at, *(["--json"] if json_output else []), *codes)


def check_json(keydir: Path, venue: str, *codes: str, **options: Any) -> tuple[int, dict[str,
                                                                                    Any]]:
    code, out, err = check(keydir, venue, *codes, **options)
    assert out, err
    return code, json.loads(out)


def test_vaccinated_adult_at_a_nursing_home_is_admitted(keydir: Path, green: str,
                                                       certificate: str) -> None:
    code, result = check_json(keydir, "nursing-home", green, certificate)
    assert code == 0
    assert result.keys() >= CHECK_FIELDS
    assert (result["outcome"], result["basis"], result["rule"]) == (
        "admit", "vaccinated", "susceptible.vaccinated")
    assert result["reason"]["en"] == "Vaccinated (2 dose(s))"
    assert result["reason"]["zh"] == "已接种疫苗（2剂）"
    assert result["policy"] == {"id": "fangzi-2021", "version": "1.0.0"}
    assert result["holder"] == {"name": "张伟", "birth_year": "1985"}
    assert result["venue_category"] == "nursing-home"
    credentials = result["credentials"]
    assert [(c["type"], c["valid"]) for c in credentials] == [("health-code", True),
                                                              ("vaccination", True)]
    assert all(c.keys() >= VERIFY_FIELDS for c in credentials)


def test_human_output_names_outcome_and_reason(keydir: Path, green: str,
                                               certificate: str) -> None:
    code, out, _ = check(keydir, "nursing-home", certificate, green, json_output=False)
    assert code == 0
    assert "ADMIT" in out and "已接种疫苗" in out and "fangzi-2021" in out


def test_unvaccinated_adult_at_a_nursing_home_is_restricted(keydir: Path, green: str) -> None:
    code, result = check_json(keydir, "nursing-home", green)
    assert code == 1
    assert (result["outcome"], result["basis"], result["rule"]) == (
        "restrict", "unvaccinated", "susceptible.unvaccinated")
    assert "养老院" in result["reason"]["zh"] and "nursing home" in result["reason"]["en"]


def test_unvaccinated_adult_at_a_supermarket_is_persuaded_but_may_enter(keydir: Path,
                                                                        green: str) -> None:
    code, result = check_json(keydir, "mall-supermarket", green)
    assert (code, result["outcome"]) == (0, "persuade")


def test_yellow_code_is_denied(keydir: Path, yellow: str, certificate: str) -> None:
    code, result = check_json(keydir, "mall-supermarket", yellow, certificate)
    assert code == 1
    assert (result["outcome"], result["basis"], result["rule"]) == (
        "deny", "code-color", "shared.code-yellow")


def test_replayed_code_is_denied_as_invalid(keydir: Path, green: str, certificate: str) -> None:
    code, result = check_json(keydir, "mall-supermarket", green, certificate,
                              at="2026-11-20T09:00:00Z")
    assert code == 1
    assert (result["outcome"], result["basis"]) == ("deny", "credential-invalid")
    assert result["credentials"][0]["code"] == "expired"


def test_codes_from_a_file(keydir: Path, green: str, certificate: str, tmp_path: Path) -> None:
    path = tmp_path / "codes.txt"
    path.write_text(f"{certificate}\n{green}\n", "utf-8")
    code, result = check_json(keydir, "meeting", f"@{path}")
    assert (code, result["outcome"], result["rule"]) == (0, "admit", "meeting.vaccinated")


def test_pack_file_as_policy(keydir: Path, green: str, certificate: str) -> None:
    path = str(resources.files("jointcheck.rules").joinpath("packs/baiyin-2021.yaml"))
    code, result = check_json(keydir, "gym", green, certificate, policy=path)
    assert (code, result["policy"]["id"], result["outcome"]) == (0, "baiyin-2021", "admit")


@pytest.mark.parametrize(("options", "message"), [
    ({"venue": "karaoke"}, "venue-category-unknown"),
    ({"policy": "atlantis-2021"}, "policy-unknown"),
    ({"policy": "missing-pack.yaml"}, "policy-unreadable"),
    ({"at": "2021-08-01T00:00:00Z"}, "policy-not-in-force"),
    ({"at": "yesterday"}, "--at"),
], ids=["unknown-venue-category", "unknown-policy", "missing-pack-file", "not-in-force",
        "bad-instant"])
def test_usage_errors_exit_2(keydir: Path, green: str, options: dict[str, str],
                             message: str) -> None:
    venue = options.pop("venue", "nursing-home")
    code, out, err = check(keydir, venue, green, **options)
    assert code == 2
    assert message in err
    assert out == ""
