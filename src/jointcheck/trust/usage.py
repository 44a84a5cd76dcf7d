"""Extended key usage: which credential types a document signer certificate may sign.

The EU DCC OIDs mark test, vaccination and recovery signers (both the registered arc and the
``0.1847`` arc early certificates used). A DSC with none of them may sign any DCC type, as the
DCC specification says. Exemption and health-code signers are marked with jointcheck's own
OIDs under the UUID arc 2.25 (ITU-T X.667, no registration needed); those types are never
signed by a certificate without the OID.
"""

from __future__ import annotations

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ObjectIdentifier

from jointcheck.credentials.model import CredentialType

DCC_TYPES = frozenset({CredentialType.TEST, CredentialType.VACCINATION, CredentialType.RECOVERY})
EXEMPTION_OID = "2.25.5902218897141148218471168658482662584"
HEALTH_CODE_OID = "2.25.183519932118346924507042080204834087294"
OIDS: dict[str, CredentialType] = {
    "1.3.6.1.4.1.1847.2021.1.1": CredentialType.TEST,
    "1.3.6.1.4.1.1847.2021.1.2": CredentialType.VACCINATION,
    "1.3.6.1.4.1.1847.2021.1.3": CredentialType.RECOVERY,
    "1.3.6.1.4.1.0.1847.2021.1.1": CredentialType.TEST,
    "1.3.6.1.4.1.0.1847.2021.1.2": CredentialType.VACCINATION,
    "1.3.6.1.4.1.0.1847.2021.1.3": CredentialType.RECOVERY,
    EXEMPTION_OID: CredentialType.EXEMPTION,
    HEALTH_CODE_OID: CredentialType.HEALTH_CODE,
}
OID_OF: dict[CredentialType, str] = {
    CredentialType.TEST: "1.3.6.1.4.1.1847.2021.1.1",
    CredentialType.VACCINATION: "1.3.6.1.4.1.1847.2021.1.2",
    CredentialType.RECOVERY: "1.3.6.1.4.1.1847.2021.1.3",
    CredentialType.EXEMPTION: EXEMPTION_OID,
    CredentialType.HEALTH_CODE: HEALTH_CODE_OID,
}


def usages_of(certificate: x509.Certificate) -> frozenset[CredentialType]:
    """Return the credential types a certificate may sign, from its extended key usage."""
    oids = [oid for oid in _eku_oids(certificate) if oid in OIDS]
    return frozenset(OIDS[oid] for oid in oids) if oids else DCC_TYPES


def _eku_oids(certificate: x509.Certificate) -> list[str]:
    try:
        eku = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return []
    except ValueError:
        # Some issuers' certificates encode an extension outside strict DER (a default value
        # written out); cryptography refuses those, asn1crypto reads them.
        der = certificate.public_bytes(serialization.Encoding.DER)
        value = asn1_x509.Certificate.load(der).extended_key_usage_value
        return list(value.native) if value is not None else []
    return [oid.dotted_string for oid in eku]


def extended_key_usage(usages: frozenset[CredentialType]) -> x509.ExtendedKeyUsage:
    """Return the extension that marks a signer for ``usages``."""
    return x509.ExtendedKeyUsage(
        [ObjectIdentifier(OID_OF[u]) for u in sorted(usages, key=lambda u: u.value)]
    )
