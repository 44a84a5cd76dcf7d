"""HC1 end to end: issue with the project's keys, verify, refuse each broken layer by its code."""

from __future__ import annotations

import re
import zlib
from datetime import date, datetime, timedelta
from typing import Any

import cbor2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from jointcheck.credentials.base45 import b45encode
from jointcheck.credentials.cose import COSE_SIGN1_TAG, CWT_TAG, HEADER_ALG, HEADER_KID
from jointcheck.credentials.model import (
    CredentialType,
    ExemptionEntry,
    RecoveryEntry,
    VaccinationEntry,
)
from jointcheck.credentials.model import TestEntry as DccTestEntry
from jointcheck.credentials.payloads import Holder, exemption_payload, vaccination_payload
from jointcheck.errors import KeyStoreError
from jointcheck.trust.certificates import new_private_key, trusted_key
from jointcheck.trust.issuer import Issuer, IssuerProfile, Signer
from jointcheck.trust.revocation import certificate_id_hash
from jointcheck.trust.store import TrustedKey, TrustStore
from jointcheck.trust.usage import DCC_TYPES, usages_of
from jointcheck.trust.verify import CLOCK_SKEW, Verification, verify

UVCI = re.compile(r"^URN:UVCI:01:CN:FZCDC/[A-Z2-7]{16}#[0-9A-Z/:]$")
TEST_ONLY = frozenset({CredentialType.TEST})


def refused(result: Verification, stage: str, code: str) -> None:
    assert isinstance(result, Verification)
    assert not result.valid
    assert (result.stage, result.code) == (stage, code), result.message


def a_vaccination(holder: Holder) -> dict[str, Any]:
    return vaccination_payload(
        holder, dose=1, series=2, when=date(2024, 5, 1), product="BBIBP-CorV",
        vaccine="1157024006", manufacturer="ORG-100020693", country="CN",
        issuer="Fangzi District CDC", certificate_id="URN:UVCI:01:CN:FZCDC/TESTCRAFTED#0")


# ---- valid credentials -------------------------------------------------------------------


def test_vaccination_verifies_with_its_fields(issuer, store, holder, issued_at, check_at,
                                              dcc_signer, uvci_check_character) -> None:
    issued = issuer.vaccination(holder, dose=2, series=2, when=date(2024, 5, 20), at=issued_at)
    result = verify(issued.text, store, check_at)
    assert result.valid, result.message
    assert (result.stage, result.code, result.error) == (None, "valid", None)
    assert result.format == "hc1"
    assert result.kid == issued.kid == dcc_signer.kid
    assert result.signer is not None and result.signer.kid == dcc_signer.kid
    credential = result.credential
    assert credential is not None
    assert credential.type is CredentialType.VACCINATION == issued.type
    subject = credential.subject
    assert (subject.family_name, subject.given_name) == ("张", "伟")
    assert (subject.family_std, subject.given_std) == ("ZHANG", "WEI")
    assert subject.birth_date == "1990-05-17"
    assert subject.display_name == "张伟"  # written together, as Chinese names are
    (entry,) = credential.entries
    assert isinstance(entry, VaccinationEntry)
    assert (entry.dose, entry.series, entry.date) == (2, 2, date(2024, 5, 20))
    assert (entry.product, entry.vaccine, entry.manufacturer) == (
        "BBIBP-CorV", "1157024006", "ORG-100020693")
    assert (entry.disease, entry.country, entry.issuer) == (
        "840539006", "CN", "Fangzi District CDC")
    assert credential.certificate_id == entry.certificate_id == issued.certificate_id
    assert UVCI.fullmatch(issued.certificate_id), issued.certificate_id
    body, check = issued.certificate_id.rsplit("#", 1)
    assert check == uvci_check_character(body)
    assert credential.issuer == "CN"
    assert credential.issued_at == issued.issued_at == issued_at
    assert credential.expires_at == issued.expires_at == issued_at + timedelta(days=365)
    assert result.message == "valid vaccination credential"


