"""SMART Health Card issuers' keys: a JWKS, its CRLs, and a directory of trusted issuers.

An issuer publishes its public keys at ``<iss>/.well-known/jwks.json`` and, per key with a
``crlVersion``, a revocation list at ``<iss>/.well-known/crl/<kid>.json``; fetching them is
the edge's business, these functions only read what was fetched. Every key must be a public
EC P-256 key for ES256 signatures whose ``kid`` is its RFC 7638 thumbprint; one bad key
refuses the whole set, because a damaged or careless key set is not one to trust.

Where a key carries an ``x5c`` certificate chain, the chain is checked for consistency only:
the leaf holds the same public key, names a URI subject alternative name (equal to the
issuer when the issuer is known), and each certificate is signed by the next. It is not
anchored to any root of trust (SMART Health Cards trust the issuer's URL, not a CA) and the
certificates' validity dates are not enforced (upstream only warns about them).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec

from jointcheck.credentials.model import CredentialType
from jointcheck.errors import TrustListError
from jointcheck.trust.store import TrustedKey, TrustStore

# What a SMART Health Card can state; exemptions and health codes are never signed this way.
SHC_USAGES = frozenset({CredentialType.VACCINATION, CredentialType.TEST, CredentialType.RECOVERY})
_RID = re.compile(r"([A-Za-z0-9_-]{1,24})(?:\.(\d{1,12}))?")

JsonInput = bytes | str | Mapping[str, Any]


def load_jwks(data: JsonInput, issuer: str | None = None, source: str = "") -> TrustStore:
    """Read an issuer's JWKS into a store of ES256 keys bound to ``issuer``.

    Pass the ``iss`` the key set was fetched for: a key loaded without one is not bound to
    any issuer and would verify a card that names any ``iss``.
    """
    document = _json(data, "key set", "jwks-invalid")
    keys = document.get("keys")
    if not isinstance(keys, list) or not keys:
        raise TrustListError("jwks-invalid", "a key set needs a non-empty 'keys' list")
    store = TrustStore()
    for jwk in keys:
        if not isinstance(jwk, dict):
            raise TrustListError("jwks-invalid", "a key in the set is not an object")
        kid = _check_jwk(jwk)
        public_key = _public_key(jwk)
        if "x5c" in jwk:
            _check_x5c(jwk["x5c"], public_key, issuer, kid)
        store.add(TrustedKey(
            kid=kid.encode("ascii"),
            public_key=public_key,
            usages=SHC_USAGES,
            issuer=issuer,
            label=f"{issuer or 'shc'} {kid}",
            source=source,
        ))
    if source:
        store.sources.append(source)
    return store


def _check_jwk(jwk: Mapping[str, Any]) -> str:
    kid = jwk.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TrustListError("jwks-kid-missing", "a key has no kid")
    if "d" in jwk:
        # A published private key is compromised: nothing it signed can be trusted.
        raise TrustListError("jwks-private-key", f"key {kid} publishes its private part")
    if jwk.get("kty") != "EC":
        raise TrustListError("jwks-wrong-kty", f"key {kid} has kty {jwk.get('kty')!r}, not EC")
    if jwk.get("crv") != "P-256":
        raise TrustListError("jwks-wrong-crv", f"key {kid} is on {jwk.get('crv')!r}, not P-256")
    if jwk.get("alg") != "ES256":
        raise TrustListError("jwks-wrong-alg", f"key {kid} has alg {jwk.get('alg')!r}, not ES256")
    if jwk.get("use") != "sig":
        raise TrustListError("jwks-wrong-use", f"key {kid} has use {jwk.get('use')!r}, not sig")
    if kid != jwk_thumbprint(jwk):
        raise TrustListError(
            "jwks-kid-mismatch", f"key {kid} is not named by its RFC 7638 thumbprint"
        )
    return kid


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """Return the RFC 7638 SHA-256 thumbprint of an EC public JWK, base64url without padding."""
    members = {name: jwk.get(name) for name in ("crv", "kty", "x", "y")}
    if not all(isinstance(v, str) for v in members.values()):
        raise TrustListError("jwks-invalid", "an EC key needs crv, kty, x and y")
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _public_key(jwk: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
    x, y = _coordinate(jwk, "x"), _coordinate(jwk, "y")
    try:
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except ValueError:
        raise TrustListError("jwks-key-invalid", f"key {jwk['kid']} is not on P-256") from None


def _coordinate(jwk: Mapping[str, Any], name: str) -> int:
    text = str(jwk[name])
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise TrustListError("jwks-key-invalid", f"{name} of key {jwk['kid']} is not base64url") \
            from None
    if len(raw) != 32:
        raise TrustListError("jwks-key-invalid", f"{name} of key {jwk['kid']} is not 32 bytes")
    return int.from_bytes(raw, "big")


def _check_x5c(
    chain: Any, public_key: ec.EllipticCurvePublicKey, issuer: str | None, kid: str
) -> None:
    if not isinstance(chain, list) or not chain or not all(isinstance(c, str) for c in chain):
        raise TrustListError("jwks-x5c-invalid", f"x5c of key {kid} is not a list of certificates")
    try:
        certs = [x509.load_der_x509_certificate(base64.b64decode(c, validate=True)) for c in chain]
    except (binascii.Error, ValueError):
        raise TrustListError("jwks-x5c-invalid", f"x5c of key {kid} holds a damaged certificate") \
            from None
    if certs[0].public_key() != public_key:
        raise TrustListError("jwks-x5c-invalid", f"x5c of key {kid} certifies another key")
    for cert, signer in itertools.pairwise(certs):
        try:
            cert.verify_directly_issued_by(signer)
        except (InvalidSignature, ValueError, TypeError):
            raise TrustListError("jwks-x5c-invalid", f"x5c chain of key {kid} is broken") from None
    uris = _san_uris(certs[0])
    if not uris:
        raise TrustListError("jwks-x5c-invalid", f"x5c leaf of key {kid} names no issuer URI")
    if issuer is not None and issuer not in uris:
        raise TrustListError(
            "jwks-x5c-invalid", f"x5c leaf of key {kid} names {uris}, not {issuer}"
        )


def _san_uris(cert: x509.Certificate) -> list[str]:
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return list(names.get_values_for_type(x509.UniformResourceIdentifier))


def load_shc_crl(data: JsonInput, store: TrustStore) -> None:
    """Read an SMART Health Card CRL (``method: rid``) into ``store.revoked_shc``."""
    crl = _json(data, "revocation list", "crl-invalid")
    kid = crl.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TrustListError("crl-invalid", "the revocation list names no kid")
    if crl.get("method") != "rid":
        raise TrustListError("crl-method-unsupported", f"CRL method {crl.get('method')!r}")
    ctr = crl.get("ctr")
    if isinstance(ctr, bool) or not isinstance(ctr, int) or ctr < 1:
        raise TrustListError("crl-invalid", "the revocation list has no counter (ctr)")
    rids = crl.get("rids")
    if not isinstance(rids, list):
        raise TrustListError("crl-invalid", "the revocation list has no rids list")
    # Parse every entry before touching the store, so a bad list changes nothing.
    parsed = [_crl_rid(entry) for entry in rids]
    revoked = store.revoked_shc.setdefault(kid, {})
    for rid, cutoff in parsed:
        before = revoked.get(rid, 0)
        # Without a timestamp every card with the rid is revoked; otherwise the latest cut-off.
        revoked[rid] = None if before is None or cutoff is None else max(before, cutoff)


def _crl_rid(entry: Any) -> tuple[str, int | None]:
    match = _RID.fullmatch(entry) if isinstance(entry, str) else None
    if match is None:
        shown = str(entry)[:40]
        raise TrustListError(
            "crl-rid-invalid", f"revoked id {shown!r} is not base64url of at most 24 characters"
        )
    rid, stamp = match.groups()
    return rid, int(stamp) if stamp else None


def load_issuer_directory(data: JsonInput) -> dict[str, str]:
    """Read a directory of trusted issuers (``participating_issuers``) into iss -> name.

    A directory (the VCI one, or the dev tools' ``test-issuers.json``) lists issuers, not
    keys; their keys come from each issuer's JWKS. :func:`restrict_to_issuers` keeps only
    the keys of the issuers a directory lists.
    """
    document = _json(data, "issuer directory", "issuer-directory-invalid")
    issuers = document.get("participating_issuers")
    if not isinstance(issuers, list):
        raise TrustListError("issuer-directory-invalid", "no participating_issuers list")
    out: dict[str, str] = {}
    for item in issuers:
        iss = item.get("iss") if isinstance(item, dict) else None
        if not isinstance(iss, str) or not iss:
            raise TrustListError("issuer-directory-invalid", "a directory entry has no iss")
        name = item.get("name", "")
        out[iss] = name if isinstance(name, str) else ""
    return out


def restrict_to_issuers(store: TrustStore, issuers: Iterable[str]) -> TrustStore:
    """Return a store with only the keys bound to one of ``issuers`` (and the same CRLs)."""
    allowed = set(issuers)
    keys = store.keys()
    kept = TrustStore.of(k for k in keys if k.issuer is not None and k.issuer in allowed)
    kept.revoked.update(store.revoked)
    kept.revoked_shc.update({kid: dict(rids) for kid, rids in store.revoked_shc.items()})
    kept.sources.extend(store.sources)
    return kept


def _json(data: JsonInput, what: str, code: str) -> Mapping[str, Any]:
    if isinstance(data, Mapping):
        return data
    try:
        value = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise TrustListError(code, f"the {what} is not JSON") from None
    if not isinstance(value, dict):
        raise TrustListError(code, f"the {what} is not a JSON object")
    return value
