"""The policy bundle: the district's policy pack as the server publishes it to checkpoints.

A JSON document ``{"format": "jointcheck-policy-bundle/1", "issuer", "issued_at", "pack",
"pack_sha256", "signature"}`` signed by the same trust anchor as the trust list, so a node
that pinned the anchor with its first trust list accepts no policy from anyone else. The
pack inside is loaded and checked exactly as a pack file is (:func:`load_pack`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from cryptography import x509

from jointcheck.errors import PolicyError
from jointcheck.rules.policy import PolicyPack, load_pack
from jointcheck.trust.signatures import PrivateKey
from jointcheck.trust.signed import canonical, check_signature, sign_document

FORMAT = "jointcheck-policy-bundle/1"


class PolicyBundle(NamedTuple):
    """A checked bundle: the pack, when it was published, and the hash of the pack."""

    pack: PolicyPack
    issuer: str
    issued_at: datetime
    pack_sha256: str


def build_policy_bundle(pack_document: Mapping[str, Any], *, issuer: str, issued_at: datetime,
                        anchor_key: PrivateKey) -> dict[str, Any]:
    """Return the signed bundle of a pack's document (as loaded from its file)."""
    pack = dict(pack_document)
    body = {"format": FORMAT, "issuer": issuer,
            "issued_at": issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "pack": pack, "pack_sha256": hashlib.sha256(canonical(pack)).hexdigest()}
    return sign_document(body, anchor_key)


def load_policy_bundle(document: Any, anchor: x509.Certificate) -> PolicyBundle:
    """Check a bundle's signature against the pinned anchor and load its pack.

    Raises ``PolicyError``: ``policy-bundle-invalid``, ``policy-bundle-unsigned``,
    ``policy-bundle-signature``, or any refusal of the pack itself.
    """
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise PolicyError("policy-bundle-invalid", f"not a policy bundle ({FORMAT} expected)")
    check_signature(document, anchor, PolicyError, "policy-bundle", "policy bundle")
    pack_document, issuer, issued = (document.get("pack"), document.get("issuer"),
                                     document.get("issued_at"))
    if not isinstance(pack_document, dict) or not isinstance(issuer, str) \
            or not isinstance(issued, str):
        raise PolicyError("policy-bundle-invalid", "the bundle's pack, issuer or time is missing")
    digest = hashlib.sha256(canonical(pack_document)).hexdigest()
    if digest != document.get("pack_sha256"):
        raise PolicyError("policy-bundle-invalid", "the bundle's pack_sha256 does not match")
    try:
        issued_at = datetime.fromisoformat(issued.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise PolicyError("policy-bundle-invalid", f"bad time {issued!r} in bundle") from None
    pack = load_pack(pack_document, source=f"policy bundle from {issuer}")
    return PolicyBundle(pack, issuer, issued_at, digest)
