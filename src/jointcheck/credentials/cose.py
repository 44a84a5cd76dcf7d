"""COSE_Sign1 (RFC 9052) as HC1 credentials carry it: parse, and build the Sig_structure.

Only what a signed credential needs: the four-element array, tagged 18 (optionally inside the
CWT tag 61) or untagged, the protected header as a byte string, algorithm and kid read from the
protected header first (a kid in the unprotected header counts only where the protected one has
none, so an attacker cannot redirect the key lookup from outside the signature).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cbor2

from jointcheck.errors import CoseError

COSE_SIGN1_TAG = 18
CWT_TAG = 61
HEADER_ALG = 1
HEADER_KID = 4
ALGORITHMS = {-7: "ES256", -37: "PS256", -8: "EdDSA"}
ALGORITHM_IDS = {name: number for number, name in ALGORITHMS.items()}
_SIG1_CONTEXT = cbor2.dumps("Signature1")


@dataclass(frozen=True, slots=True)
class Sign1:
    """A parsed COSE_Sign1 message."""

    protected: bytes
    algorithm: str
    kid: bytes
    payload: bytes
    signature: bytes

    def to_be_signed(self) -> bytes:
        """Return the Sig_structure bytes the signature is over."""
        return sig_structure(self.protected, self.payload)


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """Return ``["Signature1", protected, b"", payload]`` encoded as CBOR."""
    return b"".join((b"\x84", _SIG1_CONTEXT, _bstr_head(len(protected)), protected, b"\x40",
                     _bstr_head(len(payload)), payload))


def _bstr_head(n: int) -> bytes:
    # The CBOR head of a byte string of length n (major type 2), shortest form.
    if n < 24:
        return bytes((0x40 | n,))
    if n < 0x100:
        return bytes((0x58, n))
    if n < 0x10000:
        return b"\x59" + n.to_bytes(2, "big")
    return b"\x5a" + n.to_bytes(4, "big")


def parse_sign1(data: bytes) -> Sign1:
    """Parse COSE_Sign1 bytes; raise :class:`CoseError` naming what is malformed."""
    try:
        obj = cbor2.loads(data)
    except Exception as exc:
        raise CoseError("cose-invalid", f"not a CBOR structure ({_reason(exc)})") from None
    while isinstance(obj, cbor2.CBORTag) and obj.tag in (CWT_TAG, COSE_SIGN1_TAG):
        obj = obj.value
    if isinstance(obj, cbor2.CBORTag):
        raise CoseError("cose-invalid", f"unexpected CBOR tag {obj.tag} (COSE_Sign1 is 18)")
    if not isinstance(obj, list) or len(obj) != 4:
        raise CoseError("cose-invalid", "not a COSE_Sign1 message (an array of 4 items)")
    protected, unprotected, payload, signature = obj
    if not isinstance(protected, bytes) or not isinstance(unprotected, dict):
        raise CoseError("cose-invalid", "COSE headers are malformed")
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise CoseError("cose-invalid", "COSE payload or signature is not a byte string")
    header = _protected_header(protected)
    alg = header.get(HEADER_ALG, unprotected.get(HEADER_ALG))
    if not isinstance(alg, int) or alg not in ALGORITHMS:
        raise CoseError("algorithm-unsupported", f"signature algorithm {alg!r} is not supported")
    kid = header[HEADER_KID] if HEADER_KID in header else unprotected.get(HEADER_KID, b"")
    if not isinstance(kid, bytes):
        raise CoseError("cose-invalid", "the kid is not a byte string")
    return Sign1(protected, ALGORITHMS[alg], kid, payload, signature)


def build_sign1(protected_header: dict[int, Any], payload: bytes, signature: bytes) -> bytes:
    """Encode a tagged COSE_Sign1 message with an empty unprotected header."""
    protected = cbor2.dumps(protected_header)
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def protected_bytes(protected_header: dict[int, Any]) -> bytes:
    """Encode a protected header as it is signed and sent."""
    return cbor2.dumps(protected_header)


@lru_cache(maxsize=256)
def _protected_header(protected: bytes) -> dict[Any, Any]:
    # Cached: a signer's protected header is the same bytes on every certificate it signs.
    if not protected:
        return {}
    try:
        header = cbor2.loads(protected)
    except Exception as exc:
        raise CoseError("cose-invalid", f"protected header is not CBOR ({_reason(exc)})") from None
    if not isinstance(header, dict):
        raise CoseError("cose-invalid", "protected header is not a map")
    return header


def _reason(exc: Exception) -> str:
    return str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__
