"""The short cuts of the verification pipeline give exactly what the general code gives.

Each fast path (COSE_Sign1 read with slices, DER built from bytes, base45 in 3-byte lanes, the
slot-filling ``__init__`` of the decoded values) is checked against the general code or an
independent reference on the same input, including the inputs where it must step aside.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import base45 as reference_base45
import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st

from jointcheck.credentials.base45 import b45decode, b45encode
from jointcheck.credentials.cose import COSE_SIGN1_TAG, CWT_TAG, _plain_sign1, parse_sign1
from jointcheck.credentials.model import Credential, CredentialType, Subject
from jointcheck.errors import Base45Error, CoseError
from jointcheck.trust.signatures import raw_to_der

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def general_sign1(data: bytes) -> tuple[bytes, str, bytes, bytes, bytes] | str:
    """Parse with cbor2 alone, as the parser did before its fast path: the items or the code."""
    try:
        obj = cbor2.loads(data)
    except Exception:
        return "cose-invalid"
    while isinstance(obj, cbor2.CBORTag) and obj.tag in (CWT_TAG, COSE_SIGN1_TAG):
        obj = obj.value
    if not isinstance(obj, list | tuple) or len(obj) != 4:
        return "cose-invalid"
    protected, unprotected, payload, signature = obj
    if not all(isinstance(x, bytes) for x in (protected, payload, signature)) or not isinstance(
            unprotected, dict):
        return "cose-invalid"
    header = cbor2.loads(protected) if protected else {}
    alg = header.get(1, unprotected.get(1))
    names = {-7: "ES256", -37: "PS256", -8: "EdDSA"}
    if not isinstance(alg, int) or alg not in names:
        return "algorithm-unsupported"
    kid = header[4] if 4 in header else unprotected.get(4, b"")
    return protected, names[alg], kid, payload, signature


def ours(data: bytes) -> tuple[bytes, str, bytes, bytes, bytes] | str:
    try:
        return tuple(parse_sign1(data))  # type: ignore[return-value]
    except CoseError as error:
        return error.code


@st.composite
def sign1_messages(draw: st.DrawFn) -> bytes:
    protected = draw(st.sampled_from([b"", cbor2.dumps({1: -7}), cbor2.dumps({1: -7, 4: b"k1"}),
                                      cbor2.dumps({1: -37, 4: b"x" * 30})]))
    unprotected = draw(st.sampled_from([{}, {4: b"k2"}, {1: -8}]))
    payload = draw(st.binary(max_size=300) | st.sampled_from([b"p" * 255, b"p" * 256,
                                                             b"p" * 65535, b"p" * 65536]))
    signature = draw(st.binary(min_size=0, max_size=70))
    message: Any = [protected, unprotected, payload, signature]
    for tag in reversed(draw(st.sampled_from([(), (18,), (61, 18), (17,), (61,), (1, 18)]))):
        message = cbor2.CBORTag(tag, message)
    data = cbor2.dumps(message)
    cut = draw(st.sampled_from(["whole", "truncated", "trailing"]))
    if cut == "truncated":
        return data[:draw(st.integers(0, len(data)))]
    if cut == "trailing":
        return data + draw(st.binary(min_size=1, max_size=3))
    return data


@SETTINGS
@given(sign1_messages())
def test_parse_sign1_agrees_with_the_general_decoder(data: bytes) -> None:
    assert ours(data) == general_sign1(data)


def test_the_usual_message_shape_is_read_exactly() -> None:
    protected = cbor2.dumps({1: -7, 4: b"kid-0001"})
    for tags in [(18,), (61, 18)]:
        message: Any = [protected, {}, b"c" * 300, b"s" * 64]
        for tag in reversed(tags):
            message = cbor2.CBORTag(tag, message)
        data = cbor2.dumps(message)
        # The slices themselves read it (not the general decoder they step aside for) ...
        assert _plain_sign1(data) == (protected, {}, b"c" * 300, b"s" * 64)
        assert tuple(parse_sign1(data)) == (protected, "ES256", b"kid-0001", b"c" * 300,
                                            b"s" * 64)
    # ... and step aside for anything else.
    assert _plain_sign1(cbor2.dumps([protected, {}, b"c", b"s"])) is None
    assert _plain_sign1(cbor2.dumps(cbor2.CBORTag(18, [protected, {4: b"k"}, b"c", b"s"]))) is None


@pytest.mark.parametrize("signature", [
    bytes(64), b"\xff" * 64, b"\x01" * 64, b"\x80" + bytes(63), bytes(32) + b"\x80" * 32,
    bytes(31) + b"\x7f" + bytes(31) + b"\x80", b"\x00\x80" + b"\x11" * 62,
])
def test_der_of_edge_signatures_matches_cryptography(signature: bytes) -> None:
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    assert raw_to_der(signature) == encode_dss_signature(r, s)


@SETTINGS
@given(st.binary(min_size=64, max_size=64))
def test_der_of_any_signature_matches_cryptography(signature: bytes) -> None:
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    assert raw_to_der(signature) == encode_dss_signature(r, s)


@pytest.mark.parametrize("size", [4094, 4096, 4098, 6001])
def test_base45_longer_than_any_qr_code_still_decodes(size: int) -> None:
    raw = bytes(range(256)) * (size // 256) + bytes(size % 256)
    text = reference_base45.b45encode(raw).decode("ascii")
    assert b45decode(text) == raw


def test_base45_long_text_with_one_group_out_of_range_is_refused() -> None:
    text = b45encode(b"\x00" * 6000)
    with pytest.raises(Base45Error, match="out of range"):
        b45decode(text[:4500] + "GGW" + text[4503:])


def test_decoded_values_stay_frozen_dataclasses() -> None:
    subject = Subject("Zhang", "San", "ZHANG", "SAN", "1990-01-02")
    assert subject.pid is None
    assert subject == Subject(family_name="Zhang", given_name="San", family_std="ZHANG",
                              given_std="SAN", birth_date="1990-01-02", pid=None)
    assert hash(subject) == hash(dataclasses.replace(subject))
    with pytest.raises(dataclasses.FrozenInstanceError):
        subject.pid = "x"  # type: ignore[misc]
    with pytest.raises(TypeError, match="birth_date"):
        Subject("Zhang", "San", "ZHANG", "SAN")  # type: ignore[call-arg]
    one = Credential("hc1", CredentialType.TEST, subject, (), None, None, None)
    two = Credential("hc1", CredentialType.TEST, subject, (), None, None, None)
    assert one.payload == {} and one.payload is not two.payload  # a new default each time
    assert one.certificate_id is None and one == two
