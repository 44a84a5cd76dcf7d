"""The signed trust list: signer certificates and revoked ids, signed by the trust anchor.

A JSON document with the anchor certificate, every document signer certificate (each must be
issued by the anchor), the hashes of revoked certificate ids, a sequence number that only
grows, and an ES256/PS256 signature by the anchor over the canonical JSON of the rest.
A verifier that pins the anchor (``anchors=``) refuses a list signed by any other; without
pinning, the list is still checked for integrity and the anchor's fingerprint is reported.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from jointcheck.errors import TrustListError
from jointcheck.trust.certificates import kid_of, load_certificate, trusted_key
from jointcheck.trust.signatures import PrivateKey
from jointcheck.trust.signed import check_signature, sign_document
from jointcheck.trust.store import TrustStore

FORMAT = "jointcheck-trustlist/1"


@dataclass(frozen=True, slots=True)
class TrustList:
    """A verified trust list: its metadata and the store it yields."""

    issuer: str
    sequence: int
    issued_at: datetime
    next_update: datetime | None
    anchor_fingerprint: str
    anchor_pinned: bool
    store: TrustStore


def fingerprint(certificate: x509.Certificate) -> str:
    """Return the SHA-256 fingerprint of a certificate as hex."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def build_trust_list(
    *, issuer: str, sequence: int, issued_at: datetime, next_update: datetime | None,
    anchor: x509.Certificate, anchor_key: PrivateKey, signers: Iterable[x509.Certificate],
    revoked: Iterable[str],
) -> dict[str, Any]:
    """Return a signed trust list document."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "issuer": issuer,
        "sequence": sequence,
        "issued_at": _iso(issued_at),
        "next_update": _iso(next_update) if next_update else None,
        "anchor": _b64(anchor),
        "signers": [
            {"kid": base64.b64encode(kid_of(c)).decode(), "certificate": _b64(c),
             "usages": sorted(u.value for u in trusted_key(c).usages or ())}
            for c in signers
        ],
        "revoked": sorted(set(revoked)),
    }
    return sign_document(document, anchor_key)


def load_trust_list(
    data: bytes | str | dict[str, Any], anchors: Iterable[x509.Certificate] = (),
    source: str = "",
) -> TrustList:
    """Check a trust list's signature and every signer's chain; return what it trusts."""
    document = _parse(data)
    anchor = load_certificate(_field(document, "anchor", str).encode())
    pinned = [fingerprint(a) for a in anchors]
    if pinned and fingerprint(anchor) not in pinned:
        raise TrustListError("anchor-unknown", "the trust list is signed by an anchor not pinned")
    _check_signature(document, anchor)
    store = TrustStore()
    for entry in _field(document, "signers", list):
        if not isinstance(entry, dict):
            raise TrustListError("trust-list-invalid", "a signer entry is not an object")
        certificate = load_certificate(str(entry.get("certificate", "")).encode())
        _check_issued_by(certificate, anchor)
        key = trusted_key(certificate, source=source)
        if base64.b64encode(key.kid).decode() != entry.get("kid"):
            raise TrustListError("trust-list-invalid",
                                 "a signer's kid does not match its certificate")
        store.add(key)
    store.revoked.update(str(r) for r in _field(document, "revoked", list))
    store.sources.append(source or "trust list")
    next_update = document.get("next_update")
    return TrustList(
        issuer=_field(document, "issuer", str),
        sequence=_field(document, "sequence", int),
        issued_at=_instant(_field(document, "issued_at", str)),
        next_update=_instant(next_update) if isinstance(next_update, str) else None,
        anchor_fingerprint=fingerprint(anchor),
        anchor_pinned=bool(pinned),
        store=store,
    )


def _parse(data: bytes | str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(data, dict):
        document = dict(data)
    else:
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise TrustListError("trust-list-invalid", f"the trust list is not JSON ({exc})") \
                from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise TrustListError("trust-list-invalid", f"not a trust list (format {FORMAT} expected)")
    return document


def _check_signature(document: dict[str, Any], anchor: x509.Certificate) -> None:
    check_signature(document, anchor, TrustListError, "trust-list", "trust list")


def _check_issued_by(certificate: x509.Certificate, anchor: x509.Certificate) -> None:
    try:
        certificate.verify_directly_issued_by(anchor)
    except (ValueError, TypeError, InvalidSignature):
        raise TrustListError(
            "chain-invalid", f"signer {certificate.subject.rfc4514_string()} is not issued by "
            "the trust list's anchor"
        ) from None


def _field(document: dict[str, Any], name: str, kind: type) -> Any:
    value = document.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TrustListError("trust-list-invalid", f"the trust list field {name!r} is malformed")
    return value


def _b64(certificate: x509.Certificate) -> str:
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise TrustListError("trust-list-invalid", f"bad time {text!r} in trust list") from None
