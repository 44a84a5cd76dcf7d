"""The issuer's key store: encrypted keys on disk, rotation, retiring a signer, revocation."""

from __future__ import annotations

import json
import stat
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from jointcheck.credentials.model import CredentialType
from jointcheck.credentials.payloads import Holder
from jointcheck.errors import KeyStoreError
from jointcheck.keystore import (
    GROUPS,
    KeyStore,
    add_signer,
    init_keystore,
    open_keystore,
    passphrase_from,
    publish_trust_list,
    retire_signer,
    revoke,
)
from jointcheck.trust.issuer import Issued, IssuerProfile
from jointcheck.trust.trustlist import TrustList, load_trust_list
from jointcheck.trust.verify import verify

PASSPHRASE = b"correct horse battery"
PROFILE = IssuerProfile(country="CN", name="Fangzi District CDC", code="FZCDC")
HOLDER = Holder.parse("李娜", "1985-03-08")


@pytest.fixture
def keydir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def keystore(keydir: Path, issued_at) -> KeyStore:
    return init_keystore(keydir, PASSPHRASE, issued_at, PROFILE)


def published(store: KeyStore) -> TrustList:
    """Load the trust list the key store wrote, pinned to its anchor (as a verifier would)."""
    return load_trust_list(store.trust_list_path.read_bytes(), anchors=[store.anchor])


def vaccinate(store: KeyStore, at) -> Issued:
    return store.issuer().vaccination(HOLDER, dose=1, series=2, when=date(2024, 5, 1), at=at)


def label_of(store: KeyStore, group: str) -> list[str]:
    return [entry["label"] for entry in store.meta["signers"] if entry["group"] == group]


def test_init_writes_encrypted_keys_and_a_trust_list(keystore, keydir) -> None:
    names = {p.name for p in keydir.iterdir()}
    assert {"keystore.json", "anchor.crt.pem", "anchor.key.pem", "trustlist.json"} <= names
    assert not [n for n in names if n.endswith(".tmp")]
    meta = json.loads((keydir / "keystore.json").read_text("utf-8"))
    assert meta["sequence"] == 1
    assert sorted(e["group"] for e in meta["signers"]) == sorted(GROUPS)
    key_files = sorted(keydir.glob("*.key.pem"))
    assert len(key_files) == 1 + len(GROUPS)
    for entry in meta["signers"]:
        assert (keydir / f"signer-{entry['label']}.crt.pem").is_file()
        assert (keydir / f"signer-{entry['label']}.key.pem").is_file()
    for path in key_files:
        text = path.read_text("ascii")
        assert text.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), path.name
        assert "BEGIN PRIVATE KEY" not in text and "BEGIN EC PRIVATE KEY" not in text
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert PASSPHRASE not in b"".join(p.read_bytes() for p in keydir.iterdir())


def test_each_group_gets_a_signer_for_its_types(keystore) -> None:
    issuer = keystore.issuer()
    at = keystore.anchor.not_valid_before_utc + timedelta(days=1)
    kids = {kind: issuer.signer_for(kind, at).kid for kind in CredentialType}
    assert kids[CredentialType.VACCINATION] == kids[CredentialType.TEST]
    assert kids[CredentialType.VACCINATION] == kids[CredentialType.RECOVERY]
    assert len({kids[CredentialType.VACCINATION], kids[CredentialType.EXEMPTION],
                kids[CredentialType.HEALTH_CODE]}) == 3


def test_published_trust_list_verifies_what_the_store_issues(keystore, issued_at) -> None:
    trust = published(keystore)
    assert trust.sequence == 1
    assert trust.issuer == PROFILE.name
    assert trust.next_update == issued_at + timedelta(days=7)
    issued = vaccinate(keystore, issued_at + timedelta(hours=1))
    assert verify(issued.text, trust.store, issued_at + timedelta(hours=2)).valid


def test_reopened_store_issues_with_the_same_keys(keystore, keydir, issued_at) -> None:
    reopened = open_keystore(keydir, PASSPHRASE)
    assert [lbl for lbl, _ in reopened.signers] == [lbl for lbl, _ in keystore.signers]
    assert reopened.anchor == keystore.anchor
    assert reopened.profile == PROFILE
    issued = vaccinate(reopened, issued_at + timedelta(hours=1))
    original = vaccinate(keystore, issued_at + timedelta(hours=1))
    assert issued.kid == original.kid
    assert verify(issued.text, published(keystore).store, issued_at + timedelta(hours=2)).valid


def test_wrong_passphrase_is_refused(keystore, keydir) -> None:
    with pytest.raises(KeyStoreError) as caught:
        open_keystore(keydir, b"wrong horse battery")
    assert caught.value.code == "passphrase-wrong"
    assert caught.value.stage == "key-store"


def test_second_init_is_refused(keystore, keydir, issued_at) -> None:
    before = (keydir / "anchor.key.pem").read_bytes()
    with pytest.raises(KeyStoreError) as caught:
        init_keystore(keydir, PASSPHRASE, issued_at, PROFILE)
    assert caught.value.code == "keystore-exists"
    assert (keydir / "anchor.key.pem").read_bytes() == before


@pytest.mark.parametrize("passphrase", [b"", b"short", b"1234567"])
def test_short_passphrase_is_refused(keydir, issued_at, passphrase) -> None:
    with pytest.raises(KeyStoreError) as caught:
        init_keystore(keydir, passphrase, issued_at, PROFILE)
    assert caught.value.code == "passphrase-weak"
    assert not (keydir / "keystore.json").exists()


