"""The low wire layers: base45 (RFC 9285) and COSE_Sign1 (RFC 9052) parsing and Sig_structure."""

from __future__ import annotations

from typing import Any

import base45 as reference_base45
import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointcheck.credentials.base45 import ALPHABET, b45decode, b45encode
from jointcheck.credentials.cose import (
    COSE_SIGN1_TAG,
    CWT_TAG,
    Sign1,
    build_sign1,
    parse_sign1,
    protected_bytes,
    sig_structure,
)
from jointcheck.errors import Base45Error, CoseError

RFC_9285 = [
    (b"AB", "BB8"),
    (b"Hello!!", "%69 VD92EX0"),
    (b"base-45", "UJCLQE7W581"),
    (b"ietf!", "QED8WEX0"),
]


@pytest.mark.parametrize(("raw", "text"), RFC_9285)
def test_base45_matches_rfc_9285_examples(raw, text) -> None:
    assert b45encode(raw) == text
    assert b45decode(text) == raw


@pytest.mark.parametrize(("raw", "text"), [
    (b"", ""), (b"\x00", "00"), (b"\xff", "U5"), (b"\x00\x00", "000"), (b"\xff\xff", "FGW"),
])
def test_base45_edges(raw, text) -> None:
    assert b45encode(raw) == text
    assert b45decode(text) == raw


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.binary(max_size=300))
def test_base45_round_trip_agrees_with_the_reference(raw: bytes) -> None:
    text = b45encode(raw)
    assert set(text) <= set(ALPHABET)
    assert len(text) == 3 * (len(raw) // 2) + 2 * (len(raw) % 2)
    assert text == reference_base45.b45encode(raw).decode("ascii")
    assert b45decode(text) == raw


@pytest.mark.parametrize("text", ["A", "ABCD", "BB8B", "%69 VD92EX0AB"])
def test_base45_impossible_length_is_refused(text) -> None:
    with pytest.raises(Base45Error, match="length") as caught:
        b45decode(text)
    assert caught.value.code == "base45-invalid"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("text", ["bb8", "BB8!", "AB_", "BB\n", "BB8é", "中文"])
def test_base45_invalid_characters_are_refused(text) -> None:
    with pytest.raises(Base45Error) as caught:
        b45decode(text)
    assert caught.value.code == "base45-invalid"


def test_base45_names_the_invalid_character() -> None:
    with pytest.raises(Base45Error, match="'!'"):
        b45decode("BB8!A")


@pytest.mark.parametrize("text", ["GGW", ":::", "BB8GGW", "000:::000", "V5", "::", "BB8::"])
def test_base45_groups_out_of_range_are_refused(text) -> None:
    # GGW = 65536 (one past two bytes), ::: = 91124; V5 = 256 (one past one byte).
    with pytest.raises(Base45Error, match="out of range") as caught:
        b45decode(text)
    assert caught.value.code == "base45-invalid"


# ---- Sig_structure ---------------------------------------------------------------------------

LENGTHS = [0, 1, 23, 24, 255, 256, 65535, 65536]


@pytest.mark.parametrize("payload_length", LENGTHS)
@pytest.mark.parametrize("protected_length", [0, 3, 23, 24, 255, 256])
def test_sig_structure_is_the_cbor_of_the_rfc_array(protected_length, payload_length) -> None:
    protected = bytes(range(256)) * (protected_length // 256) + bytes(protected_length % 256)
    payload = b"\xa5" * payload_length
    expected = cbor2.dumps(["Signature1", protected, b"", payload])
    assert sig_structure(protected, payload) == expected


def test_to_be_signed_is_the_sig_structure() -> None:
    protected = protected_bytes({1: -7, 4: b"kid-0001"})
    message = build_sign1({1: -7, 4: b"kid-0001"}, b"claims", b"\x00" * 64)
    parsed = parse_sign1(message)
    assert parsed.to_be_signed() == cbor2.dumps(["Signature1", protected, b"", b"claims"])


# ---- parse_sign1 -----------------------------------------------------------------------------

PROTECTED = cbor2.dumps({1: -7, 4: b"kid-0001"})
ITEMS: list[Any] = [PROTECTED, {}, b"claims", b"\x01" * 64]
EXPECTED = Sign1(PROTECTED, "ES256", b"kid-0001", b"claims", b"\x01" * 64)


@pytest.mark.parametrize("wrap", [
    lambda items: cbor2.CBORTag(COSE_SIGN1_TAG, items),
    lambda items: cbor2.CBORTag(CWT_TAG, cbor2.CBORTag(COSE_SIGN1_TAG, items)),
    lambda items: items,
], ids=["tag-18", "tag-61-18", "untagged"])
def test_parse_sign1_accepts_the_three_encodings(wrap) -> None:
    assert parse_sign1(cbor2.dumps(wrap(list(ITEMS)))) == EXPECTED


def test_build_sign1_round_trips() -> None:
    message = build_sign1({1: -7, 4: b"kid-0001"}, b"claims", b"\x01" * 64)
    assert cbor2.loads(message).tag == COSE_SIGN1_TAG
    assert parse_sign1(message) == EXPECTED


@pytest.mark.parametrize(("alg", "name"), [(-7, "ES256"), (-37, "PS256"), (-8, "EdDSA")])
def test_parse_sign1_names_each_supported_algorithm(alg, name) -> None:
    message = cbor2.dumps([cbor2.dumps({1: alg}), {}, b"", b""])
    assert parse_sign1(message).algorithm == name


def test_algorithm_may_come_from_the_unprotected_header() -> None:
    assert parse_sign1(cbor2.dumps([b"", {1: -7}, b"p", b"s"])).algorithm == "ES256"


def test_protected_kid_wins_over_the_unprotected_one() -> None:
    message = cbor2.dumps([PROTECTED, {4: b"attacker"}, b"claims", b"sig"])
    assert parse_sign1(message).kid == b"kid-0001"
    unprotected_only = cbor2.dumps([cbor2.dumps({1: -7}), {4: b"kid-0002"}, b"c", b"s"])
    assert parse_sign1(unprotected_only).kid == b"kid-0002"
    no_kid = cbor2.dumps([cbor2.dumps({1: -7}), {}, b"c", b"s"])
    assert parse_sign1(no_kid).kid == b""


MALFORMED = {
    "not-cbor": b"\xff\xff",
    "empty": b"",
    "truncated": cbor2.dumps(cbor2.CBORTag(18, ITEMS))[:-10],
    "three-items": cbor2.dumps(ITEMS[:3]),
    "five-items": cbor2.dumps([*ITEMS, b""]),
    "a-map": cbor2.dumps({1: 2}),
    "a-byte-string": cbor2.dumps(b"cose"),
    "tag-98-cose-sign": cbor2.dumps(cbor2.CBORTag(98, ITEMS)),
    "tag-17-mac0": cbor2.dumps(cbor2.CBORTag(17, ITEMS)),
    "tag-18-inside-tag-1": cbor2.dumps(cbor2.CBORTag(1, cbor2.CBORTag(18, ITEMS))),
    "protected-is-a-map": cbor2.dumps([{1: -7}, {}, b"c", b"s"]),
    "unprotected-is-a-list": cbor2.dumps([PROTECTED, [], b"c", b"s"]),
    "detached-payload": cbor2.dumps([PROTECTED, {}, None, b"s"]),
    "payload-is-text": cbor2.dumps([PROTECTED, {}, "claims", b"s"]),
    "signature-is-text": cbor2.dumps([PROTECTED, {}, b"c", "s"]),
    "protected-not-cbor": cbor2.dumps([b"\xff", {}, b"c", b"s"]),
    "protected-not-a-map": cbor2.dumps([cbor2.dumps([1, -7]), {}, b"c", b"s"]),
    "kid-is-text": cbor2.dumps([cbor2.dumps({1: -7, 4: "kid"}), {}, b"c", b"s"]),
    "unprotected-kid-is-int": cbor2.dumps([cbor2.dumps({1: -7}), {4: 5}, b"c", b"s"]),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_parse_sign1_refuses_malformed_messages(case) -> None:
    with pytest.raises(CoseError) as caught:
        parse_sign1(MALFORMED[case])
    assert caught.value.code == "cose-invalid"
    assert caught.value.stage == "cose"


@pytest.mark.parametrize("header", [
    {1: -257},  # RS256
    {1: -35},   # ES384
    {1: "ES256"},
    {4: b"kid-0001"},  # no algorithm at all
])
def test_parse_sign1_refuses_unsupported_algorithms(header) -> None:
    with pytest.raises(CoseError) as caught:
        parse_sign1(cbor2.dumps([cbor2.dumps(header), {}, b"c", b"s"]))
    assert caught.value.code == "algorithm-unsupported"


@pytest.mark.parametrize("message", [
    cbor2.dumps([cbor2.dumps({1: {2: 3}}), {}, b"c", b"s"]),
    cbor2.dumps([b"", {1: [1]}, b"c", b"s"]),
], ids=["protected-map-alg", "unprotected-list-alg"])
def test_parse_sign1_refuses_an_unhashable_algorithm(message) -> None:
    with pytest.raises(CoseError) as caught:
        parse_sign1(message)
    assert caught.value.code == "algorithm-unsupported"
