"""SMART Health Cards: the project's own cards, keys and CRLs, each refusal by its code."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st

from jointcheck.credentials.model import CredentialType, SignedEnvelope, VaccinationEntry
from jointcheck.credentials.model import TestEntry as LabEntry  # "Test*" names get collected
from jointcheck.credentials.registry import decode
from jointcheck.credentials.shc import SHC_CODEC, decode_jws, health_card_jws
from jointcheck.credentials.shc_qr import join_chunks, jws_to_numeric, numeric_to_jws
from jointcheck.errors import JointcheckError, TrustListError
from jointcheck.trust.jwks import (
    jwk_thumbprint,
    load_issuer_directory,
    load_jwks,
    load_shc_crl,
    restrict_to_issuers,
)
from jointcheck.trust.signatures import sign
from jointcheck.trust.store import TrustStore
from jointcheck.trust.verify import verify, verify_envelope

ISS = "https://issuer.example.org/shc"
NBF = 1_700_000_000
AT = datetime.fromtimestamp(NBF, UTC) + timedelta(days=1)
CVX = "http://hl7.org/fhir/sid/cvx"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def public_jwk(key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256",
           "x": b64url(numbers.x.to_bytes(32, "big")), "y": b64url(numbers.y.to_bytes(32, "big"))}
    return {**jwk, "kid": jwk_thumbprint(jwk)}


@pytest.fixture(scope="module")
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def kid(key: ec.EllipticCurvePrivateKey) -> str:
    return public_jwk(key)["kid"]


@pytest.fixture
def store(key: ec.EllipticCurvePrivateKey) -> TrustStore:
    return load_jwks({"keys": [public_jwk(key)]}, issuer=ISS, source="test")


def immunization(code: str, when: str, status: str = "completed") -> dict[str, Any]:
    return {"resourceType": "Immunization", "status": status,
            "vaccineCode": {"coding": [{"system": CVX, "code": code}]},
            "patient": {"reference": "resource:0"}, "occurrenceDateTime": when,
            "lotNumber": "L1", "performer": [{"actor": {"display": "Clinic A"}}]}


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    patient = {"resourceType": "Patient", "name": [{"family": "Zhang", "given": ["Wei", "Li"]}],
               "birthDate": "1980-02-03"}
    items = [patient, *resources] if resources else [
        patient, immunization("208", "2021-06-01"), immunization("207", "2021-05-01")]
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": f"resource:{i}", "resource": r} for i, r in enumerate(items)]}


def payload(**changes: Any) -> dict[str, Any]:
    card: dict[str, Any] = {
        "iss": ISS, "nbf": NBF,
        "vc": {"type": ["https://smarthealth.cards#health-card"],
               "credentialSubject": {"fhirVersion": "4.0.1", "fhirBundle": bundle()},
               "rid": "rid-0001"},
    }
    card.update(changes)
    return card


def make_jws(key: ec.EllipticCurvePrivateKey, kid: str, body: dict[str, Any] | None = None,
             header: dict[str, Any] | None = None, raw_payload: bytes | None = None) -> str:
    head = header if header is not None else {"zip": "DEF", "alg": "ES256", "kid": kid}
    data = raw_payload if raw_payload is not None else deflate(
        json.dumps(body if body is not None else payload()).encode("utf-8"))
    signing_input = f"{b64url(json.dumps(head).encode())}.{b64url(data)}"
    return f"{signing_input}.{b64url(sign(key, 'ES256', signing_input.encode('ascii')))}"


def refusal(action: Any) -> str:
    with pytest.raises(JointcheckError) as caught:
        action()
    return caught.value.code


# ---- a valid card ----------------------------------------------------------------------------

def test_valid_card_verifies(key: ec.EllipticCurvePrivateKey, kid: str, store: TrustStore) -> None:
    envelope = SHC_CODEC.decode(jws_to_numeric(make_jws(key, kid)))
    assert verify_envelope(envelope, store, AT).kid == kid.encode("ascii")
    assert (envelope.algorithm, envelope.kid, envelope.key_issuer) == ("ES256", kid.encode(), ISS)
    assert len(envelope.signature) == 64 and envelope.signed.count(b".") == 1
    card = envelope.credential
    assert (card.format, card.type, card.issuer, card.certificate_id) == (
        "shc", CredentialType.VACCINATION, ISS, "rid-0001")
    assert card.not_before == card.issued_at == datetime.fromtimestamp(NBF, UTC)
    assert card.expires_at is None and card.payload["iss"] == ISS
    assert (card.subject.family_name, card.subject.given_name) == ("Zhang", "Wei Li")
    assert (card.subject.family_std, card.subject.given_std) == ("ZHANG", "WEI<LI")
    assert card.subject.birth_date == "1980-02-03"
    doses = [d for d in card.entries if isinstance(d, VaccinationEntry)]
    assert [(d.dose, d.series, d.product) for d in doses] == [
        (1, 0, f"{CVX}|207"), (2, 0, f"{CVX}|208")]
    assert all(d.disease == "840539006" and d.issuer == "Clinic A" for d in doses)


def test_valid_card_verifies_through_the_registry(
    key: ec.EllipticCurvePrivateKey, kid: str, store: TrustStore
) -> None:
    result = verify("SHC:/" + jws_to_numeric(make_jws(key, kid))[5:], store, AT)
    assert result.valid and result.format == "shc"


def test_lab_result_card_reads_as_a_test(key: ec.EllipticCurvePrivateKey, kid: str) -> None:
    observation = {"resourceType": "Observation", "status": "final",
                   "code": {"coding": [{"system": "http://loinc.org", "code": "94500-6"}]},
                   "effectiveDateTime": "2021-05-01T08:00:00Z",
                   "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct",
                                                         "code": "260385009"}]}}
    body = payload(vc={"type": ["https://smarthealth.cards#health-card"],
                       "credentialSubject": {"fhirBundle": bundle(observation)}})
    card = decode_jws(make_jws(key, kid, body)).credential
    assert card.type is CredentialType.TEST and card.certificate_id is None
    entry = card.entries[0]
    assert isinstance(entry, LabEntry) and entry.disease == "840539006"
    assert entry.result == "http://snomed.info/sct|260385009"


def test_exp_in_milliseconds_means_never(key: ec.EllipticCurvePrivateKey, kid: str,
                                         store: TrustStore) -> None:
    envelope = decode_jws(make_jws(key, kid, payload(exp=NBF * 1000)))
    assert envelope.credential.expires_at is not None
    assert envelope.credential.expires_at.year == 9999
    verify_envelope(envelope, store, AT)


# ---- numeric QR and chunks -------------------------------------------------------------------

def chunks_of(jws: str, count: int) -> list[str]:
    size = -(-len(jws) // count)
    digits = [jws_to_numeric(jws[i:i + size])[5:] for i in range(0, len(jws), size)]
    return [f"shc:/{i}/{count}/{d}" for i, d in enumerate(digits, start=1)]


def test_chunks_join_in_any_order(key: ec.EllipticCurvePrivateKey, kid: str) -> None:
    jws = make_jws(key, kid)
    for order in itertools.permutations(chunks_of(jws, 3)):
        assert join_chunks(list(order)) == jws


@pytest.mark.parametrize(("pick", "code"), [
    (lambda c: c[:2], "shc-chunk-missing"),
    (lambda c: [c[0], c[1], c[1]], "shc-chunk-duplicate"),
    (lambda c: [c[0], c[1], c[2].replace("/3/3/", "/4/3/", 1)], "shc-chunk-index-invalid"),
    (lambda c: [c[0], c[1], c[2].replace("/3/3/", "/3/4/", 1)], "shc-chunk-count-mismatch"),
    (lambda c: [c[0], c[1], c[2] + "7"], "shc-numeric-odd"),
    (lambda c: [], "shc-chunk-missing"),
])
def test_bad_chunk_sets_are_refused(key: ec.EllipticCurvePrivateKey, kid: str, pick: Any,
                                    code: str) -> None:
    chunks = chunks_of(make_jws(key, kid), 3)
    assert refusal(lambda: join_chunks(pick(chunks))) == code


def test_one_chunk_of_several_is_refused(key: ec.EllipticCurvePrivateKey, kid: str) -> None:
    first = chunks_of(make_jws(key, kid), 2)[0]
    assert refusal(lambda: SHC_CODEC.decode(first)) == "shc-chunk-incomplete"


@pytest.mark.parametrize(("text", "code"), [
    ("shc:5676", "shc-header-invalid"),
    ("shc:/567", "shc-numeric-odd"),
    ("shc:/5678", "shc-numeric-out-of-range"),
    ("shc:/56a6", "shc-numeric-invalid"),
    ("shc:/", "shc-numeric-invalid"),
    ("shc:/0/2/5656", "shc-header-invalid"),
    ("shc:/3/2/5656", "shc-chunk-index-invalid"),
    ("shx:/5656", "prefix-unknown"),
])
def test_bad_numeric_text_is_refused(text: str, code: str) -> None:
    assert refusal(lambda: decode(text)) == code


@given(st.text(alphabet="ABCxyz0189-_.", min_size=1, max_size=200))
def test_numeric_encoding_round_trips(jws: str) -> None:
    assert numeric_to_jws(jws_to_numeric(jws)[5:]) == jws


# ---- the JWS and its payload -----------------------------------------------------------------

def der_signature(jws: str) -> str:
    head, body, signature = jws.split(".")
    raw = base64.urlsafe_b64decode(signature + "==")
    r, s = (int.from_bytes(raw[i:i + 32], "big") for i in (0, 32))
    return f"{head}.{body}.{b64url(encode_dss_signature(r, s))}"


@pytest.mark.parametrize(("header", "code"), [
    ({"zip": "DEF", "kid": "K"}, "jws-alg-missing"),
    ({"zip": "DEF", "alg": "none", "kid": "K"}, "jws-alg-unsupported"),
    ({"alg": "ES256", "kid": "K"}, "jws-zip-missing"),
    ({"zip": "GZIP", "alg": "ES256", "kid": "K"}, "jws-zip-unsupported"),
    ({"zip": "DEF", "alg": "ES256"}, "jws-kid-missing"),
    ({"zip": "DEF", "alg": "ES256", "kid": "K", "crit": ["b64"]}, "jws-crit-unsupported"),
])
def test_bad_headers_are_refused(key: ec.EllipticCurvePrivateKey, header: dict[str, Any],
                                 code: str) -> None:
    assert refusal(lambda: decode_jws(make_jws(key, "K", header=header))) == code


def test_der_signature_is_refused(key: ec.EllipticCurvePrivateKey, kid: str) -> None:
    assert refusal(lambda: decode_jws(der_signature(make_jws(key, kid)))) == "jws-signature-der"


def test_short_signature_is_refused(key: ec.EllipticCurvePrivateKey, kid: str) -> None:
    jws = make_jws(key, kid)
    assert refusal(lambda: decode_jws(jws[:-10])) == "jws-signature-length"


@pytest.mark.parametrize("tail", ["x", ".", " ", "\n", "=="])
def test_trailing_characters_are_refused(key: ec.EllipticCurvePrivateKey, kid: str,
                                         tail: str) -> None:
    jws = make_jws(key, kid) + tail
    assert refusal(lambda: decode_jws(jws)) in {"jws-malformed", "jws-signature-length"}


def test_invalid_deflate_is_refused(key: ec.EllipticCurvePrivateKey, kid: str) -> None:
    bad = make_jws(key, kid, raw_payload=zlib.compress(b'{"iss": 1}'))  # zlib, not raw
    assert refusal(lambda: decode_jws(bad)) == "compression-invalid"
    padded = make_jws(key, kid, raw_payload=deflate(json.dumps(payload()).encode()) + b"xx")
    assert refusal(lambda: decode_jws(padded)) == "compression-invalid"


def test_zip_bomb_is_refused(key: ec.EllipticCurvePrivateKey, kid: str) -> None:
    bomb = make_jws(key, kid, raw_payload=deflate(b" " * (4 * 1024 * 1024)))
    assert refusal(lambda: decode_jws(bomb)) == "compression-too-large"


def test_payload_with_bom_or_duplicate_keys_is_refused(key: ec.EllipticCurvePrivateKey,
                                                       kid: str) -> None:
    text = json.dumps(payload()).encode()
    bom = make_jws(key, kid, raw_payload=deflate(b"\xef\xbb\xbf" + text))
    assert refusal(lambda: decode_jws(bom)) == "json-bom"
    twice = make_jws(key, kid, raw_payload=deflate(b'{"iss": "a", ' + text[1:]))
    assert refusal(lambda: decode_jws(twice)) == "payload-json-invalid"


@pytest.mark.parametrize(("changes", "code"), [
    ({"vc": {"type": ["https://smarthealth.cards#immunization"],
             "credentialSubject": {"fhirBundle": bundle()}}}, "shc-vc-type-missing"),
    ({"vc": {"type": ["https://smarthealth.cards#health-card"]}}, "shc-fhir-bundle-missing"),
    ({"iss": ISS + "/"}, "shc-iss-invalid"),
    ({"iss": "http://issuer.example.org/shc"}, "shc-iss-invalid"),
    ({"nbf": None}, "shc-nbf-missing"),
    ({"nbf": "yesterday"}, "shc-time-invalid"),
    ({"nbf": True}, "shc-time-invalid"),
])
def test_bad_payloads_are_refused(key: ec.EllipticCurvePrivateKey, kid: str,
                                  changes: dict[str, Any], code: str) -> None:
    assert refusal(lambda: decode_jws(make_jws(key, kid, payload(**changes)))) == code


@pytest.mark.parametrize(("resources", "code"), [
    ([immunization("207", "2021-05-01", status="not-done")], "fhir-immunization-status"),
    ([{**immunization("207", "2021-05-01"), "vaccineCode": {"coding": []}}],
     "fhir-vaccine-code-missing"),
    ([{k: v for k, v in immunization("207", "x").items() if k != "occurrenceDateTime"}],
     "fhir-occurrence-missing"),
    ([immunization("207", "2021-02-30")], "fhir-date-invalid"),
    ([{"resourceType": "Patient"}, immunization("207", "2021-05-01")], "fhir-patient-ambiguous"),
    ([{"resourceType": "Specimen"}], "fhir-no-statement"),
])
def test_malformed_fhir_is_refused(key: ec.EllipticCurvePrivateKey, kid: str,
                                   resources: list[dict[str, Any]], code: str) -> None:
    body = payload(vc={"type": ["https://smarthealth.cards#health-card"],
                       "credentialSubject": {"fhirBundle": bundle(*resources)}})
    assert refusal(lambda: decode_jws(make_jws(key, kid, body))) == code


def test_health_card_file_lists_its_cards(key: ec.EllipticCurvePrivateKey, kid: str) -> None:
    text = json.dumps({"verifiableCredential": [make_jws(key, kid)]})
    assert len(health_card_jws(text)) == 1
    assert refusal(lambda: health_card_jws(text + "\n")) == "trailing-characters"
    assert refusal(lambda: health_card_jws('{"verifiableCredential": []}')) == (
        "health-card-file-invalid")


# ---- verification: keys, issuer binding, time, revocation -----------------------------------

def verified(envelope: SignedEnvelope, store: TrustStore, at: datetime = AT) -> str:
    return refusal(lambda: verify_envelope(envelope, store, at))


def test_bit_flipped_signature_is_refused(key: ec.EllipticCurvePrivateKey, kid: str,
                                          store: TrustStore) -> None:
    envelope = decode_jws(make_jws(key, kid))
    flipped = bytes([envelope.signature[0] ^ 1]) + envelope.signature[1:]
    tampered = SignedEnvelope(envelope.credential, "ES256", envelope.kid, envelope.signed,
                              flipped, envelope.key_issuer)
    assert verified(tampered, store) == "signature-invalid"


def test_unknown_kid_is_refused(key: ec.EllipticCurvePrivateKey, store: TrustStore) -> None:
    assert verified(decode_jws(make_jws(key, "another-kid")), store) == "key-unknown"


def test_key_of_another_issuer_is_refused(key: ec.EllipticCurvePrivateKey, kid: str,
                                          store: TrustStore) -> None:
    impostor = decode_jws(make_jws(key, kid, payload(iss="https://elsewhere.example/shc")))
    assert verified(impostor, store) == "key-unknown"


def test_expired_and_not_yet_valid_cards_are_refused(
    key: ec.EllipticCurvePrivateKey, kid: str, store: TrustStore
) -> None:
    expired = decode_jws(make_jws(key, kid, payload(exp=NBF + 60)))
    assert verified(expired, store) == "expired"
    early = AT - timedelta(days=2)
    assert verified(decode_jws(make_jws(key, kid)), store, early) == "not-yet-valid"


@pytest.mark.parametrize(("entry", "revoked"), [
    ("rid-0001", True),
    (f"rid-0001.{NBF + 10}", True),
    (f"rid-0001.{NBF - 10}", False),
    ("rid-0002", False),
])
def test_revoked_rid_is_refused(key: ec.EllipticCurvePrivateKey, kid: str, store: TrustStore,
                                entry: str, revoked: bool) -> None:
    load_shc_crl({"kid": kid, "method": "rid", "ctr": 1, "rids": [entry]}, store)
    envelope = decode_jws(make_jws(key, kid))
    if revoked:
        assert verified(envelope, store) == "revoked"
    else:
        verify_envelope(envelope, store, AT)


@pytest.mark.parametrize(("crl", "code"), [
    ({"kid": "k", "method": "rid", "ctr": 1, "rids": ["base64=="]}, "crl-rid-invalid"),
    ({"kid": "k", "method": "rid", "ctr": 1, "rids": ["x" * 25]}, "crl-rid-invalid"),
    ({"kid": "k", "method": "hash", "ctr": 1, "rids": []}, "crl-method-unsupported"),
    ({"kid": "k", "method": "rid", "rids": []}, "crl-invalid"),
])
def test_bad_crls_are_refused_and_change_nothing(crl: dict[str, Any], code: str) -> None:
    store = TrustStore()
    assert refusal(lambda: load_shc_crl(crl, store)) == code
    assert store.revoked_shc == {}


# ---- key sets --------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "code"), [
    ({"kid": "not-the-thumbprint"}, "jwks-kid-mismatch"),
    ({"alg": "ES384"}, "jwks-wrong-alg"),
    ({"crv": "P-384"}, "jwks-wrong-crv"),
    ({"kty": "RSA"}, "jwks-wrong-kty"),
    ({"use": "enc"}, "jwks-wrong-use"),
    ({"d": "c2VjcmV0"}, "jwks-private-key"),
    ({"y": "AAAA"}, "jwks-kid-mismatch"),
])
def test_bad_keys_are_refused(key: ec.EllipticCurvePrivateKey, change: dict[str, str],
                              code: str) -> None:
    jwk = {**public_jwk(key), **change}
    assert refusal(lambda: load_jwks({"keys": [jwk]}, issuer=ISS)) == code


def test_point_off_the_curve_is_refused(key: ec.EllipticCurvePrivateKey) -> None:
    jwk = {**public_jwk(key), "y": b64url(b"\x01" * 32)}
    jwk["kid"] = jwk_thumbprint(jwk)
    assert refusal(lambda: load_jwks({"keys": [jwk]})) == "jwks-key-invalid"


def test_damaged_key_set_is_refused() -> None:
    assert refusal(lambda: load_jwks(b"This is not a valid JSON Web Key Set!")) == "jwks-invalid"
    assert refusal(lambda: load_jwks({"keys": []})) == "jwks-invalid"


def test_thumbprint_hashes_only_the_required_members_in_order() -> None:
    # RFC 7638: the required members of an EC key, sorted, no whitespace; others ignored.
    jwk = {"y": "b", "x": "a", "kty": "EC", "crv": "P-256", "kid": "ignored", "use": "sig"}
    digest = hashlib.sha256(b'{"crv":"P-256","kty":"EC","x":"a","y":"b"}').digest()
    assert jwk_thumbprint(jwk) == b64url(digest)


def certificate(subject_key: ec.EllipticCurvePrivateKey, issuer_key: ec.EllipticCurvePrivateKey,
                name: str, issuer_name: str, uri: str | None) -> str:
    start = datetime(2021, 1, 1, tzinfo=UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
               .public_key(subject_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(start + timedelta(days=3650)))
    if uri is not None:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.UniformResourceIdentifier(uri)]), critical=False)
    der = builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    return base64.b64encode(der).decode("ascii")


def test_x5c_chain_is_checked(key: ec.EllipticCurvePrivateKey) -> None:
    root = ec.generate_private_key(ec.SECP256R1())
    stranger = ec.generate_private_key(ec.SECP256R1())
    root_cert = certificate(root, root, "Root", "Root", None)
    good = [certificate(key, root, "Issuer", "Root", ISS), root_cert]
    assert len(load_jwks({"keys": [{**public_jwk(key), "x5c": good}]}, issuer=ISS)) == 1
    cases = {
        "wrong issuer": [certificate(key, root, "Issuer", "Root", "https://x.example"), root_cert],
        "no SAN": [certificate(key, root, "Issuer", "Root", None), root_cert],
        "broken chain": [certificate(key, stranger, "Issuer", "Root", ISS), root_cert],
        "other key": [certificate(stranger, root, "Issuer", "Root", ISS), root_cert],
    }
    for chain in cases.values():
        jwk = {**public_jwk(key), "x5c": chain}
        assert refusal(lambda j=jwk: load_jwks({"keys": [j]}, issuer=ISS)) == "jwks-x5c-invalid"


def test_issuer_directory_restricts_the_store(key: ec.EllipticCurvePrivateKey,
                                              store: TrustStore) -> None:
    directory = load_issuer_directory(
        {"participating_issuers": [{"iss": ISS, "name": "Test issuer"}]})
    assert directory == {ISS: "Test issuer"}
    assert len(restrict_to_issuers(store, directory)) == 1
    assert len(restrict_to_issuers(store, ["https://other.example"])) == 0
    with pytest.raises(TrustListError):
        load_issuer_directory({"issuers": []})
