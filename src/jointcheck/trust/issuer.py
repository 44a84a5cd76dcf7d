"""Sign credentials: pick the document signer for the type, build the CWT, seal it as QR text.

Keys are objects passed in (loaded from the key store at the edge); the instant of issuing is
an argument. A certificate never outlives the signer that signed it.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import cbor2
from cryptography import x509

from jointcheck.credentials import health_code, payloads
from jointcheck.credentials.cose import (
    ALGORITHM_IDS,
    HEADER_ALG,
    HEADER_KID,
    build_sign1,
    protected_bytes,
    sig_structure,
)
from jointcheck.credentials.cwt import CLAIM_EXP, CLAIM_IAT, CLAIM_ISS, CLAIM_NBF, seal
from jointcheck.credentials.dcc import DCC_KEY, HCERT_CLAIM
from jointcheck.credentials.hc1 import PREFIX as HC1_PREFIX
from jointcheck.credentials.model import CodeColor, CredentialType
from jointcheck.credentials.payloads import Holder
from jointcheck.errors import KeyStoreError, SchemaError
from jointcheck.trust.certificates import kid_of
from jointcheck.trust.signatures import PrivateKey, algorithm_for, sign
from jointcheck.trust.usage import usages_of

CERTIFICATE_VALIDITY = timedelta(days=365)
HEALTH_CODE_TTL = timedelta(minutes=10)
MAX_HEALTH_CODE_TTL = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Signer:
    """A document signer: its private key and certificate."""

    key: PrivateKey
    certificate: x509.Certificate

    @property
    def kid(self) -> bytes:
        return kid_of(self.certificate)

    def may_sign(self, kind: CredentialType, at: datetime) -> bool:
        """Tell whether this signer may sign ``kind`` at ``at``."""
        cert = self.certificate
        valid = cert.not_valid_before_utc <= at <= cert.not_valid_after_utc
        return valid and kind in usages_of(cert)


@dataclass(frozen=True, slots=True)
class Issued:
    """A freshly signed credential: the QR text and what identifies it."""

    text: str
    type: CredentialType
    certificate_id: str
    kid: bytes
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class IssuerProfile:
    """Who issues: the country (``iss`` claim), the authority's name and its UVCI code."""

    country: str = "CN"
    name: str = "Fangzi District CDC"
    code: str = "FZCDC"


