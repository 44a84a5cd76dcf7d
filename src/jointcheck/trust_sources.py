"""Load what a verifier trusts from files: signed trust lists, X.509 certificates, JWKS, CRLs.

The kind of each file is recognised from its content, so ``--trust`` takes any of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cryptography import x509

from jointcheck.errors import TrustListError
from jointcheck.trust.certificates import load_certificate, trusted_key
from jointcheck.trust.jwks import load_jwks, load_shc_crl
from jointcheck.trust.store import TrustStore
from jointcheck.trust.trustlist import TrustList, load_trust_list

_PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


def load_trust(paths: Iterable[Path], anchors: Iterable[Path] = ()) -> tuple[TrustStore,
                                                                              list[TrustList]]:
    """Read every ``--trust`` file into one store; return it with the trust lists read."""
    pinned = [c for p in anchors for c in certificates_in(_read(p), str(p))]
    store, lists = TrustStore(), []
    crls: list[Any] = []
    for path in paths:
        data = _read(path)
        document = _json_or_none(data)
        if isinstance(document, dict) and document.get("method") == "rid":
            crls.append(document)  # loaded after the keys, whichever order they came in
        elif isinstance(document, dict) and str(document.get("format", "")).startswith(
                "jointcheck-trustlist"):
            trust_list = load_trust_list(document, pinned, source=str(path))
            lists.append(trust_list)
            store.merge(trust_list.store)
        elif isinstance(document, dict) and "keys" in document:
            store.merge(load_jwks(document, source=str(path)))
        elif document is not None:
            raise TrustListError("trust-file-unknown", f"{path}: JSON that is no trust list, "
                                 "JWKS or CRL")
        else:
            for certificate in certificates_in(data, str(path)):
                store.add(trusted_key(certificate, source=str(path)))
            store.sources.append(str(path))
    for crl in crls:
        load_shc_crl(crl, store)
    return store, lists


def certificates_in(data: bytes, source: str) -> list[x509.Certificate]:
    """Return every certificate in a PEM bundle or a single DER or base64 certificate."""
    blocks = _PEM_CERT.findall(data)
    try:
        return [load_certificate(b) for b in blocks] if blocks else [load_certificate(data)]
    except TrustListError as exc:
        raise TrustListError(exc.code, f"{source}: {exc.message}") from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise TrustListError("trust-file-unreadable", f"cannot read {path}: {exc.strerror}") \
            from None


def _json_or_none(data: bytes) -> Any:
    if data.lstrip()[:1] not in (b"{", b"["):
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None
