"""``jointcheck verify``: verify one credential and say why it is or is not valid."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import typer

from jointcheck.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    AnchorOption,
    AtOption,
    JsonOption,
    TrustOption,
    console,
    errors,
    instant,
    print_json,
    read_input,
    trust_from,
    usage_error,
)
from jointcheck.credentials.shc_qr import join_chunks, jws_to_numeric
from jointcheck.errors import JointcheckError
from jointcheck.trust.trustlist import TrustList
from jointcheck.trust.verify import Verification, verify


def verify_command(
    value: str = typer.Argument(..., metavar="INPUT", help="QR text, or @FILE (text or image)."),
    trust: list[Path] = TrustOption,
    anchor: list[Path] = AnchorOption,
    at: str | None = AtOption,
    as_json: bool = JsonOption,
) -> None:
    """Verify a credential (HC1, health code, SMART Health Card) against trusted keys."""
    when = instant(at)
    store, lists = trust_from(trust, anchor)
    error: JointcheckError | None = None
    texts: list[str] = []
    try:
        texts = read_input(value)
    except JointcheckError as exc:
        error = exc
    if error is None and not texts:
        usage_error("INPUT holds no QR text")
    if error is not None:
        result = Verification(False, None, None, None, None, error)
    else:
        result = verify(_one_credential(texts), store, when)
    if as_json:
        print_json(verification_json(result) | {"at": when, "trust": _trust_json(lists)})
    else:
        _print_human(result, lists)
    raise typer.Exit(EXIT_OK if result.valid else EXIT_REFUSED)


def _one_credential(texts: list[str]) -> str:
    # The chunks of a multi-QR SMART Health Card are one credential; otherwise the first code.
    if len(texts) > 1 and all(t.lower().startswith("shc:/") for t in texts):
        try:
            return "shc:/" + jws_to_numeric(join_chunks(texts))
        except JointcheckError:
            return texts[0]
    if len(texts) > 1:
        errors.print(f"note: {len(texts)} QR codes found; verifying the first")
    return texts[0]


def verification_json(result: Verification) -> dict[str, Any]:
    """Return the JSON fields of a verification (the contract of ``verify --json``)."""
    credential = result.credential
    subject = credential.subject if credential else None
    signer = result.signer
    return {
        "valid": result.valid,
        "format": result.format,
        "type": credential.type.value if credential else None,
        "code": result.code,
        "stage": result.stage,
        "message": result.message,
        "kid": base64.b64encode(result.kid).decode() if result.kid else None,
        "subject": None if subject is None else {
            "name": subject.display_name, "birth_date": subject.birth_date,
            "family_name": subject.family_name, "given_name": subject.given_name,
            "family_std": subject.family_std, "given_std": subject.given_std,
            "pid": subject.pid,
        },
        "issuer": credential.issuer if credential else None,
        "issued_at": credential.issued_at if credential else None,
        "expires_at": credential.expires_at if credential else None,
        "certificate_id": credential.certificate_id if credential else None,
        "signer": None if signer is None else {
            "label": signer.label, "source": signer.source,
            "usages": sorted(u.value for u in signer.usages) if signer.usages else None,
        },
        "payload": dict(credential.payload) if credential else None,
    }


def _trust_json(lists: list[TrustList]) -> list[dict[str, Any]]:
    return [{"issuer": t.issuer, "sequence": t.sequence, "issued_at": t.issued_at,
             "next_update": t.next_update, "anchor_sha256": t.anchor_fingerprint,
             "anchor_pinned": t.anchor_pinned} for t in lists]


def _print_human(result: Verification, lists: list[TrustList]) -> None:
    credential = result.credential
    if result.valid and credential is not None:
        console.print(f"[bold green]VALID[/] {credential.type.value} ({result.format})")
    else:
        console.print(f"[bold red]REFUSED[/] at {result.stage}: {result.message} "
                      f"[dim]({result.code})[/]")
    if credential is not None:
        subject = credential.subject
        console.print(f"  holder   {subject.display_name}, born {subject.birth_year}")
        if credential.expires_at:
            console.print(f"  expires  {credential.expires_at:%Y-%m-%d %H:%M} UTC")
    for t in lists:
        if not t.anchor_pinned:
            errors.print(f"note: trust list of {t.issuer} (anchor sha256 "
                         f"{t.anchor_fingerprint[:16]}…) is not pinned; pass --anchor to pin it")
