"""The issuer's key store: a folder of encrypted private keys, certificates and the trust list.

Layout of KEYDIR::

    keystore.json           profile, signers (label, usages, files), revoked hashes, sequence
    anchor.crt.pem          the trust anchor (public)
    anchor.key.pem          its private key, PKCS#8 encrypted with the passphrase
    signer-LABEL.crt.pem    document signer certificates (public)
    signer-LABEL.key.pem    their private keys, encrypted
    trustlist.json          the signed trust list verifiers load (public)

Private keys never leave the folder unencrypted; the passphrase comes from the environment, a
file or a prompt at the command line, never from the repository.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from jointcheck.credentials.model import CredentialType
from jointcheck.errors import KeyStoreError
from jointcheck.trust.certificates import make_anchor, make_signer, new_private_key
from jointcheck.trust.issuer import Issuer, IssuerProfile, Signer
from jointcheck.trust.revocation import certificate_id_hash
from jointcheck.trust.signatures import PrivateKey
from jointcheck.trust.trustlist import build_trust_list
from jointcheck.trust.usage import DCC_TYPES

FORMAT = "jointcheck-keystore/1"
ANCHOR_VALIDITY = timedelta(days=3650)
SIGNER_VALIDITY = timedelta(days=730)
TRUST_LIST_REFRESH = timedelta(days=7)
GROUPS: dict[str, frozenset[CredentialType]] = {
    "dcc": DCC_TYPES,
    "exemption": frozenset({CredentialType.EXEMPTION}),
    "health-code": frozenset({CredentialType.HEALTH_CODE}),
}


@dataclass
class KeyStore:
    """An opened key store: the anchor, the signers and the revocations."""

    directory: Path
    meta: dict[str, Any]
    anchor: x509.Certificate
    anchor_key: PrivateKey
    signers: list[tuple[str, Signer]]

    @property
    def profile(self) -> IssuerProfile:
        return IssuerProfile(**self.meta["profile"])

    def issuer(self) -> Issuer:
        """Return an issuer that signs with this store's signers."""
        return Issuer(self.profile, [signer for _, signer in self.signers])

    @property
    def trust_list_path(self) -> Path:
        return self.directory / "trustlist.json"


def init_keystore(directory: Path, passphrase: bytes, at: datetime, profile: IssuerProfile,
                  algorithm: str = "ES256") -> KeyStore:
    """Create the anchor, one signer per group, and a signed trust list in ``directory``."""
    if (directory / "keystore.json").exists():
        raise KeyStoreError("keystore-exists", f"{directory} already holds a key store")
    _check_passphrase(passphrase)
    directory.mkdir(parents=True, exist_ok=True)
    anchor_key = new_private_key(algorithm)
    anchor = make_anchor(anchor_key, f"{profile.name} trust anchor", profile.country, at,
                         at + ANCHOR_VALIDITY)
    _write_pair(directory, "anchor", anchor, anchor_key, passphrase)
    store = KeyStore(directory, {"format": FORMAT, "profile": asdict(profile), "sequence": 0,
                                 "signers": [], "revoked": []}, anchor, anchor_key, [])
    for group in GROUPS:
        add_signer(store, group, passphrase, at, algorithm)
    publish_trust_list(store, at)
    return store


def add_signer(store: KeyStore, group: str, passphrase: bytes, at: datetime,
               algorithm: str = "ES256") -> str:
    """Create a new document signer for ``group`` (a rotation); return its label."""
    if group not in GROUPS:
        raise KeyStoreError("group-unknown",
                            f"unknown signer group {group!r}; one of {list(GROUPS)}")
    label = f"{group}-{at.astimezone(UTC):%Y%m%d}-{secrets.token_hex(2)}"
    key = new_private_key(algorithm)
    certificate = make_signer(store.anchor_key, store.anchor, key.public_key(),
                              f"{store.profile.name} {group} signer {label}", GROUPS[group], at,
                              at + SIGNER_VALIDITY)
    _write_pair(store.directory, f"signer-{label}", certificate, key, passphrase)
    store.meta["signers"].append({"label": label, "group": group, "created_at": _iso(at)})
    store.signers.append((label, Signer(key, certificate)))
    return label