def test_each_certificate_gets_a_fresh_uvci(issuer, holder, issued_at) -> None:
    ids = {issuer.vaccination(holder, dose=1, series=2, when=date(2024, 5, 1),
                              at=issued_at).certificate_id for _ in range(5)}
    assert len(ids) == 5
    assert all(UVCI.fullmatch(cid) for cid in ids)


def test_test_certificate_verifies(issuer, store, holder, issued_at, check_at) -> None:
    sampled = issued_at - timedelta(hours=3)
    issued = issuer.test(holder, sampled_at=sampled, at=issued_at, centre="Fangzi test site")
    result = verify(issued.text, store, check_at)
    assert result.valid, result.message
    assert result.credential.type is CredentialType.TEST
    (entry,) = result.credential.entries
    assert isinstance(entry, DccTestEntry)
    assert (entry.sampled_at, entry.result, entry.test_type) == (sampled, "260415000", "LP6464-4")
    assert result.credential.payload["t"][0]["tc"] == "Fangzi test site"
    # A test certificate lives three days, not a year.
    assert result.credential.expires_at == issued_at + timedelta(days=3)
    refused(verify(issued.text, store, issued_at + timedelta(days=3, seconds=1)),
            "validity", "expired")


def test_recovery_certificate_verifies(issuer, store, holder, issued_at, check_at) -> None:
    issued = issuer.recovery(holder, first_positive=date(2024, 4, 1),
                             valid_from=date(2024, 4, 12), valid_until=date(2024, 9, 28),
                             at=issued_at)
    result = verify(issued.text, store, check_at)
    assert result.valid, result.message
    assert result.credential.type is CredentialType.RECOVERY
    (entry,) = result.credential.entries
    assert isinstance(entry, RecoveryEntry)
    assert (entry.first_positive, entry.valid_from, entry.valid_until) == (
        date(2024, 4, 1), date(2024, 4, 12), date(2024, 9, 28))
    assert entry.certificate_id == issued.certificate_id


def test_exemption_verifies_and_lives_to_its_last_day(issuer, store, holder, issued_at,
                                                      check_at, exemption_signer) -> None:
    issued = issuer.exemption(holder, institution="Fangzi People's Hospital",
                              institution_level=3, reason_category="allergy",
                              valid_from=date(2024, 6, 1), valid_until=date(2024, 8, 31),
                              at=issued_at)
    assert issued.kid == exemption_signer.kid
    result = verify(issued.text, store, check_at)
    assert result.valid, result.message
    assert result.credential.type is CredentialType.EXEMPTION
    (entry,) = result.credential.entries
    assert isinstance(entry, ExemptionEntry)
    assert (entry.institution, entry.institution_level, entry.reason_category) == (
        "Fangzi People's Hospital", 3, "allergy")
    assert (entry.valid_from, entry.valid_until) == (date(2024, 6, 1), date(2024, 8, 31))
    last = datetime(2024, 8, 31, 23, 59, 59, tzinfo=issued_at.tzinfo)
    assert result.credential.expires_at == last
    assert verify(issued.text, store, last).valid
    refused(verify(issued.text, store, last + timedelta(seconds=1)), "validity", "expired")


def test_two_character_family_name_is_standardised(issuer, store, issued_at, check_at) -> None:
    holder = Holder.parse("欧阳 娜娜", "2001-02-03")
    issued = issuer.vaccination(holder, dose=1, series=1, when=date(2024, 5, 1), at=issued_at)
    subject = verify(issued.text, store, check_at).credential.subject
    assert (subject.family_name, subject.given_name) == ("欧阳", "娜娜")
    assert (subject.family_std, subject.given_std) == ("OUYANG", "NANA")


