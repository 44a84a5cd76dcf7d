"""JSON documents signed by the trust anchor: the trust list and the policy bundle.

The signature covers the canonical JSON (sorted keys, no spaces) of every field but
``signature``, which holds ``{"alg", "value"}`` (base64). A refusal is raised as the caller's
error class with codes ``<kind>-unsigned``, ``<kind>-invalid`` and ``<kind>-signature``.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography import x509

from jointcheck.errors import JointcheckError
from jointcheck.trust.certificates import trusted_key
from jointcheck.trust.signatures import PrivateKey, algorithm_for, sign, signature_matches

ALGORITHMS = ("ES256", "PS256", "EdDSA")


def canonical(document: dict[str, Any]) -> bytes:
    """Return the canonical JSON bytes that are signed (sorted keys, no spaces)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_document(body: dict[str, Any], key: PrivateKey) -> dict[str, Any]:
    """Return ``body`` with a ``signature`` by ``key`` over its canonical JSON."""
    algorithm = algorithm_for(key)
    value = sign(key, algorithm, canonical(body))
    return body | {"signature": {"alg": algorithm, "value": base64.b64encode(value).decode()}}


def check_signature(document: dict[str, Any], anchor: x509.Certificate,
                    error: type[JointcheckError], kind: str, what: str) -> None:
    """Raise ``error`` unless ``document`` is signed by ``anchor``'s key."""
    signature = document.get("signature")
    body = {k: v for k, v in document.items() if k != "signature"}
    if not isinstance(signature, dict):
        raise error(f"{kind}-unsigned", f"the {what} has no signature")
    try:
        value = base64.b64decode(str(signature.get("value", "")), validate=True)
    except ValueError:
        raise error(f"{kind}-invalid", f"the {what} signature is not base64") from None
    algorithm = str(signature.get("alg"))
    if algorithm not in ALGORITHMS:
        raise error(f"{kind}-invalid", f"unsupported signature algorithm {algorithm!r}")
    if not signature_matches(trusted_key(anchor).public_key, algorithm, canonical(body), value):
        raise error(f"{kind}-signature", f"the {what} signature does not verify")
