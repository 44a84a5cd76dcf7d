"""Run the SMART Health Cards data verbatim: spec examples, dev-tools cases, WHO DDCC samples.

``run(directory)`` takes a folder laid out like ``../shared/conformance`` and reads whichever
of ``shc-examples/``, ``shc-devtools-testdata/`` and ``who-ddcc/`` it holds.

- Keys come from issuers' ``.well-known/jwks.json`` (and ``crl/<kid>.json``) mirrored inside
  the folder; a card's ``iss`` selects the mirror whose folder path ends with the most of the
  URL's path segments (``.../examples/issuer`` -> ``shc-examples/issuer``). No match: no keys.
- Every check happens at the card's own ``nbf`` + 1 s, never at the system clock.
- Spec examples must all be accepted. A dev-tools case's verdict comes from its
  ``expected-outcomes.json`` entry: *reject* when upstream expects an error naming a failure a
  verifier must act on (:data:`REJECTING`), *accept* when it expects no error or only issuer
  lint (:data:`READABLE`), otherwise *not gated* (FHIR-profile findings, bare error counts):
  reported with our outcome, passed either way. Must-reject cases are security-critical.
- WHO samples are decoded through the registry; what ``verify`` says is reported alongside.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ParamSpec

from jointcheck.conformance.report import CaseResult, ConformanceReport
from jointcheck.conformance.shc_sources import (
    IssuerMirror,
    find_files,
    read_image_qr,
    read_text,
)
from jointcheck.credentials.model import Credential, SignedEnvelope
from jointcheck.credentials.registry import decode
from jointcheck.credentials.shc import (
    credential_from_payload,
    decode_jws,
    health_card_jws,
    join_chunks,
    parse_json,
)
from jointcheck.credentials.shc_fhir import read_bundle
from jointcheck.errors import InputError, JointcheckError, PayloadError, TrustError
from jointcheck.trust.jwks import load_issuer_directory, load_jwks
from jointcheck.trust.store import TrustStore
from jointcheck.trust.verify import check_validity, find_signer, verify_envelope

# Upstream error codes that name a failure of integrity, authenticity, validity or structure.
REJECTING = frozenset({
    "JWS_HEADER_ERROR", "JWS_VERIFICATION_ERROR", "SIGNATURE_FORMAT_ERROR", "INFLATION_ERROR",
    "TRAILING_CHARACTERS", "JSON_PARSE_ERROR", "INVALID_NUMERIC_QR", "INVALID_NUMERIC_QR_HEADER",
    "MISSING_QR_CHUNK", "EXPIRATION_ERROR", "NOT_YET_VALID", "REVOCATION_ERROR",
    "ISSUER_NOT_TRUSTED", "ISSUER_KEY_DOWNLOAD_ERROR", "INVALID_ISSUER_URL", "SCHEMA_ERROR",
    "CRITICAL_DATA_MISSING", "INVALID_KEY_WRONG_CRV", "INVALID_KEY_WRONG_ALG",
    "INVALID_KEY_WRONG_KTY", "INVALID_KEY_WRONG_KID", "INVALID_KEY_WRONG_USE",
    "INVALID_KEY_PRIVATE", "INVALID_KEY_X5C", "INVALID_KEY_SCHEMA",
})
# Issuer-side lint a verifier reads through (the spec: chunked cards must stay readable).
READABLE = frozenset({
    "QR_CHUNKING_DEPRECATED", "JWS_TOO_LONG", "INVALID_QR", "INVALID_QR_VERSION",
    "UNBALANCED_QR_CHUNKS",
})
P = ParamSpec("P")
_DIRECTORY_OPTION = re.compile(r"issuerDirectory:\s*'([^']*)'")
_EXAMPLE = re.compile(r"(example-\d+)-[a-g]-")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What jointcheck did with one case: accepted, or refused with a code."""

    accepted: bool
    code: str
    detail: str = ""

    @property
    def shown(self) -> str:
        """Return ``accept`` or ``reject: <code>``."""
        return "accept" if self.accepted else f"reject: {self.code}"


