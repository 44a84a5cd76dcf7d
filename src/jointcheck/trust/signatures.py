"""Check a signature with a public key object: ES256 (raw r||s), PS256, EdDSA."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

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
            if not isinstance(key, ec.EllipticCurvePublicKey) or len(signature) != 64:
                return False
            der = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
            key.verify(der, signed, _ECDSA_SHA256)
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
