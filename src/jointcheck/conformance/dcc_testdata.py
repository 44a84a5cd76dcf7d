"""Run the EU DCC test data (dgc-testdata layout) verbatim through jointcheck's own stages.

Each ``EXPECTED*`` key of a case is checked at the stage it names, with jointcheck's code for
that stage; the expectations that guard security (a false "true" there would let a forged or
expired certificate through) are gated, the others reported. Upstream's own list of known
issues (``known_issues-upstream.csv``) excuses the cases it names, as upstream's runner does.
Schema validation is reported, not gated: jointcheck verifies tolerantly, as the DCC FAQ asks
(strict when issuing, tolerant when verifying), so a payload outside the schema is not a
security failure.
"""

from __future__ import annotations

import base64
import csv
import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import cbor2
from jsonschema import Draft202012Validator

from jointcheck.clock import parse_instant
from jointcheck.conformance.report import CaseResult, ConformanceReport
from jointcheck.credentials.base45 import b45decode
from jointcheck.credentials.cose import parse_sign1
from jointcheck.credentials.cwt import decode_claims, inflate, jsonable
from jointcheck.credentials.dcc import DCC_KEY, HCERT_CLAIM, credential_from_hcert
from jointcheck.credentials.model import SignedEnvelope
from jointcheck.credentials.qr import read_qr
from jointcheck.credentials.registry import codec_for
from jointcheck.errors import JointcheckError
from jointcheck.trust.certificates import load_certificate, trusted_key
from jointcheck.trust.store import TrustStore
from jointcheck.trust.verify import (
    check_key_usage,
    check_signer_period,
    check_validity,
    find_signer,
    verify,
)

CRITICAL = {"VERIFY", "EXPIRATIONCHECK", "UNPREFIX", "B45DECODE", "COMPRESSION", "DECODE",
            "KEYUSAGE"}
# Upstream names its known issues by the name of its test function.
TEST_NAMES = {
    "VERIFY": "test_verification_check", "EXPIRATIONCHECK": "test_expiration_check",
    "KEYUSAGE": "test_expected_key_usage", "SCHEMAVALIDATION": "test_cose_schema",
    "DECODE": "test_cose_json", "VALIDJSON": "test_cbor_json", "COMPRESSION": "test_compression",
    "B45DECODE": "test_b45decode", "UNPREFIX": "test_un_prefix",
    "PICTUREDECODE": "test_picture_decode", "VALIDOBJECT": "test_valid_object",
    "ENCODE": "test_encode",
}


_Check = Callable[[dict[str, Any], "_SchemaCache"], bool | None]


def run(directory: Path) -> ConformanceReport:
    """Run every case under ``directory`` and return the report."""
    report = ConformanceReport("dcc-testdata")
    known = _known_issues(directory / "known_issues-upstream.csv")
    schemas = _SchemaCache(directory.parent / "dcc-schema")
    matrix = {"true_accept": 0, "false_accept": 0, "true_reject": 0, "false_reject": 0}
    for path in sorted(directory.glob("**/2DCode/raw/*.json")):
        country = path.relative_to(directory).parts[0]
        case_id = str(path.relative_to(directory))
        case = json.loads(path.read_text("utf-8"))
        expected: dict[str, Any] = case.get("EXPECTEDRESULTS", {})
        for key, want in sorted(expected.items()):
            name = key.removeprefix("EXPECTED")
            check = _CHECKS.get(name)
            if check is None:
                report.notes.append(f"{case_id}: {key} is not an expectation the data "
                                    "definition names; not run")
                continue
            actual, detail = _attempt(check, case, schemas)
            if actual is None:
                continue
            issue = known.get((TEST_NAMES[name], country, path.stem)) or known.get(
                (TEST_NAMES[name], country, ""), "")
            report.add(CaseResult(case_id, country, name, want, actual, actual == want,
                                  critical=name in CRITICAL, known_issue=issue, detail=detail))
        _end_to_end(case_id, case, expected, matrix, report)
    report.matrix = matrix
    report.notes.append("SCHEMAVALIDATION is reported, not gated: verification is tolerant "
                        "of payloads outside the schema, as the DCC FAQ asks of verifiers.")
    return report


