"""X.509 for the issuer: a trust anchor (CSCA) and document signer certificates (DSC).

The kid of a DSC is the first 8 bytes of SHA-256 over its DER encoding, as the DCC
specification defines it.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from jointcheck.credentials.model import CredentialType
from jointcheck.errors import TrustListError
from jointcheck.trust.signatures import PrivateKey, PublicKey
from jointcheck.trust.store import TrustedKey
from jointcheck.trust.usage import extended_key_usage, usages_of


def new_private_key(algorithm: str = "ES256") -> PrivateKey:
    """Generate a signing key for ``ES256`` (P-256) or ``PS256`` (RSA 3072)."""
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == "PS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    raise TrustListError("algorithm-unsupported", f"cannot make keys for {algorithm}")


def kid_of(certificate: x509.Certificate) -> bytes:
    """Return the DCC kid: the first 8 bytes of SHA-256 over the certificate's DER."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).digest()[:8]


def _name(common_name: str, country: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, country),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def make_anchor(
    key: PrivateKey, common_name: str, country: str, not_before: datetime, not_after: datetime
) -> x509.Certificate:
    """Return a self-signed trust anchor certificate (a CA that signs only signers)."""
    name = _name(common_name, country)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                       critical=True)
    )
    return builder.sign(key, _hash_for(key))


def make_signer(
    anchor_key: PrivateKey, anchor: x509.Certificate, public_key: PublicKey, common_name: str,
    usages: frozenset[CredentialType], not_before: datetime, not_after: datetime,
) -> x509.Certificate:
    """Return a document signer certificate for ``usages``, issued by the anchor."""
    country = anchor.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, str(country))).issuer_name(anchor.subject)
        .public_key(public_key).serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                       critical=True)
        .add_extension(extended_key_usage(usages), critical=False)
    )
    return builder.sign(anchor_key, _hash_for(anchor_key))


def trusted_key(certificate: x509.Certificate, source: str = "") -> TrustedKey:
    """Return the verifier's view of a signer certificate: kid, key, usages, validity."""
    public_key = certificate.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey |
                      ed25519.Ed25519PublicKey):
        raise TrustListError("key-unsupported", "the certificate's key type is not supported")
    return TrustedKey(
        kid=kid_of(certificate),
        public_key=public_key,
        usages=usages_of(certificate),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        label=certificate.subject.rfc4514_string(),
        source=source,
    )


def load_certificate(data: bytes) -> x509.Certificate:
    """Load a certificate from PEM or DER (or bare base64 DER, as test data carries it)."""
    stripped = data.strip()
    try:
        if stripped.startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(stripped)
        if stripped[:1] == b"\x30":
            return x509.load_der_x509_certificate(stripped)
        return x509.load_der_x509_certificate(base64.b64decode(stripped, validate=False))
    except ValueError as exc:
        raise TrustListError("certificate-invalid", f"not an X.509 certificate ({exc})") from None


def _hash_for(key: PrivateKey) -> hashes.SHA256 | None:
    return None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