@dataclass(frozen=True, slots=True)
class _Context:
    root: Path
    issuers: IssuerMirror
    trusted: frozenset[str] | None = None  # issuers a directory lists; None: no directory


def run(directory: Path) -> ConformanceReport:
    """Run every SMART Health Cards data set found in ``directory``."""
    report = ConformanceReport(suite="shc")
    context = _Context(directory, IssuerMirror(directory))
    parts: list[tuple[str, Callable[[Path, _Context, ConformanceReport], None]]] = [
        ("shc-examples", _run_examples),
        ("shc-devtools-testdata", _run_devtools),
        ("who-ddcc", _run_who),
    ]
    for name, part in parts:
        if (directory / name).is_dir():
            part(directory / name, context, report)
        else:
            report.notes.append(f"{name}/ not found in {directory}: not run")
    _summarise(report)
    return report


def _summarise(report: ConformanceReport) -> None:
    def tally(rows: list[CaseResult]) -> str:
        return f"{sum(r.passed for r in rows)}/{len(rows)}"

    examples = [r for r in report.results if r.group == "shc-examples" and r.key != "payload"]
    must_reject = [r for r in report.results if r.critical]
    not_gated = [r for r in report.results if r.expected == "not-gated"]
    who = [r for r in report.results if r.group == "who-ddcc"]
    report.notes.append(
        f"spec examples accepted {tally(examples)}; must-reject cases rejected "
        f"{tally(must_reject)}; not gated {len(not_gated)}; WHO samples decoded {tally(who)}"
    )


def check_instant(credential: Credential) -> datetime:
    """Return the instant a card is checked at: its nbf (or issue time) plus one second."""
    start = credential.not_before or credential.issued_at
    if start is None:
        raise PayloadError("instant-unknown", "the credential carries no time to check it at")
    try:
        return start + timedelta(seconds=1)
    except OverflowError:
        return start


def _attempt(action: Callable[P, Outcome], *args: P.args, **kwargs: P.kwargs) -> Outcome:
    try:
        return action(*args, **kwargs)
    except JointcheckError as error:
        return Outcome(False, error.code, error.message)


def _check_envelope(envelope: SignedEnvelope, context: _Context) -> Outcome:
    if context.trusted is not None and envelope.key_issuer not in context.trusted:
        raise TrustError("issuer-not-trusted", f"{envelope.key_issuer} is not in the directory")
    store = context.issuers.store_for(envelope.key_issuer or "")
    verify_envelope(envelope, store, check_instant(envelope.credential))
    return Outcome(True, "valid")


def _check_qr_texts(texts: list[str], context: _Context) -> Outcome:
    # One QR goes through the registry, as a scan at the door would; several are joined.
    if len(texts) == 1:
        return _check_envelope(decode(texts[0]), context)
    return _check_envelope(decode_jws(join_chunks(texts)), context)


def _check_jws_list(jws_list: list[str], context: _Context) -> Outcome:
    outcomes = [_attempt(_check_jws, jws, context) for jws in jws_list]
    refused = [o for o in outcomes if not o.accepted]
    return refused[0] if refused else Outcome(True, "valid", f"{len(outcomes)} JWS")


def _check_jws(jws: str, context: _Context) -> Outcome:
    return _check_envelope(decode_jws(jws), context)


def _fhir_health_card_jws(text: str) -> list[str]:
    # The FHIR $health-cards-issue answer: a Parameters resource, one valueString per card.
    document = parse_json(text, "FHIR Parameters", PayloadError, "fhir-parameters-invalid")
    parameters = document.get("parameter")
    found = [p.get("valueString") for p in parameters if isinstance(p, dict)
             and p.get("name") == "verifiableCredential"] if isinstance(parameters, list) else []
    if not found or not all(isinstance(j, str) for j in found):
        raise PayloadError("fhir-parameters-invalid", "no verifiableCredential parameter")
    return [str(j) for j in found]


def _check_payload(text: str) -> Outcome:
    credential = credential_from_payload(parse_json(text, "JWS payload"))
    check_validity(credential, check_instant(credential))
    return Outcome(True, "valid", "payload only: no signature to check")