def test_who_ddcc_core_data_set_is_read(cose, dcc_signer, store, issued_at, check_at) -> None:
    claims = {1: "CN", 6: int(issued_at.timestamp()),
              4: int((issued_at + timedelta(days=30)).timestamp()),
              "name": "Wei Zhang", "birthDate": "1990-05-17",
              "vaccine": {"code": "XM68M6"}, "brand": {"code": "BBIBP-CorV"}, "dose": 1,
              "total_doses": 2, "date": "2024-05-01", "country": {"code": "CHN"},
              "centre": "Fangzi", "hcid": "DDCC-0001"}
    result = verify(cose.signed_by(dcc_signer, claims), store, check_at)
    assert result.valid, result.message
    assert result.credential.type is CredentialType.VACCINATION
    subject = result.credential.subject
    # The WHO data set names the holder in one free-text string; both parts are kept.
    standard = f"{subject.family_std}<{subject.given_std}".strip("<").split("<")
    assert sorted(standard) == ["WEI", "ZHANG"]
    assert subject.birth_date == "1990-05-17"
    (entry,) = result.credential.entries
    assert (entry.dose, entry.series, entry.date) == (1, 2, date(2024, 5, 1))
    assert (entry.product, entry.vaccine, entry.country) == ("BBIBP-CorV", "XM68M6", "CHN")
    assert result.credential.certificate_id == "DDCC-0001"


# ---- prefix, base45, compression, COSE -----------------------------------------------------


@pytest.mark.parametrize("prefix", ["HC2:", "hc1:", "HC:", "DGC1:", "HC1"])
def test_wrong_prefix_is_refused(vaccination, shared_store, check_at, prefix) -> None:
    text = prefix + vaccination.text.removeprefix("HC1:")
    result = verify(text, shared_store, check_at)
    refused(result, "prefix", "prefix-unknown")
    assert result.credential is None and result.format is None


@pytest.mark.parametrize(("text", "code"), [("", "input-empty"), ("   \n", "input-empty")])
def test_empty_input_is_refused(shared_store, check_at, text, code) -> None:
    refused(verify(text, shared_store, check_at), "input", code)


def test_text_that_is_not_text_is_refused(shared_store, check_at) -> None:
    refused(verify(b"HC1:ABC", shared_store, check_at), "input", "input-invalid")  # type: ignore[arg-type]


def test_surrounding_whitespace_is_ignored(vaccination, shared_store, check_at) -> None:
    assert verify(f"  {vaccination.text}\n", shared_store, check_at).valid


def test_truncated_base45_is_refused(vaccination, shared_store, check_at) -> None:
    body = vaccination.text.removeprefix("HC1:")
    cut = (len(body) - 1) % 3 or 3  # leave a length of 1 mod 3
    refused(verify("HC1:" + body[:-cut], shared_store, check_at), "base45", "base45-invalid")


@pytest.mark.parametrize("bad", ["a", "é", "!", "_"])
def test_invalid_base45_character_is_refused(vaccination, shared_store, check_at, bad) -> None:
    text = vaccination.text
    middle = len(text) // 2
    result = verify(text[:middle] + bad + text[middle + 1:], shared_store, check_at)
    refused(result, "base45", "base45-invalid")


def test_base45_group_out_of_range_is_refused(shared_store, check_at) -> None:
    refused(verify("HC1:GGW", shared_store, check_at), "base45", "base45-invalid")


def test_uncompressed_cose_is_refused(vaccination, cose, shared_store, check_at) -> None:
    prefix, items = cose.layers(vaccination.text)
    raw = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, items))
    result = verify(prefix + b45encode(raw), shared_store, check_at)
    refused(result, "compression", "compression-invalid")


