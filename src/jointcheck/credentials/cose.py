"""COSE_Sign1 (RFC 9052) as HC1 credentials carry it: parse, and build the Sig_structure.

Only what a signed credential needs: the four-element array, tagged 18 (optionally inside the
CWT tag 61) or untagged, the protected header as a byte string, algorithm and kid read from the
protected header first (a kid in the unprotected header counts only where the protected one has
none, so an attacker cannot redirect the key lookup from outside the signature).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

import cbor2

from jointcheck.errors import CoseError

COSE_SIGN1_TAG = 18
CWT_TAG = 61
HEADER_ALG = 1
HEADER_KID = 4
ALGORITHMS = {-7: "ES256", -37: "PS256", -8: "EdDSA"}
ALGORITHM_IDS = {name: number for number, name in ALGORITHMS.items()}
_SIG1_CONTEXT = cbor2.dumps("Signature1")
_ENVELOPE_TAGS = (CWT_TAG, COSE_SIGN1_TAG)
_loads = cbor2.loads
_CBORTag = cbor2.CBORTag


class Sign1(NamedTuple):
    """A parsed COSE_Sign1 message (a named tuple: cheap to build on every verification)."""

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
    protected, unprotected, payload, signature = _plain_sign1(data) or _decoded_sign1(data)
    header = _protected_header(protected)
    alg = header.get(HEADER_ALG, unprotected.get(HEADER_ALG))
    if type(alg) is not int or alg not in ALGORITHMS:
        raise CoseError("algorithm-unsupported", f"signature algorithm {alg!r} is not supported")
    kid = header[HEADER_KID] if HEADER_KID in header else unprotected.get(HEADER_KID, b"")
    if type(kid) is not bytes:
        raise CoseError("cose-invalid", "the kid is not a byte string")
    return Sign1(protected, ALGORITHMS[alg], kid, payload, signature)


def _decoded_sign1(data: bytes) -> tuple[bytes, Mapping[Any, Any], bytes, bytes]:
    # The four items of any COSE_Sign1 encoding, through the CBOR decoder, each checked.
    try:
        obj = _loads(data)
    except Exception as exc:
        raise CoseError("cose-invalid", f"not a CBOR structure ({_reason(exc)})") from None
    while isinstance(obj, _CBORTag) and obj.tag in _ENVELOPE_TAGS:
        obj = obj.value
    if isinstance(obj, _CBORTag):
        raise CoseError("cose-invalid", f"unexpected CBOR tag {obj.tag} (COSE_Sign1 is 18)")
    # cbor2 6 decodes a tagged array as a tuple and its maps as read-only mappings.
    if not isinstance(obj, list | tuple) or len(obj) != 4:
        raise CoseError("cose-invalid", "not a COSE_Sign1 message (an array of 4 items)")
    protected, unprotected, payload, signature = obj
    if not isinstance(protected, bytes) or not isinstance(unprotected, Mapping):
        raise CoseError("cose-invalid", "COSE headers are malformed")
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise CoseError("cose-invalid", "COSE payload or signature is not a byte string")
    return protected, unprotected, payload, signature


def _plain_sign1(data: bytes) -> tuple[bytes, dict[Any, Any], bytes, bytes] | None:
    # The shape nearly every issuer sends, read with slices: tag 61 (optional), tag 18, an array
    # of four, the protected header as a byte string, an empty unprotected map, payload and
    # signature as byte strings, and nothing after. Anything else returns None and goes through
    # the general CBOR decoder, which gives the same items for this shape.
    try:
        at = 3 if data[0] == 0xD8 else 1
        if data[at - 1:at + 1] != b"\xd2\x84" or (at == 3 and data[1] != CWT_TAG):
            return None
        protected, at = _byte_string(data, at + 1)
        if data[at] != 0xA0:
            return None
        payload, at = _byte_string(data, at + 1)
        signature, at = _byte_string(data, at)
    except (IndexError, ValueError):
        return None
    return (protected, {}, payload, signature) if at == len(data) else None


def _byte_string(data: bytes, at: int) -> tuple[bytes, int]:
    # The definite-length byte string whose head is at ``at``, and where it ends.
    head = data[at]
    if 0x40 <= head < 0x58:
        start, stop = at + 1, at + 1 + head - 0x40
    elif head == 0x58:
        start, stop = at + 2, at + 2 + data[at + 1]
    elif head == 0x59:
        start, stop = at + 3, at + 3 + (data[at + 1] << 8 | data[at + 2])
    else:
        raise ValueError("not a short byte string")
    if stop > len(data):
        raise ValueError("byte string runs past the end")
    return data[start:stop], stop


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