class Issuer:
    """Issue signed credentials with the newest valid signer for each type."""

    def __init__(self, profile: IssuerProfile, signers: list[Signer]) -> None:
        self.profile = profile
        self.signers = signers

    def signer_for(self, kind: CredentialType, at: datetime) -> Signer:
        """Return the newest signer allowed to sign ``kind`` at ``at``."""
        usable = [s for s in self.signers if s.may_sign(kind, at)]
        if not usable:
            raise KeyStoreError("signer-missing",
                                f"no valid signer for {kind.value} at {at:%Y-%m-%d}")
        # The newest certificate wins; of two made in the same second, the one added last.
        return max(reversed(usable), key=lambda s: s.certificate.not_valid_before_utc)

    def new_certificate_id(self) -> str:
        """Return a fresh UVCI for this issuer."""
        unique = base64.b32encode(secrets.token_bytes(10)).decode().rstrip("=")
        return payloads.uvci(self.profile.country, self.profile.code, unique)

    def vaccination(self, holder: Holder, *, dose: int, series: int, when: date, at: datetime,
                    product: str = "BBIBP-CorV", vaccine: str = "1157024006",
                    manufacturer: str = "ORG-100020693") -> Issued:
        """Issue a vaccination certificate for one dose."""
        cid = self.new_certificate_id()
        payload = payloads.vaccination_payload(
            holder, dose=dose, series=series, when=when, product=product, vaccine=vaccine,
            manufacturer=manufacturer, country=self.profile.country, issuer=self.profile.name,
            certificate_id=cid)
        return self._dcc(CredentialType.VACCINATION, payload, cid, at)

    def test(self, holder: Holder, *, sampled_at: datetime, at: datetime, result: str = "260415000",
             test_type: str = "LP6464-4", centre: str = "") -> Issued:
        """Issue a test certificate."""
        cid = self.new_certificate_id()
        payload = payloads.test_payload(
            holder, sampled_at=sampled_at, test_type=test_type, result=result,
            country=self.profile.country, issuer=self.profile.name, certificate_id=cid,
            centre=centre)
        return self._dcc(CredentialType.TEST, payload, cid, at, timedelta(days=3))

    def recovery(self, holder: Holder, *, first_positive: date, valid_from: date,
                 valid_until: date, at: datetime) -> Issued:
        """Issue a recovery certificate."""
        cid = self.new_certificate_id()
        payload = payloads.recovery_payload(
            holder, first_positive=first_positive, valid_from=valid_from,
            valid_until=valid_until, country=self.profile.country, issuer=self.profile.name,
            certificate_id=cid)
        return self._dcc(CredentialType.RECOVERY, payload, cid, at)

    def exemption(self, holder: Holder, *, institution: str, institution_level: int,
                  reason_category: str, valid_from: date, valid_until: date,
                  at: datetime) -> Issued:
        """Issue a contraindication (exemption) certificate."""
        cid = self.new_certificate_id()
        payload = payloads.exemption_payload(
            holder, institution=institution, institution_level=institution_level,
            reason_category=reason_category, valid_from=valid_from, valid_until=valid_until,
            country=self.profile.country, certificate_id=cid)
        first = datetime.combine(valid_from, datetime.min.time(), at.tzinfo)
        last = datetime.combine(valid_until, datetime.max.time(), at.tzinfo)
        if last <= at:
            raise SchemaError("date-invalid", "this exemption would already be over when issued")
        return self._dcc(CredentialType.EXEMPTION, payload, cid, at, last - at,
                         not_before=first if first > at else None)

    def health_code(self, holder: Holder, *, color: CodeColor, at: datetime,
                    ttl: timedelta = HEALTH_CODE_TTL) -> Issued:
        """Issue a health code valid for ``ttl`` (minutes to a day)."""
        if not timedelta(0) < ttl <= MAX_HEALTH_CODE_TTL:
            raise KeyStoreError("ttl-invalid", "a health code lives between a second and a day")
        cti = secrets.token_bytes(16)
        claims = health_code.health_code_claims(payloads.health_code_body(holder, color), cti)
        return self._sign(health_code.PREFIX, CredentialType.HEALTH_CODE, claims, cti.hex(), at,
                          ttl)

    def _dcc(self, kind: CredentialType, payload: dict[str, Any], cid: str, at: datetime,
             validity: timedelta = CERTIFICATE_VALIDITY,
             not_before: datetime | None = None) -> Issued:
        claims: dict[int, Any] = {HCERT_CLAIM: {DCC_KEY: payload}}
        if not_before is not None:  # CWT nbf: the verifier refuses it until then
            claims[CLAIM_NBF] = int(not_before.timestamp())
        return self._sign(HC1_PREFIX, kind, claims, cid, at, validity)

    def _sign(self, prefix: str, kind: CredentialType, claims: dict[int, Any], cid: str,
              at: datetime, validity: timedelta) -> Issued:
        signer = self.signer_for(kind, at)
        expires = min(at + validity, signer.certificate.not_valid_after_utc)
        at_s, exp_s = int(at.timestamp()), int(expires.timestamp())
        full = {CLAIM_ISS: self.profile.country, CLAIM_IAT: at_s, CLAIM_EXP: exp_s} | claims
        algorithm = algorithm_for(signer.key)
        header = {HEADER_ALG: ALGORITHM_IDS[algorithm], HEADER_KID: signer.kid}
        body = cbor2.dumps(full)
        signature = sign(signer.key, algorithm, sig_structure(protected_bytes(header), body))
        text = seal(prefix, build_sign1(header, body, signature))
        issued_at = datetime.fromtimestamp(at_s, at.tzinfo)
        return Issued(text, kind, cid, signer.kid, issued_at,
                      datetime.fromtimestamp(exp_s, at.tzinfo))
