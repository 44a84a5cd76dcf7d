"""Signed trust lists and the trust files a verifier loads (lists, PEM, DER, JWKS)."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from jointcheck.credentials.model import CredentialType
from jointcheck.errors import TrustListError
from jointcheck.trust.certificates import kid_of, make_anchor, make_signer, new_private_key
from jointcheck.trust.jwks import SHC_USAGES, jwk_thumbprint
from jointcheck.trust.revocation import certificate_id_hash
from jointcheck.trust.signatures import sign
from jointcheck.trust.signed import canonical
from jointcheck.trust.trustlist import (
    FORMAT,
    build_trust_list,
    fingerprint,
    load_trust_list,
)
from jointcheck.trust.usage import DCC_TYPES
from jointcheck.trust.verify import verify
from jointcheck.trust_sources import load_trust

REVOKED = [certificate_id_hash("URN:UVCI:01:CN:FZCDC/REVOKED1#0")]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def resign(document: dict[str, Any], key: Any) -> dict[str, Any]:
    """Sign a changed document again with ``key`` (as the anchor's holder could)."""
    body = {k: v for k, v in document.items() if k != "signature"}
    document["signature"] = {"alg": "ES256", "value": b64(sign(key, "ES256", canonical(body)))}
    return document


def refusal(data: Any, code: str, **options: Any) -> TrustListError:
    with pytest.raises(TrustListError) as caught:
        load_trust_list(data, **options)
    assert caught.value.code == code, caught.value.message
    assert caught.value.stage == "trust-list"
    return caught.value


@pytest.fixture
def document(make_trust_list, signers) -> dict[str, Any]:
    return make_trust_list(signers, REVOKED, sequence=7)


@pytest.fixture(scope="module")
def stranger(t0) -> tuple[Any, Any]:
    """Another anchor (key and certificate) that nobody trusts."""
    key = new_private_key()
    return key, make_anchor(key, "Stranger", "XX", t0, t0 + timedelta(days=365))


def test_round_trip(document, anchor, signers, t0) -> None:
    loaded = load_trust_list(json.dumps(document), anchors=[anchor], source="list.json")
    assert loaded.issuer == "Test issuer"
    assert loaded.sequence == 7
    assert loaded.issued_at == t0
    assert loaded.next_update == t0 + timedelta(days=7)
    assert loaded.anchor_fingerprint == fingerprint(anchor)
    assert loaded.anchor_pinned
    trusted = loaded.store.keys()
    keys = {k.kid: k for k in trusted}
    assert set(keys) == {s.kid for s in signers}
    assert keys[signers[0].kid].usages == DCC_TYPES
    assert keys[signers[1].kid].usages == {CredentialType.EXEMPTION}
    assert keys[signers[2].kid].usages == {CredentialType.HEALTH_CODE}
    assert all(k.source == "list.json" for k in keys.values())
    assert loaded.store.revoked == set(REVOKED)
    assert loaded.store.sources == ["list.json"]
    # The same list as bytes, and without pinning (integrity checked, fingerprint reported).
    unpinned = load_trust_list(json.dumps(document).encode())
    assert not unpinned.anchor_pinned
    assert unpinned.anchor_fingerprint == fingerprint(anchor)
    assert len(unpinned.store) == 3


def test_document_lists_each_signer_with_kid_and_usages(document, signers) -> None:
    assert document["format"] == FORMAT
    entries = document["signers"]
    assert [base64.b64decode(e["kid"]) for e in entries] == [s.kid for s in signers]
    assert entries[0]["usages"] == ["recovery", "test", "vaccination"]
    assert entries[2]["usages"] == ["health-code"]
    assert document["signature"]["alg"] == "ES256"


def _replace_signer(document: dict[str, Any], other: Any) -> None:
    document["signers"][0] = {"kid": b64(kid_of(other.certificate)),
                              "certificate": b64(other.certificate.public_bytes(
                                  serialization.Encoding.DER)),
                              "usages": ["recovery", "test", "vaccination"]}


TAMPERINGS: dict[str, Callable[[dict[str, Any], Any], None]] = {
    "signer-replaced": _replace_signer,
    "signer-removed": lambda d, _: d["signers"].pop(),
    "signer-usages": lambda d, _: d["signers"][2].update(usages=["vaccination"]),
    "revocation-dropped": lambda d, _: d.update(revoked=[]),
    "revocation-added": lambda d, _: d.update(revoked=[*REVOKED, "00" * 16]),
    "sequence-raised": lambda d, _: d.update(sequence=8),
    "issuer-renamed": lambda d, _: d.update(issuer="Someone else"),
    "next-update-moved": lambda d, _: d.update(next_update="2099-01-01T00:00:00Z"),
    "signature-bit": lambda d, _: d["signature"].update(value=b64(
        bytes([base64.b64decode(d["signature"]["value"])[0] ^ 1])
        + base64.b64decode(d["signature"]["value"])[1:])),
}


@pytest.mark.parametrize("tamper", list(TAMPERINGS))
def test_tampered_list_is_refused(document, anchor, new_signer, tamper) -> None:
    TAMPERINGS[tamper](document, new_signer(DCC_TYPES, name="Smuggled"))
    refusal(document, "trust-list-signature", anchors=[anchor])
    refusal(document, "trust-list-signature")  # pinning or not, integrity is checked


def test_unsigned_list_is_refused(document) -> None:
    del document["signature"]
    refusal(document, "trust-list-unsigned")


def test_signature_that_is_not_base64_is_refused(document) -> None:
    document["signature"]["value"] = "not base64!"
    refusal(document, "trust-list-invalid")


@pytest.mark.parametrize("alg", ["none", "HS256", None])
def test_signature_with_unknown_algorithm_is_a_trust_list_error(document, alg) -> None:
    # Regression: an unknown alg used to escape as a SignatureError (stage "signature").
    document["signature"]["alg"] = alg
    refusal(document, "trust-list-invalid")


def test_signer_not_issued_by_the_anchor_is_refused(anchor, anchor_key, stranger,
                                                    t0) -> None:
    stranger_key, stranger_anchor = stranger
    foreign = make_signer(stranger_key, stranger_anchor, new_private_key().public_key(),
                          "Foreign signer", DCC_TYPES, t0, t0 + timedelta(days=30))
    document = build_trust_list(issuer="Test issuer", sequence=1, issued_at=t0,
                                next_update=None, anchor=anchor, anchor_key=anchor_key,
                                signers=[foreign], revoked=[])
    error = refusal(document, "chain-invalid", anchors=[anchor])
    assert "Foreign signer" in error.message


def test_list_signed_by_an_anchor_not_pinned_is_refused(stranger, anchor, new_signer,
                                                        t0) -> None:
    stranger_key, stranger_anchor = stranger
    own = make_signer(stranger_key, stranger_anchor, new_private_key().public_key(),
                      "Own signer", DCC_TYPES, t0, t0 + timedelta(days=30))
    document = build_trust_list(issuer="Stranger", sequence=1, issued_at=t0, next_update=None,
                                anchor=stranger_anchor, anchor_key=stranger_key,
                                signers=[own], revoked=[])
    refusal(document, "anchor-unknown", anchors=[anchor])
    # Unpinned it is self-consistent, and its fingerprint tells it apart.
    loaded = load_trust_list(document)
    assert loaded.anchor_fingerprint == fingerprint(stranger_anchor) != fingerprint(anchor)


def test_swapped_anchor_is_refused(document, stranger, anchor) -> None:
    _, stranger_anchor = stranger
    document["anchor"] = b64(stranger_anchor.public_bytes(serialization.Encoding.DER))
    refusal(document, "anchor-unknown", anchors=[anchor])
    refusal(document, "trust-list-signature")


def test_kid_that_does_not_match_its_certificate_is_refused(document, anchor,
                                                            anchor_key) -> None:
    document["signers"][0]["kid"] = b64(b"\x00" * 8)
    refusal(document, "trust-list-signature", anchors=[anchor])
    resign(document, anchor_key)
    error = refusal(document, "trust-list-invalid", anchors=[anchor])
    assert "kid" in error.message


@pytest.mark.parametrize("data", ["not json", "[]", "{}", json.dumps({"format": "other/1"})])
def test_what_is_not_a_trust_list_is_refused(data) -> None:
    refusal(data, "trust-list-invalid")


@pytest.mark.parametrize(("field", "value"), [
    ("sequence", "7"), ("sequence", True), ("issuer", None), ("signers", {}),
    ("revoked", "all"), ("issued_at", "yesterday"),
])
def test_malformed_fields_are_refused_even_when_signed(document, anchor, anchor_key, field,
                                                       value) -> None:
    document[field] = value
    resign(document, anchor_key)
    refusal(document, "trust-list-invalid", anchors=[anchor])


@pytest.mark.parametrize("entry", [1, "certificate", None, ["kid"]])
def test_signer_entry_that_is_not_an_object_is_refused(document, anchor, anchor_key,
                                                       entry) -> None:
    # Regression: a signed list with signers=[1] used to raise AttributeError.
    document["signers"] = [entry]
    resign(document, anchor_key)
    refusal(document, "trust-list-invalid", anchors=[anchor])


def test_verify_uses_what_the_list_trusts(document, anchor, vaccination, check_at) -> None:
    store = load_trust_list(document, anchors=[anchor]).store
    assert verify(vaccination.text, store, check_at).valid


# ---- trust files -----------------------------------------------------------------------------


def public_jwk(key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256",
           "x": b64url(numbers.x.to_bytes(32, "big")), "y": b64url(numbers.y.to_bytes(32, "big"))}
    return {**jwk, "kid": jwk_thumbprint(jwk)}


def write(path: Path, data: bytes | str) -> Path:
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    return path


def test_load_trust_reads_a_trust_list(tmp_path, document, anchor, signers,
                                       vaccination, check_at) -> None:
    path = write(tmp_path / "trustlist.json", json.dumps(document, indent=1))
    anchor_path = write(tmp_path / "anchor.pem", anchor.public_bytes(serialization.Encoding.PEM))
    store, lists = load_trust([path], anchors=[anchor_path])
    assert [tl.sequence for tl in lists] == [7]
    assert lists[0].anchor_pinned
    trusted = store.keys()
    assert {k.kid for k in trusted} == {s.kid for s in signers}
    assert store.revoked == set(REVOKED)
    assert verify(vaccination.text, store, check_at).valid


def test_load_trust_refuses_a_list_from_an_anchor_not_pinned(tmp_path, document,
                                                             stranger) -> None:
    _, stranger_anchor = stranger
    path = write(tmp_path / "trustlist.json", json.dumps(document))
    pinned = write(tmp_path / "pinned.pem",
                   stranger_anchor.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(TrustListError) as caught:
        load_trust([path], anchors=[pinned])
    assert caught.value.code == "anchor-unknown"


def test_load_trust_reads_a_pem_bundle(tmp_path, dcc_signer, exemption_signer, vaccination,
                                       check_at) -> None:
    bundle = b"some comment\n" + b"".join(
        s.certificate.public_bytes(serialization.Encoding.PEM)
        for s in (dcc_signer, exemption_signer))
    path = write(tmp_path / "signers.pem", bundle)
    store, lists = load_trust([path])
    assert lists == []
    trusted = store.keys()
    assert {k.kid for k in trusted} == {dcc_signer.kid, exemption_signer.kid}
    assert store.sources == [str(path)]
    assert verify(vaccination.text, store, check_at).valid


def test_load_trust_reads_a_der_certificate(tmp_path, dcc_signer, vaccination,
                                            check_at) -> None:
    path = write(tmp_path / "signer.der",
                 dcc_signer.certificate.public_bytes(serialization.Encoding.DER))
    store, _ = load_trust([path])
    (key,) = store.keys()
    assert key.kid == dcc_signer.kid
    assert key.usages == DCC_TYPES
    assert verify(vaccination.text, store, check_at).valid


def test_load_trust_reads_a_jwks(tmp_path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = public_jwk(key)
    path = write(tmp_path / "jwks.json", json.dumps({"keys": [jwk]}))
    store, lists = load_trust([path])
    assert lists == []
    (trusted,) = store.keys()
    assert trusted.kid == jwk["kid"].encode()
    assert trusted.usages == SHC_USAGES
    assert trusted.public_key.public_numbers() == key.public_key().public_numbers()


def test_jwks_kid_must_be_the_thumbprint(tmp_path) -> None:
    jwk = public_jwk(ec.generate_private_key(ec.SECP256R1())) | {"kid": "chosen-by-hand"}
    path = write(tmp_path / "jwks.json", json.dumps({"keys": [jwk]}))
    with pytest.raises(TrustListError) as caught:
        load_trust([path])
    assert caught.value.code == "jwks-kid-mismatch"


def test_load_trust_merges_several_files(tmp_path, document, dcc_signer) -> None:
    other = copy.deepcopy(document)
    listed = write(tmp_path / "trustlist.json", json.dumps(other))
    der = write(tmp_path / "signer.der",
                dcc_signer.certificate.public_bytes(serialization.Encoding.DER))
    jwks = write(tmp_path / "jwks.json", json.dumps(
        {"keys": [public_jwk(ec.generate_private_key(ec.SECP256R1()))]}))
    store, lists = load_trust([listed, der, jwks])
    assert len(lists) == 1
    assert len(store) == 3 + 1 + 1
    assert len(store.candidates(dcc_signer.kid)) == 2  # listed and loaded alone


@pytest.mark.parametrize("content", [
    json.dumps({"hello": "world"}), json.dumps([1, 2, 3]), json.dumps({"format": "other/1"}),
], ids=["object", "array", "other-format"])
def test_unknown_json_is_refused(tmp_path, content) -> None:
    path = write(tmp_path / "what.json", content)
    with pytest.raises(TrustListError) as caught:
        load_trust([path])
    assert caught.value.code == "trust-file-unknown"
    assert str(path) in caught.value.message


@pytest.mark.parametrize("content", ['{"format": 3}', '{"format": null}',
                                     '{"format": ["jointcheck-trustlist/1"]}'])
def test_json_with_a_non_text_format_is_refused(tmp_path, content) -> None:
    # Regression: a format that is not text used to raise AttributeError.
    path = write(tmp_path / "what.json", content)
    with pytest.raises(TrustListError) as caught:
        load_trust([path])
    assert caught.value.code == "trust-file-unknown"


def test_missing_file_is_refused(tmp_path) -> None:
    with pytest.raises(TrustListError) as caught:
        load_trust([tmp_path / "nowhere.json"])
    assert caught.value.code == "trust-file-unreadable"
    with pytest.raises(TrustListError) as caught:
        load_trust([], anchors=[tmp_path / "no-anchor.pem"])
    assert caught.value.code == "trust-file-unreadable"


def test_file_that_is_no_certificate_is_refused(tmp_path) -> None:
    path = write(tmp_path / "junk.pem", b"\x30\x03\x01\x01\xff")
    with pytest.raises(TrustListError) as caught:
        load_trust([path])
    assert caught.value.code == "certificate-invalid"
    assert str(path) in caught.value.message