def _attempt(check: _Check, case: dict[str, Any], schemas: _SchemaCache) -> tuple[bool | None,
                                                                                   str]:
    try:
        return check(case, schemas), ""
    except JointcheckError as exc:
        return False, f"{exc.stage}/{exc.code}: {exc.message}"
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        return False, f"{type(exc).__name__}: {exc}"


def _picture(case: dict[str, Any], _: _SchemaCache) -> bool | None:
    if "2DCODE" not in case or "PREFIX" not in case:
        return None
    return bool(read_qr(base64.b64decode(case["2DCODE"]))[0] == case["PREFIX"])


def _unprefix(case: dict[str, Any], _: _SchemaCache) -> bool | None:
    if "PREFIX" not in case or "BASE45" not in case:
        return None
    text = case["PREFIX"]
    codec = codec_for(text)
    return codec.format == "hc1" and text[4:] == case["BASE45"]


def _b45(case: dict[str, Any], _: _SchemaCache) -> bool | None:
    if "BASE45" not in case or "COMPRESSED" not in case:
        return None
    return b45decode(case["BASE45"]) == bytes.fromhex(case["COMPRESSED"])


def _compression(case: dict[str, Any], _: _SchemaCache) -> bool | None:
    if "COMPRESSED" not in case or "COSE" not in case:
        return None
    return inflate(bytes.fromhex(case["COMPRESSED"])) == bytes.fromhex(case["COSE"])


def _cose_bytes(case: dict[str, Any]) -> bytes | None:
    if "COSE" in case:
        return bytes.fromhex(case["COSE"])
    if "PREFIX" in case:
        return inflate(b45decode(case["PREFIX"].removeprefix("HC1:")))
    return None


def _hcert(case: dict[str, Any]) -> dict[str, Any] | None:
    cose = _cose_bytes(case)
    if cose is None:
        return None
    claims = decode_claims(parse_sign1(cose).payload)
    credential_from_hcert(claims)  # the payload must be readable as a credential at all
    dcc: dict[str, Any] = jsonable(claims.raw[HCERT_CLAIM][DCC_KEY])
    return dcc


def _decode(case: dict[str, Any], _: _SchemaCache) -> bool | None:
    dcc = _hcert(case)
    if dcc is None:
        return None
    return "JSON" not in case or _same(dcc, case["JSON"])


def _valid_json(case: dict[str, Any], schemas: _SchemaCache) -> bool | None:
    if "JSON" not in case or not ({"PREFIX", "COSE"} & case.keys()):
        return None
    return _decode(case, schemas)


def _schema(case: dict[str, Any], schemas: _SchemaCache) -> bool | None:
    dcc = _hcert(case) if ("COSE" in case or "PREFIX" in case) else case.get("JSON")
    if dcc is None:
        return None
    validator = schemas.for_version(str(dcc.get("ver", "")))
    return validator is not None and bool(validator.is_valid(dcc))


def _store(case: dict[str, Any]) -> TrustStore | None:
    cert = case.get("TESTCTX", {}).get("CERTIFICATE")
    return TrustStore.of([trusted_key(load_certificate(cert.encode()))]) if cert else None


def _envelope(case: dict[str, Any]) -> SignedEnvelope:
    sign1 = parse_sign1(bytes.fromhex(case["COSE"]))
    credential = credential_from_hcert(decode_claims(sign1.payload))
    return SignedEnvelope(credential, sign1.algorithm, sign1.kid, sign1.to_be_signed(),
                          sign1.signature)


def _verify(case: dict[str, Any], _: _SchemaCache) -> bool | None:
    store = _store(case)
    if store is None or "COSE" not in case:
        return None
    find_signer(_envelope(case), store)
    return True


def _expiration(case: dict[str, Any], _: _SchemaCache) -> bool | None:
    store, clock = _store(case), case.get("TESTCTX", {}).get("VALIDATIONCLOCK")
    if store is None or "COSE" not in case or not clock:
        return None
    at = parse_instant(clock)
    credential = _envelope(case).credential
    check_signer_period(store.keys()[0], credential, at)
    check_validity(credential, at)
    return True


