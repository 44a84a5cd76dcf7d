"""Shared fixtures of the pure-core tests: one anchor, a signer per group, an issuer, trust.

Every instant is pinned: keys are valid from ``t0``, credentials are issued at ``issued_at``
and checked at ``check_at``; nothing reads the system clock. Keys are made once per session
(an RSA key is slow, so there is exactly one).
"""

from __future__ import annotations

import copy
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import cbor2
import pytest
from cryptography import x509

from jointcheck.credentials.base45 import b45decode, b45encode
from jointcheck.credentials.cose import (
    ALGORITHM_IDS,
    COSE_SIGN1_TAG,
    HEADER_ALG,
    HEADER_KID,
    sig_structure,
)
from jointcheck.credentials.cwt import CLAIM_EXP, CLAIM_IAT, CLAIM_ISS, CLAIM_NBF
from jointcheck.credentials.dcc import DCC_KEY, HCERT_CLAIM
from jointcheck.credentials.model import CredentialType
from jointcheck.credentials.payloads import Holder
from jointcheck.trust.certificates import make_anchor, make_signer, new_private_key
from jointcheck.trust.issuer import Issued, Issuer, IssuerProfile, Signer
from jointcheck.trust.signatures import PrivateKey, algorithm_for, sign
from jointcheck.trust.store import TrustStore
from jointcheck.trust.trustlist import TrustList, build_trust_list, load_trust_list
from jointcheck.trust.usage import DCC_TYPES

T0 = datetime(2024, 1, 1, tzinfo=UTC)
ANCHOR_UNTIL = datetime(2034, 1, 1, tzinfo=UTC)
SIGNER_UNTIL = datetime(2026, 1, 1, tzinfo=UTC)
ISSUED_AT = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
CHECK_AT = ISSUED_AT + timedelta(hours=1)
EXEMPTION = frozenset({CredentialType.EXEMPTION})
HEALTH_CODE = frozenset({CredentialType.HEALTH_CODE})


@pytest.fixture(scope="session")
def t0() -> datetime:
    """The instant every key of the session becomes valid."""
    return T0


@pytest.fixture(scope="session")
def signer_until() -> datetime:
    """The instant the session's document signers stop being valid."""
    return SIGNER_UNTIL


@pytest.fixture(scope="session")
def issued_at() -> datetime:
    """The instant the session's credentials are issued."""
    return ISSUED_AT


@pytest.fixture(scope="session")
def check_at() -> datetime:
    """The instant credentials are checked at unless a test says otherwise."""
    return CHECK_AT


@pytest.fixture(scope="session")
def anchor_key() -> PrivateKey:
    return new_private_key("ES256")


@pytest.fixture(scope="session")
def anchor(anchor_key: PrivateKey) -> x509.Certificate:
    return make_anchor(anchor_key, "Test trust anchor", "CN", T0, ANCHOR_UNTIL)


SignerFactory = Callable[..., Signer]


@pytest.fixture(scope="session")
def new_signer(anchor_key: PrivateKey, anchor: x509.Certificate) -> SignerFactory:
    """Return a factory of document signers issued by the session's anchor."""

    def factory(usages: frozenset[CredentialType], *, not_before: datetime = T0,
                not_after: datetime = SIGNER_UNTIL, key: PrivateKey | None = None,
                name: str = "Test signer") -> Signer:
        private = key if key is not None else new_private_key("ES256")
        certificate = make_signer(anchor_key, anchor, private.public_key(), name, usages,
                                  not_before, not_after)
        return Signer(private, certificate)

    return factory


@pytest.fixture(scope="session")
def dcc_signer(new_signer: SignerFactory) -> Signer:
    return new_signer(DCC_TYPES, name="DCC signer")


@pytest.fixture(scope="session")
def exemption_signer(new_signer: SignerFactory) -> Signer:
    return new_signer(EXEMPTION, name="Exemption signer")


@pytest.fixture(scope="session")
def health_code_signer(new_signer: SignerFactory) -> Signer:
    return new_signer(HEALTH_CODE, name="Health-code signer")


@pytest.fixture(scope="session")
def signers(dcc_signer: Signer, exemption_signer: Signer,
            health_code_signer: Signer) -> list[Signer]:
    return [dcc_signer, exemption_signer, health_code_signer]


@pytest.fixture(scope="session")
def issuer(signers: list[Signer]) -> Issuer:
    return Issuer(IssuerProfile(), list(signers))


@pytest.fixture(scope="session")
def rsa_key() -> PrivateKey:
    """The session's only RSA key (RSA 3072 generation takes about a second)."""
    return new_private_key("PS256")


TrustListFactory = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def make_trust_list(anchor: x509.Certificate, anchor_key: PrivateKey) -> TrustListFactory:
    """Return a factory of signed trust-list documents (signed by the session's anchor)."""

    def factory(signers: Iterable[Signer], revoked: Iterable[str] = (), *, sequence: int = 1,
                issued_at: datetime = T0) -> dict[str, Any]:
        return build_trust_list(
            issuer="Test issuer", sequence=sequence, issued_at=issued_at,
            next_update=issued_at + timedelta(days=7), anchor=anchor, anchor_key=anchor_key,
            signers=[s.certificate for s in signers], revoked=revoked)

    return factory


StoreFactory = Callable[..., TrustStore]