def test_missing_store_is_refused(keydir) -> None:
    with pytest.raises(KeyStoreError) as caught:
        open_keystore(keydir, PASSPHRASE)
    assert caught.value.code == "keystore-missing"


def test_missing_key_file_is_refused(keystore, keydir) -> None:
    (keydir / "anchor.key.pem").unlink()
    with pytest.raises(KeyStoreError) as caught:
        open_keystore(keydir, PASSPHRASE)
    assert caught.value.code == "keystore-invalid"


def test_unknown_group_and_label_are_refused(keystore, issued_at) -> None:
    with pytest.raises(KeyStoreError) as caught:
        add_signer(keystore, "passport", PASSPHRASE, issued_at)
    assert caught.value.code == "group-unknown"
    with pytest.raises(KeyStoreError) as caught:
        retire_signer(keystore, "dcc-19700101-0000")
    assert caught.value.code == "signer-unknown"


def test_rotation_signs_with_the_new_signer_and_keeps_old_certificates(keystore, keydir,
                                                                       issued_at) -> None:
    old = vaccinate(keystore, issued_at + timedelta(days=1))
    rotated_at = issued_at + timedelta(days=30)
    label = add_signer(keystore, "dcc", PASSPHRASE, rotated_at)
    assert label.startswith(f"dcc-{rotated_at:%Y%m%d}-")
    publish_trust_list(keystore, rotated_at)
    new = vaccinate(keystore, rotated_at + timedelta(days=1))
    assert new.kid != old.kid
    assert new.kid == dict(keystore.signers)[label].kid
    trust = published(keystore)
    assert trust.sequence == 2
    check = rotated_at + timedelta(days=2)
    assert verify(old.text, trust.store, check).valid
    assert verify(new.text, trust.store, check).valid
    # What is on disk agrees: the reopened store signs with the new signer too.
    reopened = open_keystore(keydir, PASSPHRASE)
    assert label in dict(reopened.signers)
    assert vaccinate(reopened, rotated_at + timedelta(days=1)).kid == new.kid


def test_retired_signer_no_longer_verifies(keystore, issued_at) -> None:
    old = vaccinate(keystore, issued_at + timedelta(days=1))
    (old_label,) = label_of(keystore, "dcc")
    rotated_at = issued_at + timedelta(days=30)
    add_signer(keystore, "dcc", PASSPHRASE, rotated_at)
    retire_signer(keystore, old_label)
    publish_trust_list(keystore, rotated_at)
    new = vaccinate(keystore, rotated_at + timedelta(days=1))
    trust = published(keystore)
    assert trust.sequence == 2
    check = rotated_at + timedelta(days=2)
    result = verify(old.text, trust.store, check)
    assert (result.valid, result.stage, result.code) == (False, "trust", "key-unknown")
    assert verify(new.text, trust.store, check).valid
    assert old_label not in dict(keystore.signers)


def test_retiring_the_only_signer_of_a_group_stops_issuing(keystore, issued_at) -> None:
    (label,) = label_of(keystore, "health-code")
    retire_signer(keystore, label)
    with pytest.raises(KeyStoreError) as caught:
        keystore.issuer().signer_for(CredentialType.HEALTH_CODE, issued_at)
    assert caught.value.code == "signer-missing"


def test_revoked_certificate_is_refused_after_publishing(keystore, issued_at) -> None:
    revoked = vaccinate(keystore, issued_at + timedelta(hours=1))
    kept = vaccinate(keystore, issued_at + timedelta(hours=1))
    check = issued_at + timedelta(hours=2)
    before = published(keystore).store
    assert verify(revoked.text, before, check).valid
    hashes = revoke(keystore, [revoked.certificate_id])
    assert len(hashes) == 1
    publish_trust_list(keystore, issued_at + timedelta(hours=1))
    trust = published(keystore)
    assert trust.sequence == 2
    assert trust.store.revoked == set(hashes)
    result = verify(revoked.text, trust.store, check)
    assert (result.valid, result.stage, result.code) == (False, "revocation", "revoked")
    assert verify(kept.text, trust.store, check).valid
    # Revoking twice does not grow the list.
    revoke(keystore, [revoked.certificate_id])
    assert keystore.meta["revoked"] == hashes


def test_store_of_another_anchor_does_not_verify(keystore, tmp_path, issued_at) -> None:
    other = init_keystore(tmp_path / "other", PASSPHRASE, issued_at, PROFILE)
    issued = vaccinate(other, issued_at + timedelta(hours=1))
    result = verify(issued.text, published(keystore).store, issued_at + timedelta(hours=2))
    assert (result.stage, result.code) == ("trust", "key-unknown")
    assert verify(issued.text, published(other).store, issued_at + timedelta(hours=2)).valid


def test_passphrase_comes_from_a_file_or_the_environment(tmp_path) -> None:
    secret = tmp_path / "passphrase"
    secret.write_bytes(b"from a file\n")
    assert passphrase_from(secret, {}) == b"from a file"
    assert passphrase_from(None, {"JOINTCHECK_KEY_PASSPHRASE": "from env"}) == b"from env"
    assert passphrase_from(None, {}) is None


def test_signer_creation_time_is_recorded_in_utc(tmp_path) -> None:
    # Regression: the local wall time used to be written with a "Z" (eight hours off here).
    beijing = datetime(2024, 6, 1, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    store = init_keystore(tmp_path / "keys", PASSPHRASE, beijing, PROFILE)
    created = {entry["created_at"] for entry in store.meta["signers"]}
    assert created == {"2024-05-31T18:00:00Z"}
