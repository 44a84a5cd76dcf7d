"""Verify a credential: decode, find the signer, check signature, key use, time and revocation.

``verify(text, store, at)`` never raises for bad input: it returns a :class:`Verification`
that is either valid or names the stage and code of the refusal. The instant of the check
is an argument, never the system clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from jointcheck.credentials.model import Credential, CredentialType, SignedEnvelope, slot_init
from jointcheck.credentials.registry import decode
from jointcheck.errors import (
    JointcheckError,
    PayloadError,
    RevocationError,
    SignatureError,
    TrustError,
    ValidityError,
)
from jointcheck.trust.revocation import is_revoked
from jointcheck.trust.signatures import signature_matches
from jointcheck.trust.store import TrustedKey, TrustStore

# Issuers' and verifiers' clocks disagree by a little; an iat this far ahead is not refused.
CLOCK_SKEW = timedelta(minutes=5)


@slot_init
@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of verifying one credential."""

    valid: bool
    format: str | None
    credential: Credential | None
    kid: bytes | None
    signer: TrustedKey | None
    error: JointcheckError | None

    @property
    def code(self) -> str:
        """Return ``valid`` or the stable code of the refusal."""
        return "valid" if self.error is None else self.error.code

    @property
    def stage(self) -> str | None:
        """Return the stage that refused, or ``None`` when valid."""
        return None if self.error is None else self.error.stage

    @property
    def message(self) -> str:
        """Return a short sentence for people."""
        if self.error is not None:
            return self.error.message
        assert self.credential is not None
        return f"valid {self.credential.type.value} credential"


def verify(text: str, store: TrustStore, at: datetime) -> Verification:
    """Verify QR text against the trusted keys at the instant ``at``."""
    try:
        envelope = _decode(text)
    except JointcheckError as error:
        return Verification(False, None, None, None, None, error)
    credential = envelope.credential
    try:
        signer = verify_envelope(envelope, store, at)
    except JointcheckError as error:
        return Verification(False, credential.format, credential, envelope.kid, None, error)
    return Verification(True, credential.format, credential, envelope.kid, signer, None)


def _decode(text: str) -> SignedEnvelope:
    # Every codec refuses bad input with a stage error; this is the last line of defence, so
    # that a crafted QR the codecs did not foresee is refused at the door instead of crashing
    # it. The property tests check that the codecs themselves never get here.
    try:
        return decode(text)
    except JointcheckError:
        raise
    except Exception as exc:
        raise PayloadError("payload-invalid",
                           f"the credential could not be read ({type(exc).__name__})") from None


def verify_envelope(envelope: SignedEnvelope, store: TrustStore, at: datetime) -> TrustedKey:
    """Check a decoded envelope; return the key that signed it or raise the refusal."""
    signer = find_signer(envelope, store)
    credential = envelope.credential
    check_signer(signer, credential, at)
    check_validity(credential, at)
    if is_revoked(store, credential, envelope.kid):
        raise RevocationError("revoked", "this credential has been revoked by its issuer")
    return signer


def find_signer(envelope: SignedEnvelope, store: TrustStore) -> TrustedKey:
    """Return the trusted key whose signature this is (trying every key that shares the kid)."""
    candidates = store.candidates(envelope.kid, envelope.key_issuer)
    if not candidates:
        shown = envelope.kid.hex() if envelope.kid else "none"
        raise TrustError("key-unknown", f"no trusted key has the kid {shown}")
    for key in candidates:
        if signature_matches(key.public_key, envelope.algorithm, envelope.signed,
                             envelope.signature):
            return key
    raise SignatureError("signature-invalid", "the signature does not match the signer's key")


def check_signer(signer: TrustedKey, credential: Credential, at: datetime) -> None:
    """Refuse a signer outside its validity or not allowed to sign this type."""
    check_signer_period(signer, credential, at)
    check_key_usage(signer, credential)


def check_signer_period(signer: TrustedKey, credential: Credential, at: datetime) -> None:
    """Refuse a signer not valid at ``at``, or a credential issued before its signer was."""
    if not signer.valid_at(at):
        raise TrustError("signer-expired", "the signer's key is not valid at the time of check")
    issued = credential.issued_at
    if issued is not None and signer.not_before is not None and issued < signer.not_before:
        raise TrustError("signer-expired", "the credential was issued before its signer was valid")


def check_key_usage(signer: TrustedKey, credential: Credential) -> None:
    """Refuse a signer whose key usage does not cover the credential's type."""
    if not signer.allows(credential.type):
        raise TrustError(
            "key-usage", f"the signer's key is not allowed to sign {credential.type.value}"
        )


def check_validity(credential: Credential, at: datetime) -> None:
    """Refuse a credential that is not yet valid or has expired at ``at``."""
    if credential.issued_at is not None and credential.issued_at > at + CLOCK_SKEW:
        raise ValidityError("not-yet-valid", "the credential was issued after the time of check")
    if credential.not_before is not None and credential.not_before > at + CLOCK_SKEW:
        raise ValidityError("not-yet-valid", "the credential is not valid yet")
    if credential.expires_at is not None and at > credential.expires_at:
        what = "health code" if credential.type is CredentialType.HEALTH_CODE else "credential"
        raise ValidityError(
            "expired", f"the {what} expired at {credential.expires_at:%Y-%m-%d %H:%M} UTC")