@pytest.fixture(scope="session")
def store_for(make_trust_list: TrustListFactory, anchor: x509.Certificate) -> StoreFactory:
    """Return a factory: the store a verifier gets from a signed list of these signers."""

    def factory(signers: Iterable[Signer], revoked: Iterable[str] = ()) -> TrustStore:
        return load_trust_list(make_trust_list(signers, revoked), anchors=[anchor]).store

    return factory


@pytest.fixture(scope="session")
def trust_list_document(make_trust_list: TrustListFactory,
                        signers: list[Signer]) -> dict[str, Any]:
    return make_trust_list(signers)


@pytest.fixture
def trust_list(trust_list_document: dict[str, Any], anchor: x509.Certificate) -> TrustList:
    return load_trust_list(copy.deepcopy(trust_list_document), anchors=[anchor])


@pytest.fixture
def store(trust_list: TrustList) -> TrustStore:
    """A fresh store from the signed trust list of every session signer (free to change)."""
    return trust_list.store


@pytest.fixture(scope="session")
def shared_store(trust_list_document: dict[str, Any], anchor: x509.Certificate) -> TrustStore:
    """The same store, once per session, for property tests (never change it)."""
    return load_trust_list(copy.deepcopy(trust_list_document), anchors=[anchor]).store


@pytest.fixture(scope="session")
def holder() -> Holder:
    return Holder.parse("张伟", "1990-05-17", pid="pid-zhang-wei-0001")


@pytest.fixture(scope="session")
def vaccination(issuer: Issuer, holder: Holder) -> Issued:
    """One vaccination certificate issued at ``issued_at`` (shared, read only)."""
    return issuer.vaccination(holder, dose=2, series=2, when=date(2024, 5, 20), at=ISSUED_AT)


@pytest.fixture(scope="session")
def uvci_check_character() -> Callable[[str], str]:
    """Return the reference UVCI check character (ehn-dcc-schema FAQ, "UVCI checksum").

    Luhn mod N over ``A-Z0-9/:`` (N = 38) of the whole UVCI including ``URN:UVCI:``, as in
    the Wikipedia description the FAQ points to; written here independently of the code.
    """
    charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:"

    def check(text: str) -> str:
        n = len(charset)
        factor, total = 2, 0
        for char in reversed(text):
            addend = factor * charset.index(char)
            total += addend // n + addend % n
            factor = 1 if factor == 2 else 2
        return charset[(n - total % n) % n]

    return check


class CoseKit:
    """Take QR text apart into its COSE_Sign1 items and put (changed) items back together."""

    def layers(self, text: str) -> tuple[str, list[Any]]:
        """Return the prefix and the four COSE_Sign1 items of HC1 or health-code text."""
        prefix = text[: text.index(":") + 1]
        message = cbor2.loads(zlib.decompress(b45decode(text[len(prefix):])))
        while isinstance(message, cbor2.CBORTag):
            message = message.value
        return prefix, list(message)

    def claims(self, text: str) -> dict[Any, Any]:
        """Return the decoded CWT claims of QR text."""
        claims: dict[Any, Any] = cbor2.loads(self.layers(text)[1][2])
        return claims

    def seal(self, prefix: str, items: list[Any], tags: tuple[int, ...] = (COSE_SIGN1_TAG,),
             level: int = 9) -> str:
        """Encode COSE items (wrapped in ``tags``, outermost first) as QR text."""
        message: Any = list(items)
        for tag in reversed(tags):
            message = cbor2.CBORTag(tag, message)
        return prefix + b45encode(zlib.compress(cbor2.dumps(message), level))

    def sign(self, key: PrivateKey, claims: dict[Any, Any], *, kid: bytes | None,
             prefix: str = "HC1:", protected: dict[int, Any] | None = None,
             unprotected: dict[int, Any] | None = None,
             tags: tuple[int, ...] = (COSE_SIGN1_TAG,)) -> str:
        """Sign CWT claims with ``key`` and seal them; headers default to alg and kid."""
        algorithm = algorithm_for(key)
        if protected is None:
            protected = {HEADER_ALG: ALGORITHM_IDS[algorithm]}
            if kid is not None:
                protected[HEADER_KID] = kid
        protected_bytes = cbor2.dumps(protected) if protected else b""
        payload = cbor2.dumps(claims)
        signature = sign(key, algorithm, sig_structure(protected_bytes, payload))
        return self.seal(prefix, [protected_bytes, unprotected or {}, payload, signature], tags)

    def signed_by(self, signer: Signer, claims: dict[Any, Any], **options: Any) -> str:
        """Sign claims as ``signer`` (its key, its kid in the protected header)."""
        return self.sign(signer.key, claims, kid=signer.kid, **options)

    @staticmethod
    def hcert(dcc: dict[str, Any], iat: datetime, exp: datetime,
              nbf: datetime | None = None, iss: str = "CN") -> dict[Any, Any]:
        """Return the CWT claims of an HC1 certificate carrying ``dcc``."""
        claims: dict[Any, Any] = {CLAIM_ISS: iss, CLAIM_IAT: int(iat.timestamp()),
                                  CLAIM_EXP: int(exp.timestamp()), HCERT_CLAIM: {DCC_KEY: dcc}}
        if nbf is not None:
            claims[CLAIM_NBF] = int(nbf.timestamp())
        return claims


@pytest.fixture(scope="session")
def cose() -> CoseKit:
    return CoseKit()