def _check_bundle(text: str) -> Outcome:
    kind, _, entries = read_bundle(parse_json(text, "FHIR bundle"), "", "")
    return Outcome(True, "valid", f"{kind.value}, {len(entries)} entries")


def _check_key_set(path: Path) -> Outcome:
    store = load_jwks(path.read_bytes(), source=path.name)
    return Outcome(True, "valid", f"{len(store)} keys")


def _check_files(file_type: str, paths: list[Path], context: _Context) -> Outcome:
    """Run one case's files as upstream's validator reads that file type."""
    if file_type == "jwks":
        return _check_key_set(paths[0])
    if file_type == "qr":
        return _check_qr_texts([read_image_qr(p) for p in paths], context)
    texts = [read_text(p) for p in paths]
    checks: dict[str, Callable[[], Outcome]] = {
        "qrnumeric": lambda: _check_qr_texts(texts, context),
        "jws": lambda: _check_jws_list(texts, context),
        "healthcard": lambda: _check_jws_list(health_card_jws(texts[0]), context),
        "fhirhealthcard": lambda: _check_jws_list(_fhir_health_card_jws(texts[0]), context),
        "jwspayload": lambda: _check_payload(texts[0]),
        "fhirbundle": lambda: _check_bundle(texts[0]),
    }
    if file_type not in checks:
        raise InputError("file-type-unknown", f"no reader for file type {file_type!r}")
    return checks[file_type]()


def _run_examples(folder: Path, context: _Context, report: ConformanceReport) -> None:
    names = sorted({m.group(1) for p in folder.iterdir() if (m := _EXAMPLE.match(p.name))})
    for name in names:
        kinds = {
            "qr-numeric": ("qrnumeric", f"{name}-f-qr-code-numeric-value-*.txt"),
            "jws": ("jws", f"{name}-d-jws.txt"),
            "health-card-file": ("healthcard", f"{name}-e-*.smart-health-card"),
        }
        for key, (file_type, pattern) in kinds.items():
            paths = sorted(folder.glob(pattern))
            if not paths:
                continue
            outcome = _attempt(_check_files, file_type, paths, context)
            report.add(CaseResult(name, "shc-examples", key, "accept", outcome.shown,
                                  outcome.accepted, detail=outcome.detail))
        _compare_payload(folder, name, report)


def _compare_payload(folder: Path, name: str, report: ConformanceReport) -> None:
    jws_files = sorted(folder.glob(f"{name}-d-jws.txt"))
    expected_files = sorted(folder.glob(f"{name}-c-jws-payload-minified.json"))
    if not jws_files or not expected_files:
        return
    try:
        decoded = dict(decode_jws(read_text(jws_files[0])).credential.payload)
    except JointcheckError as error:
        decoded = {"error": error.code}
    expected = json.loads(expected_files[0].read_text(encoding="utf-8"))
    report.add(CaseResult(name, "shc-examples", "payload", "equal to the -c payload file",
                          "equal" if decoded == expected else "different", decoded == expected))


def verdict(expected: Mapping[str, Any]) -> tuple[str, list[str]]:
    """Return ``accept``, ``reject`` or ``not-gated`` for an expected-outcomes entry."""
    errors = expected.get("errors_incl_fatal", 0)
    codes: list[str] = [str(c).split()[0] for c in expected.get("contains", [])]
    uncounted = isinstance(errors, int) and errors > 0
    if isinstance(errors, list):
        codes += [str(c).split()[0] for c in errors]
    elif isinstance(errors, dict) and errors.get("count"):
        codes.append(str(errors.get("code", "")).split()[0])
    if any(c in REJECTING for c in codes):
        return "reject", codes
    if uncounted or any(c not in READABLE for c in codes):
        return "not-gated", codes
    return "accept", codes


