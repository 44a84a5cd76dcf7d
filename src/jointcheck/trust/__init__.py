"""Trust: keys, signer certificates, trust lists, revocation, and ``verify``."""

from jointcheck.trust.issuer import Issued, Issuer, IssuerProfile, Signer
from jointcheck.trust.store import TrustedKey, TrustStore
from jointcheck.trust.trustlist import TrustList, build_trust_list, load_trust_list
from jointcheck.trust.verify import Verification, verify, verify_envelope

__all__ = [
    "Issued",
    "Issuer",
    "IssuerProfile",
    "Signer",
    "TrustList",
    "TrustStore",
    "TrustedKey",
    "Verification",
    "build_trust_list",
    "load_trust_list",
    "verify",
    "verify_envelope",
]
