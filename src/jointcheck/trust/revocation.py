"""Revocation: hashed certificate ids (HC1 and health codes) and SMART Health Card rids.

The list holds only hashes, so it can be published without naming anyone: the first 16 bytes
of SHA-256 over the certificate identifier (as the EU DCC revocation lists do for the UCI).
A SMART Health Card CRL lists ``rid`` values per key, optionally with a timestamp: then only
cards issued (``nbf``) before that time are revoked.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from jointcheck.credentials.model import Credential

if TYPE_CHECKING:
    from jointcheck.trust.store import TrustStore


def _small_sha256() -> Callable[[bytes], Any]:
    # CPython's own SHA-256 (``_sha256`` in 3.11, ``_sha2`` from 3.12): for the few dozen bytes
    # of an identifier it costs half of what setting up an OpenSSL digest does on every call.
    for name in ("_sha256", "_sha2"):
        try:
            constructor: Callable[[bytes], Any] = importlib.import_module(name).sha256
        except (ImportError, AttributeError):
            continue
        return constructor
    return hashlib.sha256


_sha256 = _small_sha256()


def certificate_id_hash(certificate_id: str) -> str:
    """Return the hex hash of a certificate identifier as revocation lists carry it."""
    digest: bytes = _sha256(certificate_id.strip().upper().encode("utf-8")).digest()
    return digest[:16].hex()


def is_revoked(store: TrustStore, credential: Credential, kid: bytes) -> bool:
    """Tell whether ``credential`` (signed under ``kid``) is on a revocation list of ``store``."""
    cid = credential.certificate_id
    if not cid:
        return False
    if credential.format == "shc":
        rids = store.revoked_shc.get(kid.decode("ascii", "replace"))
        if not rids or cid not in rids:
            return False
        cutoff = rids[cid]
        nbf = credential.not_before or credential.issued_at
        return cutoff is None or nbf is None or nbf.timestamp() < cutoff
    revoked = store.revoked
    return bool(revoked) and certificate_id_hash(cid) in revoked
