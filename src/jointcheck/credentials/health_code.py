"""The health code: a short-lived signed colour for a pseudonymous holder (``HCODE1:``).

Same envelope as HC1 (CWT in COSE_Sign1, zlib, base45) with its own prefix, so that a health
code can never be mistaken for a certificate. Its claims: issuer, issued-at, expiry minutes to
a day later, a random code id (cti), and a private claim with the colour, the holder's
pseudonymous id, name and birth date. Replay protection is the short expiry: a screenshot of
an old code fails the expiry check at the door.
"""

from __future__ import annotations

from typing import Any

from jointcheck.credentials.cwt import CLAIM_CTI, Claims, open_envelope
from jointcheck.credentials.dcc import subject_from_dcc
from jointcheck.credentials.model import (
    CodeColor,
    Credential,
    CredentialType,
    HealthCodeEntry,
    SignedEnvelope,
)
from jointcheck.errors import PayloadError

PREFIX = "HCODE1:"
HEALTH_CODE_CLAIM = -70001


class HealthCodeCodec:
    """Decode ``HCODE1:`` QR text."""

    format = "health-code"

    def applies(self, text: str) -> bool:
        """Tell whether ``text`` carries the health-code prefix."""
        return text.startswith(PREFIX)

    def decode(self, text: str) -> SignedEnvelope:
        """Decode health-code text into a signed envelope."""
        sign1, claims = open_envelope(text, PREFIX)
        return SignedEnvelope(
            credential=credential_from_claims(claims),
            algorithm=sign1.algorithm,
            kid=sign1.kid,
            signed=sign1.to_be_signed(),
            signature=sign1.signature,
        )


def credential_from_claims(claims: Claims) -> Credential:
    """Map health-code claims to a Credential."""
    body = claims.raw.get(HEALTH_CODE_CLAIM)
    if not isinstance(body, dict):
        raise PayloadError("payload-invalid", "the health-code claim is missing")
    try:
        color = CodeColor(str(body.get("col")))
    except ValueError:
        raise PayloadError("payload-invalid", f"unknown health-code colour {body.get('col')!r}") \
            from None
    if claims.issued_at is None or claims.expires_at is None or claims.cti is None:
        raise PayloadError("payload-invalid", "a health code needs iat, exp and a code id")
    if not isinstance(body.get("pid"), str) or not body["pid"]:
        raise PayloadError("payload-invalid", "a health code needs the holder's pseudonymous id")
    code_id = claims.cti.hex()
    return Credential(
        format="health-code",
        type=CredentialType.HEALTH_CODE,
        subject=subject_from_dcc(body),
        entries=(HealthCodeEntry(color=color, code_id=code_id),),
        issuer=claims.issuer,
        issued_at=claims.issued_at,
        expires_at=claims.expires_at,
        not_before=claims.not_before,
        certificate_id=code_id,
        payload=body,
    )


def health_code_claims(body: dict[str, Any], cti: bytes) -> dict[int, Any]:
    """Return the private claims of a health code (without iss, iat, exp)."""
    return {CLAIM_CTI: cti, HEALTH_CODE_CLAIM: body}


HEALTH_CODE_CODEC = HealthCodeCodec()