def _run_devtools(folder: Path, context: _Context, report: ConformanceReport) -> None:
    outcomes_file = folder / "expected-outcomes.json"
    cases = _cases(outcomes_file)
    if cases is None:
        report.notes.append(f"{outcomes_file} missing or unreadable: dev-tools cases not run")
        return
    for case in cases:
        paths = _case_paths(context.root, folder, case)
        if not paths or any(not p.is_file() for p in paths):
            report.notes.append(f"not run: {case.get('name')}: a file is missing")
            continue
        wanted, codes = verdict(case.get("expected", {}))
        case_context = _with_directory(context, str(case.get("options_upstream", "")))
        outcome = _attempt(_check_files, str(case.get("fileType")), paths, case_context)
        passed = wanted == "not-gated" or outcome.accepted == (wanted == "accept")
        detail = f"upstream errors {codes or case['expected'].get('errors_incl_fatal')}; "
        report.add(CaseResult(str(case.get("name")), "shc-devtools", str(case.get("fileType")),
                              wanted, outcome.shown, passed, critical=wanted == "reject",
                              detail=detail + outcome.detail))
    report.notes.append(
        "dev-tools verdicts: reject when upstream expects an error in REJECTING, accept when "
        "it expects none or only issuer lint; FHIR-profile findings and bare error counts are "
        "reported, not gated. Checks happen at each card's nbf + 1 s, not at upstream's pinned "
        "validationTime (it predates the spec examples here; it only served x5c dates, which "
        "are not enforced). Key sets are read without an issuer, so an x5c leaf must name an "
        "issuer URI but its value is not compared."
    )


def _cases(path: Path) -> list[dict[str, Any]] | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    cases = document.get("cases") if isinstance(document, dict) else None
    if not isinstance(cases, list):
        return None
    return [c for c in cases if isinstance(c, dict) and isinstance(c.get("files"), list)]


def _case_paths(root: Path, folder: Path, case: Mapping[str, Any]) -> list[Path]:
    listed = case.get("paths") or []
    names = [str(f) for f in case["files"]]
    return [_locate(root, folder, str(listed[i]) if i < len(listed) else name, name)
            for i, name in enumerate(names)]


def _locate(root: Path, folder: Path, listed: str, name: str) -> Path:
    # Paths in expected-outcomes are relative to the folder that holds "conformance/".
    relative = listed.split("conformance/", 1)[-1]
    candidates = [root / relative, folder / name, root / "shc-examples" / name]
    return next((c for c in candidates if c.is_file()), candidates[0])


def _with_directory(context: _Context, options: str) -> _Context:
    match = _DIRECTORY_OPTION.search(options)
    if match is None:
        return context
    wanted = match.group(1).rsplit("/", 1)[-1]
    file_name = wanted if wanted.endswith(".json") else f"{wanted.lower()}-issuers.json"
    found = find_files(context.root, file_name)
    # A directory that is not here cannot vouch for anyone: offline, it trusts no issuer.
    trusted = frozenset(load_issuer_directory(found[0].read_bytes())) if found else frozenset()
    return _Context(context.root, context.issuers, trusted)


def _run_who(folder: Path, context: _Context, report: ConformanceReport) -> None:
    store = context.issuers.certificates_under(folder)
    for path in find_files(folder, "*Contents.txt"):
        try:
            envelope = decode(path.read_text(encoding="utf-8"))
        except JointcheckError as error:
            report.add(CaseResult(path.name, "who-ddcc", "decode", "decodes",
                                  f"refused: {error.code}", False, detail=error.message))
            continue
        checked = _attempt(_who_verify, envelope, context, store)
        report.add(CaseResult(path.name, "who-ddcc", "decode", "decodes",
                              f"decoded {envelope.credential.format} "
                              f"{envelope.credential.type.value}", True,
                              detail=f"verify (not gated): {checked.shown} {checked.detail}"))


def _who_verify(envelope: SignedEnvelope, context: _Context, signers: TrustStore) -> Outcome:
    store = context.issuers.store_for(envelope.key_issuer) if envelope.key_issuer else signers
    credential = envelope.credential
    if credential.not_before is None and credential.issued_at is None:
        signer = find_signer(envelope, store)
        return Outcome(True, "valid", f"signature only, the credential has no time: {signer.label}")
    verify_envelope(envelope, store, check_instant(credential))
    return Outcome(True, "valid")