def test_truncated_zlib_stream_is_refused(vaccination, cose, shared_store, check_at) -> None:
    prefix, items = cose.layers(vaccination.text)
    stream = zlib.compress(cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, items)), 9)
    for keep in (len(stream) - 4, len(stream) // 2, 3):
        result = verify(prefix + b45encode(stream[:keep]), shared_store, check_at)
        refused(result, "compression", "compression-invalid")


def test_damaged_zlib_stream_is_refused(vaccination, cose, shared_store, check_at) -> None:
    prefix, items = cose.layers(vaccination.text)
    stream = bytearray(zlib.compress(cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, items)), 9))
    stream[-1] ^= 0x01  # the Adler-32 check no longer matches
    refused(verify(prefix + b45encode(bytes(stream)), shared_store, check_at),
            "compression", "compression-invalid")
    header = bytearray(stream)
    header[1] ^= 0x01  # the zlib header check (mod 31) fails
    refused(verify(prefix + b45encode(bytes(header)), shared_store, check_at),
            "compression", "compression-invalid")


def test_zlib_bomb_is_refused_unread(shared_store, check_at) -> None:
    bomb = zlib.compress(b"\x00" * (1024 * 1024), 9)
    refused(verify("HC1:" + b45encode(bomb), shared_store, check_at),
            "compression", "compression-too-large")


@pytest.mark.parametrize("content", [
    b"plain text, not CBOR \xff",
    cbor2.dumps("a string"),
    cbor2.dumps([b"", {}, b""]),
    cbor2.dumps(cbor2.CBORTag(17, [b"", {}, b"", b""])),
], ids=["not-cbor", "not-array", "three-items", "mac0-tag"])
def test_content_that_is_not_cose_sign1_is_refused(shared_store, check_at, content) -> None:
    result = verify("HC1:" + b45encode(zlib.compress(content)), shared_store, check_at)
    refused(result, "cose", "cose-invalid")


def test_untagged_and_cwt_tagged_messages_verify(vaccination, cose, shared_store,
                                                 check_at) -> None:
    prefix, items = cose.layers(vaccination.text)
    for tags in ((), (COSE_SIGN1_TAG,), (CWT_TAG, COSE_SIGN1_TAG)):
        result = verify(cose.seal(prefix, items, tags), shared_store, check_at)
        assert result.valid, (tags, result.message)


def test_other_compression_level_of_the_same_message_verifies(vaccination, cose, shared_store,
                                                              check_at) -> None:
    prefix, items = cose.layers(vaccination.text)
    assert verify(cose.seal(prefix, items, level=1), shared_store, check_at).valid


# ---- signature -------------------------------------------------------------------------------


