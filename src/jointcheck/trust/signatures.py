"""Check a signature with a public key object: ES256 (raw r||s), PS256, EdDSA."""

from __future__ import annotations

from typing import TypeGuard

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from jointcheck.errors import SignatureError

PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey | ed25519.Ed25519PublicKey
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey

_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())
_SHA256 = hashes.SHA256()
_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
_PSS_ANY_SALT = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)


def signature_matches(key: PublicKey, algorithm: str, signed: bytes, signature: bytes) -> bool:
    """Tell whether ``signature`` over ``signed`` verifies with ``key`` under ``algorithm``."""
    try:
        if algorithm == "ES256":
            if not _is_ec_key(key) or len(signature) != 64:
                return False
            key.verify(raw_to_der(signature), signed, _ECDSA_SHA256)
        elif algorithm == "PS256":
            if not isinstance(key, rsa.RSAPublicKey):
                return False
            key.verify(signature, signed, _PSS_ANY_SALT, _SHA256)
        elif algorithm == "EdDSA":
            if not isinstance(key, ed25519.Ed25519PublicKey):
                return False
            key.verify(signature, signed)
        else:
            raise SignatureError(
                "algorithm-unsupported", f"signature algorithm {algorithm} is not supported"
            )
    except InvalidSignature:
        return False
    return True


_EC_KEY_TYPES: set[type] = set()


def _is_ec_key(key: object) -> TypeGuard[ec.EllipticCurvePublicKey]:
    # isinstance against the abstract class costs microseconds on every call; which concrete
    # types are EC public keys is fixed, so each type is checked once.
    kind = type(key)
    if kind in _EC_KEY_TYPES:
        return True
    if isinstance(key, ec.EllipticCurvePublicKey):
        _EC_KEY_TYPES.add(kind)
        return True
    return False


def raw_to_der(signature: bytes) -> bytes:
    """Return a 64-byte raw ECDSA signature (r || s) as the DER ``SEQUENCE`` of two INTEGERs.

    The same bytes as ``encode_dss_signature`` on the two numbers, without converting them to
    integers and back: each half loses its leading zero bytes and gains one where its top bit
    is set (a DER INTEGER is signed). Both are at most 33 bytes, so every length is one byte.
    """
    r, s = signature[:32], signature[32:]
    if r[0] and s[0]:  # no leading zero byte to drop (all but about 1 in 128 signatures)
        r = (b"\x02\x21\x00" if r[0] & 0x80 else b"\x02\x20") + r
        s = (b"\x02\x21\x00" if s[0] & 0x80 else b"\x02\x20") + s
    else:
        r, s = _der_integer(r), _der_integer(s)
    return b"".join((b"\x30", bytes((len(r) + len(s),)), r, s))


def _der_integer(magnitude: bytes) -> bytes:
    digits = magnitude.lstrip(b"\x00") or b"\x00"
    if digits[0] & 0x80:
        digits = b"\x00" + digits
    return b"\x02" + bytes((len(digits),)) + digits


def sign(key: PrivateKey, algorithm: str, data: bytes) -> bytes:
    """Sign ``data``; ECDSA signatures come back as raw r||s, as COSE and JWS carry them."""
    if algorithm == "ES256" and isinstance(key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.sign(data, _ECDSA_SHA256))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if algorithm == "PS256" and isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, _PSS, _SHA256)
    if algorithm == "EdDSA" and isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    raise SignatureError("algorithm-unsupported", f"cannot sign {algorithm} with this key")


def algorithm_for(key: PrivateKey | PublicKey) -> str:
    """Return the signature algorithm a key is used with."""
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return "ES256"
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "PS256"
    return "EdDSA"