def retire_signer(store: KeyStore, label: str) -> None:
    """Drop a signer from the trust list (a compromised key); its certificates stop verifying."""
    if label not in {s["label"] for s in store.meta["signers"]}:
        raise KeyStoreError("signer-unknown", f"no signer labelled {label!r}")
    store.meta["signers"] = [s for s in store.meta["signers"] if s["label"] != label]
    store.signers = [(lbl, s) for lbl, s in store.signers if lbl != label]


def revoke(store: KeyStore, certificate_ids: list[str]) -> list[str]:
    """Add certificate ids (as hashes) to the revocation list; return the new hashes."""
    hashes = [certificate_id_hash(cid) for cid in certificate_ids]
    store.meta["revoked"] = sorted(set(store.meta["revoked"]) | set(hashes))
    return hashes


def publish_trust_list(store: KeyStore, at: datetime) -> Path:
    """Sign and write a new trust list with a higher sequence number; save the metadata."""
    store.meta["sequence"] += 1
    document = build_trust_list(
        issuer=store.profile.name, sequence=store.meta["sequence"], issued_at=at,
        next_update=at + TRUST_LIST_REFRESH, anchor=store.anchor, anchor_key=store.anchor_key,
        signers=[s.certificate for _, s in store.signers], revoked=store.meta["revoked"])
    _atomic_write(store.trust_list_path, json.dumps(document, indent=1).encode())
    _atomic_write(store.directory / "keystore.json", json.dumps(store.meta, indent=1).encode())
    return store.trust_list_path


def open_keystore(directory: Path, passphrase: bytes) -> KeyStore:
    """Open a key store, decrypting its private keys with ``passphrase``."""
    meta_path = directory / "keystore.json"
    if not meta_path.exists():
        raise KeyStoreError("keystore-missing", f"no key store in {directory} (run keys init)")
    meta = json.loads(meta_path.read_text("utf-8"))
    if meta.get("format") != FORMAT:
        raise KeyStoreError("keystore-invalid", f"{meta_path} is not a jointcheck key store")
    anchor, anchor_key = _read_pair(directory, "anchor", passphrase)
    signers = []
    for entry in meta["signers"]:
        certificate, key = _read_pair(directory, f"signer-{entry['label']}", passphrase)
        signers.append((entry["label"], Signer(key, certificate)))
    return KeyStore(directory, meta, anchor, anchor_key, signers)


def passphrase_from(file: Path | None, environment: dict[str, str] | None = None) -> bytes | None:
    """Return the passphrase from a file or ``JOINTCHECK_KEY_PASSPHRASE``, if either is set."""
    if file is not None:
        return file.read_bytes().strip()
    value = (os.environ if environment is None else environment).get("JOINTCHECK_KEY_PASSPHRASE")
    return value.encode() if value else None


def _check_passphrase(passphrase: bytes) -> None:
    if len(passphrase) < 8:
        raise KeyStoreError("passphrase-weak", "the key passphrase needs at least 8 characters")


def _write_pair(directory: Path, stem: str, certificate: x509.Certificate, key: PrivateKey,
                passphrase: bytes) -> None:
    encrypted = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase))
    _atomic_write(directory / f"{stem}.key.pem", encrypted, mode=0o600)
    _atomic_write(directory / f"{stem}.crt.pem",
                  certificate.public_bytes(serialization.Encoding.PEM))


def _read_pair(directory: Path, stem: str, passphrase: bytes) -> tuple[x509.Certificate,
                                                                       PrivateKey]:
    try:
        certificate = x509.load_pem_x509_certificate((directory / f"{stem}.crt.pem").read_bytes())
        key = serialization.load_pem_private_key((directory / f"{stem}.key.pem").read_bytes(),
                                                 password=passphrase)
    except FileNotFoundError as exc:
        raise KeyStoreError("keystore-invalid", f"missing key file {exc.filename}") from None
    except (ValueError, TypeError):
        raise KeyStoreError("passphrase-wrong", "the passphrase does not open the key store") \
            from None
    return certificate, key  # type: ignore[return-value]


def _atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    # Write then rename, so a crash never leaves a half-written key or trust list behind.
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