@pytest.mark.parametrize("bit", [0, 7, 8 * 31 + 3, 8 * 63 + 7])
def test_bit_flipped_signature_is_refused(vaccination, cose, shared_store, check_at,
                                          bit) -> None:
    prefix, items = cose.layers(vaccination.text)
    signature = bytearray(items[3])
    signature[bit // 8] ^= 1 << (bit % 8)
    items[3] = bytes(signature)
    result = verify(cose.seal(prefix, items), shared_store, check_at)
    refused(result, "signature", "signature-invalid")
    # The refusal still reports what was (claimed to be) shown.
    assert result.credential is not None and result.kid == vaccination.kid


def test_truncated_signature_is_refused(vaccination, cose, shared_store, check_at) -> None:
    prefix, items = cose.layers(vaccination.text)
    items[3] = items[3][:63]
    refused(verify(cose.seal(prefix, items), shared_store, check_at),
            "signature", "signature-invalid")


def test_payload_changed_after_signing_is_refused(vaccination, cose, shared_store,
                                                  check_at) -> None:
    prefix, items = cose.layers(vaccination.text)
    claims = cbor2.loads(items[2])
    claims[-260][1]["v"][0]["dn"] = 3
    items[2] = cbor2.dumps(claims)
    refused(verify(cose.seal(prefix, items), shared_store, check_at),
            "signature", "signature-invalid")


def test_expiry_extended_after_signing_is_refused(vaccination, cose, shared_store,
                                                  check_at) -> None:
    prefix, items = cose.layers(vaccination.text)
    claims = cbor2.loads(items[2])
    claims[4] += 10 * 365 * 86400
    items[2] = cbor2.dumps(claims)
    refused(verify(cose.seal(prefix, items), shared_store, check_at),
            "signature", "signature-invalid")


def test_signature_from_a_key_outside_the_trust_list_is_refused(
        cose, holder, dcc_signer, shared_store, issued_at, check_at) -> None:
    intruder = new_private_key()
    claims = cose.hcert(a_vaccination(holder), issued_at, issued_at + timedelta(days=30))
    text = cose.sign(intruder, claims, kid=dcc_signer.kid)  # claims the real signer's kid
    refused(verify(text, shared_store, check_at), "signature", "signature-invalid")


# ---- which key ---------------------------------------------------------------------------------


def test_unknown_kid_is_refused(vaccination, store_for, exemption_signer, health_code_signer,
                                check_at) -> None:
    store = store_for([exemption_signer, health_code_signer])
    result = verify(vaccination.text, store, check_at)
    refused(result, "trust", "key-unknown")
    assert vaccination.kid.hex() in result.message


def test_empty_store_knows_no_key(vaccination, check_at) -> None:
    refused(verify(vaccination.text, TrustStore(), check_at), "trust", "key-unknown")


@pytest.mark.parametrize("impostor_first", [True, False])
def test_kid_collision_tries_every_key(vaccination, dcc_signer, check_at,
                                       impostor_first) -> None:
    impostor = TrustedKey(kid=dcc_signer.kid, public_key=new_private_key().public_key(),
                          label="impostor")
    real = trusted_key(dcc_signer.certificate)
    keys = [impostor, real] if impostor_first else [real, impostor]
    result = verify(vaccination.text, TrustStore.of(keys), check_at)
    assert result.valid, result.message
    assert result.signer is real


def test_kid_collision_without_the_right_key_is_refused(vaccination, dcc_signer,
                                                        check_at) -> None:
    keys = [TrustedKey(kid=dcc_signer.kid, public_key=new_private_key().public_key())
            for _ in range(2)]
    refused(verify(vaccination.text, TrustStore.of(keys), check_at),
            "signature", "signature-invalid")


def test_key_of_another_algorithm_under_the_kid_is_not_used(vaccination, dcc_signer, rsa_key,
                                                            check_at) -> None:
    key = TrustedKey(kid=dcc_signer.kid, public_key=rsa_key.public_key())
    refused(verify(vaccination.text, TrustStore.of([key]), check_at),
            "signature", "signature-invalid")


def test_kid_only_in_the_unprotected_header_is_used(cose, holder, dcc_signer, shared_store,
                                                    issued_at, check_at) -> None:
    claims = cose.hcert(a_vaccination(holder), issued_at, issued_at + timedelta(days=30))
    text = cose.sign(dcc_signer.key, claims, kid=None,
                     unprotected={HEADER_KID: dcc_signer.kid})
    result = verify(text, shared_store, check_at)
    assert result.valid, result.message
    assert result.kid == dcc_signer.kid


def test_unprotected_kid_cannot_override_the_protected_one(cose, holder, dcc_signer,
                                                           shared_store, issued_at,
                                                           check_at) -> None:
    claims = cose.hcert(a_vaccination(holder), issued_at, issued_at + timedelta(days=30))
    text = cose.signed_by(dcc_signer, claims, unprotected={HEADER_KID: b"\x00" * 8})
    result = verify(text, shared_store, check_at)
    assert result.valid, result.message
    assert result.kid == dcc_signer.kid
    # The other way round: a signed unknown kid is not redirected by an unprotected one.
    wrong = cose.sign(dcc_signer.key, claims, kid=b"\x01" * 8,
                      unprotected={HEADER_KID: dcc_signer.kid})
    refused(verify(wrong, shared_store, check_at), "trust", "key-unknown")


def test_message_without_any_kid_is_refused(cose, holder, dcc_signer, shared_store, issued_at,
                                            check_at) -> None:
    claims = cose.hcert(a_vaccination(holder), issued_at, issued_at + timedelta(days=30))
    result = verify(cose.sign(dcc_signer.key, claims, kid=None), shared_store, check_at)
    refused(result, "trust", "key-unknown")
    assert "none" in result.message


def test_ps256_signer_verifies(new_signer, rsa_key, store_for, holder, cose, issued_at,
                               check_at) -> None:
    rsa_signer = new_signer(DCC_TYPES, key=rsa_key, name="RSA signer")
    issued = Issuer(IssuerProfile(), [rsa_signer]).vaccination(
        holder, dose=1, series=2, when=date(2024, 5, 1), at=issued_at)
    _, items = cose.layers(issued.text)
    assert cbor2.loads(items[0])[HEADER_ALG] == -37
    assert len(items[3]) == 384  # RSA 3072
    result = verify(issued.text, store_for([rsa_signer]), check_at)
    assert result.valid, result.message
    assert result.signer is not None and result.signer.kid == rsa_signer.kid


# ---- signer validity and key usage -----------------------------------------------------------


def test_signer_expired_at_the_time_of_check(new_signer, store_for, cose, holder, t0,
                                             issued_at) -> None:
    short = new_signer(DCC_TYPES, not_before=t0, not_after=issued_at + timedelta(days=10))
    # The certificate itself would still be valid for a month.
    claims = cose.hcert(a_vaccination(holder), issued_at, issued_at + timedelta(days=40))
    text = cose.signed_by(short, claims)
    store = store_for([short])
    assert verify(text, store, issued_at + timedelta(days=9)).valid
    refused(verify(text, store, issued_at + timedelta(days=11)), "trust", "signer-expired")


def test_issuer_caps_a_certificate_at_its_signer_expiry(new_signer, store_for, holder, t0,
                                                        issued_at) -> None:
    until = issued_at + timedelta(days=10)
    short = new_signer(DCC_TYPES, not_before=t0, not_after=until)
    issued = Issuer(IssuerProfile(), [short]).vaccination(
        holder, dose=1, series=2, when=date(2024, 5, 1), at=issued_at)
    assert issued.expires_at == until
    refused(verify(issued.text, store_for([short]), until + timedelta(seconds=1)),
            "trust", "signer-expired")


def test_credential_issued_before_its_signer_was_valid(new_signer, store_for, cose, holder,
                                                       issued_at) -> None:
    late = new_signer(DCC_TYPES, not_before=issued_at + timedelta(days=1))
    claims = cose.hcert(a_vaccination(holder), issued_at, issued_at + timedelta(days=30))
    text = cose.signed_by(late, claims)
    refused(verify(text, store_for([late]), issued_at + timedelta(days=2)),
            "trust", "signer-expired")


def test_issuer_never_uses_a_signer_outside_its_validity(new_signer, holder, issued_at) -> None:
    late = new_signer(DCC_TYPES, not_before=issued_at + timedelta(days=1))
    with pytest.raises(KeyStoreError, match="no valid signer") as caught:
        Issuer(IssuerProfile(), [late]).vaccination(holder, dose=1, series=2,
                                                   when=date(2024, 5, 1), at=issued_at)
    assert caught.value.code == "signer-missing"


def test_issuer_picks_the_newest_signer(new_signer, holder, t0, issued_at) -> None:
    old = new_signer(DCC_TYPES, not_before=t0)
    new = new_signer(DCC_TYPES, not_before=t0 + timedelta(days=30))
    issuer = Issuer(IssuerProfile(), [new, old])
    assert issuer.signer_for(CredentialType.VACCINATION, issued_at) is new
    assert issuer.signer_for(CredentialType.VACCINATION, t0 + timedelta(days=1)) is old


@pytest.mark.parametrize(("signer_name", "kind"), [
    ("health_code_signer", "vaccination"),
    ("exemption_signer", "vaccination"),
    ("dcc_signer", "exemption"),
    ("test_signer", "vaccination"),
])
def test_key_usage_mismatch_is_refused(request, new_signer, store_for, cose, holder, issued_at,
                                       check_at, signer_name, kind) -> None:
    if signer_name == "test_signer":
        signer: Signer = new_signer(TEST_ONLY, name="Test-only signer")
    else:
        signer = request.getfixturevalue(signer_name)
    if kind == "vaccination":
        dcc = a_vaccination(holder)
    else:
        dcc = exemption_payload(holder, institution="Hospital", institution_level=2,
                                reason_category="allergy", valid_from=date(2024, 6, 1),
                                valid_until=date(2024, 7, 1), country="CN",
                                certificate_id="URN:UVCI:01:CN:FZCDC/EXEMPT#0")
    text = cose.signed_by(signer, cose.hcert(dcc, issued_at, issued_at + timedelta(days=30)))
    result = verify(text, store_for([signer]), check_at)
    refused(result, "trust", "key-usage")
    assert kind in result.message


def test_signer_certificate_without_eku_signs_dcc_types_only(anchor, anchor_key,
                                                             t0) -> None:
    key = new_private_key()
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "No EKU")])
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(anchor.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(t0).not_valid_after(t0 + timedelta(days=30))
        .sign(anchor_key, hashes.SHA256()))
    assert usages_of(certificate) == DCC_TYPES
    key_view = trusted_key(certificate)
    assert key_view.allows(CredentialType.VACCINATION)
    assert not key_view.allows(CredentialType.EXEMPTION)
    assert not key_view.allows(CredentialType.HEALTH_CODE)