def _key_usage(case: dict[str, Any], _: _SchemaCache) -> bool | None:
    store = _store(case)
    if store is None or "COSE" not in case:
        return None
    check_key_usage(store.keys()[0], _envelope(case).credential)
    return True


def _valid_object(case: dict[str, Any], schemas: _SchemaCache) -> bool | None:
    if "JSON" not in case:
        return None
    version = str(case.get("TESTCTX", {}).get("SCHEMA") or case["JSON"].get("ver", ""))
    validator = schemas.for_version(version)
    return validator is not None and bool(validator.is_valid(case["JSON"]))


def _encode(case: dict[str, Any], _: _SchemaCache) -> bool | None:
    if "JSON" not in case or "CBOR" not in case:
        return None
    given = cbor2.loads(bytes.fromhex(case["CBOR"]))
    if isinstance(given, dict) and HCERT_CLAIM in given:
        given = given[HCERT_CLAIM][DCC_KEY]
    return bool(_same(jsonable(cbor2.loads(cbor2.dumps(case["JSON"]))), jsonable(given)))


_CHECKS: dict[str, _Check] = {
    "VALIDOBJECT": _valid_object, "ENCODE": _encode,
    "PICTUREDECODE": _picture, "UNPREFIX": _unprefix, "B45DECODE": _b45,
    "COMPRESSION": _compression, "DECODE": _decode, "VALIDJSON": _valid_json,
    "SCHEMAVALIDATION": _schema, "VERIFY": _verify, "EXPIRATIONCHECK": _expiration,
    "KEYUSAGE": _key_usage,
}


def _end_to_end(case_id: str, case: dict[str, Any], expected: dict[str, Any],
                matrix: dict[str, int], report: ConformanceReport) -> None:
    """Count the whole pipeline's verdict against what upstream's expectations imply.

    A case should be accepted when every expectation it defines is true; the whole pipeline
    (QR image or text, the case's signer certificate, its validation clock) gives the verdict.
    """
    store = _store(case) if "PREFIX" in case else None
    clock = case.get("TESTCTX", {}).get("VALIDATIONCLOCK")
    if store is None or not clock:
        return
    should = all(v for k, v in expected.items() if k.removeprefix("EXPECTED") in _CHECKS)
    try:  # the pipeline starts from the picture where the case has one
        text = read_qr(base64.b64decode(case["2DCODE"]))[0] if "2DCODE" in case else (
            case["PREFIX"])
    except JointcheckError:
        text = ""
    result = verify(text, store, parse_instant(clock))
    key = ("true_" if result.valid == should else "false_") + (
        "accept" if result.valid else "reject")
    matrix[key] += 1
    if key.startswith("false_"):
        report.notes.append(f"end to end, {key.replace('_', ' ')}: {case_id} "
                            f"({result.code}: {result.message})")


def _same(a: Any, b: Any) -> bool:
    return bool(_ordered(a) == _ordered(b))


def _ordered(value: Any) -> Any:
    # Maps are unordered and dates travel as text or CBOR dates: compare meaning, not bytes.
    if isinstance(value, dict):
        return sorted((k, _ordered(v)) for k, v in value.items())
    if isinstance(value, list):
        return sorted((_ordered(v) for v in value), key=repr)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if len(value) <= 10:
            return date.fromisoformat(value[:10]).isoformat() if len(value) == 10 else value
        aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return aware.astimezone(UTC).replace(microsecond=0).isoformat()
    return value


def _known_issues(path: Path) -> dict[tuple[str, str, str], str]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        return {(r["test_name"], r["country"], r["test_set"]): r["reason"]
                for r in csv.DictReader(handle)}


class _SchemaCache:
    """The DCC JSON schema of each release, by the payload's ``ver`` (newest when unknown)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[str, Draft202012Validator | None] = {}

    def for_version(self, version: str) -> Draft202012Validator | None:
        if version not in self.cache:
            self.cache[version] = self._load(version)
        return self.cache[version]

    def _load(self, version: str) -> Draft202012Validator | None:
        candidates: Iterator[Path] = (self.root / "releases" / version).glob(
            "*.combined-schema.json")
        path = next(candidates, None) or next(self.root.glob("DCC.combined-schema.json"), None)
        if path is None:
            return None
        return Draft202012Validator(json.loads(path.read_text("utf-8")))