# ---- credential validity ---------------------------------------------------------------------


def test_expired_certificate_is_refused(vaccination, shared_store) -> None:
    assert verify(vaccination.text, shared_store, vaccination.expires_at).valid
    result = verify(vaccination.text, shared_store, vaccination.expires_at + timedelta(seconds=1))
    refused(result, "validity", "expired")
    assert result.credential is not None  # what was refused is still shown


def test_credential_from_the_future_is_refused(vaccination, shared_store) -> None:
    issued = vaccination.issued_at
    assert verify(vaccination.text, shared_store, issued - CLOCK_SKEW).valid
    refused(verify(vaccination.text, shared_store, issued - CLOCK_SKEW - timedelta(seconds=1)),
            "validity", "not-yet-valid")
    refused(verify(vaccination.text, shared_store, issued - timedelta(hours=1)),
            "validity", "not-yet-valid")


def test_not_before_claim_is_honoured(cose, holder, dcc_signer, shared_store, issued_at,
                                      check_at) -> None:
    claims = cose.hcert(a_vaccination(holder), issued_at, issued_at + timedelta(days=30),
                        nbf=check_at + timedelta(hours=1))
    text = cose.signed_by(dcc_signer, claims)
    refused(verify(text, shared_store, check_at), "validity", "not-yet-valid")
    assert verify(text, shared_store, check_at + timedelta(hours=1)).valid


# ---- revocation ------------------------------------------------------------------------------


def test_revoked_certificate_is_refused(issuer, holder, store_for, signers, issued_at,
                                        check_at) -> None:
    revoked = issuer.vaccination(holder, dose=1, series=2, when=date(2024, 5, 1), at=issued_at)
    kept = issuer.vaccination(holder, dose=2, series=2, when=date(2024, 5, 22), at=issued_at)
    store = store_for(signers, revoked=[certificate_id_hash(revoked.certificate_id)])
    refused(verify(revoked.text, store, check_at), "revocation", "revoked")
    assert verify(kept.text, store, check_at).valid


def test_revocation_hash_ignores_case_and_surrounding_space(vaccination) -> None:
    cid = vaccination.certificate_id
    assert certificate_id_hash(f" {cid.lower()}\n") == certificate_id_hash(cid)
    assert len(certificate_id_hash(cid)) == 32
    other = "X" if cid[-1] != "X" else "Y"  # the id is random: its last character may be X
    assert certificate_id_hash(cid) != certificate_id_hash(cid[:-1] + other)
