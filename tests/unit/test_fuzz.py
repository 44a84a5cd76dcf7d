"""Property tests: whatever text is scanned, verify answers with a Verification and never raises.

Every test is derandomized, so CI sees the same examples on every run.
"""

from __future__ import annotations

import random
import zlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jointcheck.credentials.base45 import ALPHABET, b45decode, b45encode
from jointcheck.credentials.cose import parse_sign1
from jointcheck.credentials.dcc import DCC_KEY, HCERT_CLAIM
from jointcheck.credentials.health_code import HEALTH_CODE_CLAIM
from jointcheck.credentials.model import CodeColor, SignedEnvelope
from jointcheck.credentials.registry import decode
from jointcheck.errors import JointcheckError
from jointcheck.trust.issuer import Issued
from jointcheck.trust.verify import Verification, verify

FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
PREFIXES = ["HC1:", "HCODE1:", "shc:/"]
CHECK_AT = datetime.fromisoformat("2024-06-01T08:01:00+00:00")


def verified(text: str, store: Any) -> Verification:
    result = verify(text, store, CHECK_AT)
    assert isinstance(result, Verification)
    assert result.valid == (result.error is None)
    if not result.valid:
        assert isinstance(result.error, JointcheckError)
        assert result.stage and result.code and result.code != "valid"
    return result


def decoded_or_refused(text: Any) -> SignedEnvelope | None:
    try:
        return decode(text)
    except JointcheckError:
        return None


@pytest.fixture(scope="module")
def originals(issuer, holder) -> dict[str, Issued]:
    """A certificate and a health code valid at CHECK_AT."""
    at = CHECK_AT - timedelta(minutes=1)
    return {
        "certificate": issuer.vaccination(holder, dose=1, series=2, when=date(2024, 5, 1),
                                          at=at),
        "health-code": issuer.health_code(holder, color=CodeColor.GREEN, at=at),
    }


def test_originals_are_valid(originals, shared_store) -> None:
    for issued in originals.values():
        assert verified(issued.text, shared_store).valid


@FUZZ
@given(text=st.text())
def test_any_text_gives_a_verification(shared_store, text) -> None:
    assert not verified(text, shared_store).valid
    decoded_or_refused(text)


@FUZZ
@given(prefix=st.sampled_from(PREFIXES), rest=st.text())
def test_prefixed_text_gives_a_verification(shared_store, prefix, rest) -> None:
    assert not verified(prefix + rest, shared_store).valid
    decoded_or_refused(prefix + rest)


@FUZZ
@given(prefix=st.sampled_from(["HC1:", "HCODE1:"]), rest=st.text(alphabet=ALPHABET))
def test_base45_alphabet_text_gives_a_verification(shared_store, prefix, rest) -> None:
    assert not verified(prefix + rest, shared_store).valid
    decoded_or_refused(prefix + rest)


@FUZZ
@given(rest=st.text(alphabet="0123456789/", max_size=400))
def test_smart_health_card_digits_give_a_verification(shared_store, rest) -> None:
    assert not verified("shc:/" + rest, shared_store).valid
    decoded_or_refused("shc:/" + rest)


@st.composite
def text_mutations(draw: st.DrawFn, text: str) -> str:
    """Flip, insert or delete one to four characters of ``text`` at uniform positions."""
    rnd = random.Random(draw(st.integers(0, 2**32)))  # uniform positions, seeded by hypothesis
    chars = list(text)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "flip", "insert", "delete"]))
        # Mostly base45 characters, so that the damage reaches the layers below base45.
        new = draw(st.characters()) if rnd.random() < 0.1 else rnd.choice(ALPHABET)
        if kind == "delete":
            del chars[rnd.randrange(len(chars))]
        elif kind == "insert":
            chars.insert(rnd.randrange(len(chars) + 1), new)
        else:
            chars[rnd.randrange(len(chars))] = new
    return "".join(chars)


@st.composite
def byte_mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """Flip bits, insert or delete one to four bytes of ``data`` at uniform positions."""
    rnd = random.Random(draw(st.integers(0, 2**32)))
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["bit", "byte", "insert", "delete"]))
        if kind == "bit":
            out[rnd.randrange(len(out))] ^= 1 << rnd.randrange(8)
        elif kind == "byte":
            out[rnd.randrange(len(out))] = draw(st.integers(0, 255))
        elif kind == "insert":
            out.insert(rnd.randrange(len(out) + 1), draw(st.integers(0, 255)))
        elif len(out) > 1:
            del out[rnd.randrange(len(out))]
    return bytes(out)


def cose_bytes(text: str) -> bytes:
    body = text.strip()
    return zlib.decompressobj().decompress(b45decode(body[body.index(":") + 1:]))


def signed_content(cose: bytes) -> tuple[bytes, bytes, bytes]:
    """Return what the signature covers (protected header, payload) and the signature."""
    sign1 = parse_sign1(cose)
    return sign1.protected, sign1.payload, sign1.signature


@pytest.mark.parametrize("which", ["certificate", "health-code"])
def test_mutated_text_is_never_valid(originals, shared_store, which) -> None:
    original = originals[which].text

    @FUZZ
    @given(mutated=text_mutations(original))
    def check(mutated: str) -> None:
        result = verified(mutated, shared_store)
        if result.valid and mutated.strip() != original:
            # Only a change that leaves the signed message alone may still verify: zlib is
            # not canonical (another compression of the same message verifies too).
            assert signed_content(cose_bytes(mutated)) == signed_content(
                cose_bytes(original)), mutated

    check()


@pytest.mark.parametrize("which", ["certificate", "health-code"])
def test_mutated_cose_message_is_never_valid(originals, shared_store, which) -> None:
    original = originals[which].text
    prefix = original[: original.index(":") + 1]
    message = cose_bytes(original)

    @FUZZ
    @given(mutated=byte_mutations(message))
    def check(mutated: bytes) -> None:
        result = verified(prefix + b45encode(zlib.compress(mutated)), shared_store)
        if result.valid:
            # The unprotected header and bytes after the message are not signed.
            assert signed_content(mutated) == signed_content(message)

    check()


# ---- structure-aware fuzzing: signed nonsense inside a valid envelope -------------------------

scalars = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats()
           | st.text(max_size=12) | st.binary(max_size=12)
           | st.dates() | st.datetimes(timezones=st.just(UTC)))
# cbor2 cannot encode a map key that is a list or map, so keys stay scalar.
keys = st.integers(-300, 300) | st.text(max_size=4)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(keys, inner, max_size=3), max_leaves=12)
# Mostly plausible field values, so that decoding gets past the first check it makes.
plausible = st.sampled_from(["840539006", "2024-05-01", "2024-05-01T06:00:00Z", "CN", "",
                             "URN:UVCI:01:CN:FZCDC/ABC#0", "allergy", 1, 2, 0, -1, 3])
field = plausible | values
ENTRY_KEYS = ["tg", "vp", "mp", "ma", "dn", "sd", "dt", "co", "is", "ci", "sc", "tr", "tt",
              "fr", "df", "du", "il", "rc"]
entries = st.lists(st.fixed_dictionaries({}, optional=dict.fromkeys(ENTRY_KEYS, field)),
                   min_size=1, max_size=2) | values
names = st.fixed_dictionaries({}, optional=dict.fromkeys(
    ["fn", "gn", "fnt", "gnt"], st.sampled_from(["Zhang", "ZHANG", "张", ""]) | values))
statement = st.sampled_from(["v", "t", "r", "e"]).flatmap(
    lambda key: st.fixed_dictionaries({key: entries}))
core = st.fixed_dictionaries(
    {"nam": names | values, "dob": st.sampled_from(["1990-05-17", "1990", ""]) | values},
    optional={"ver": values, "pid": st.just("pid-zhang-wei-0001") | values,
              "col": st.sampled_from(["green", "red", "blue"]) | values})
dcc_like = (st.builds(lambda a, b: {**a, **b}, core, statement)
            | st.dictionaries(st.sampled_from(["ver", "nam", "dob", "v", "t", "r", "e"]),
                              values, max_size=5))
NOW = int(CHECK_AT.timestamp())
instant = st.integers(NOW - 86400, NOW + 86400)


def mostly(good: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Draw from ``good`` nine times in ten, else from ``odd``."""
    return st.integers(1, 10).flatmap(lambda n: odd if n == 10 else good)


times = mostly(instant, values)
claims = st.fixed_dictionaries(
    {6: times, 4: times, HCERT_CLAIM: mostly(st.fixed_dictionaries({DCC_KEY: dcc_like}),
                                             values)},
    optional={1: values, 5: times, 7: st.binary(min_size=1, max_size=16) | values,
              HEALTH_CODE_CLAIM: dcc_like,
              "name": st.text(max_size=12) | values, "birthDate": values, "vaccine": values},
)


@pytest.mark.parametrize("prefix", ["HC1:", "HCODE1:"])
def test_signed_nonsense_gives_a_verification(cose, dcc_signer, health_code_signer,
                                              shared_store, prefix) -> None:
    signer = dcc_signer if prefix == "HC1:" else health_code_signer

    @settings(max_examples=300, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(payload=claims)
    def check(payload: dict[Any, Any]) -> None:
        text = cose.signed_by(signer, payload, prefix=prefix)
        verified(text, shared_store)
        decoded_or_refused(text)

    check()


@pytest.mark.parametrize("prefix", ["HC1:", "HCODE1:"])
def test_nonsense_headers_give_a_verification(cose, shared_store, prefix) -> None:
    # Scalars here; a list or map as the alg has its own test below.
    header_values = (st.integers(-300, 300) | st.binary(max_size=9) | st.text(max_size=4)
                     | st.none() | st.booleans())
    headers = st.dictionaries(st.integers(-5, 40) | st.text(max_size=3), header_values,
                              max_size=4)

    @settings(max_examples=300, deadline=None, derandomize=True, database=None)
    @given(protected=headers, unprotected=headers, tags=st.sampled_from(
        [(), (18,), (61, 18), (61,), (18, 18), (98,)]))
    def check(protected: dict[Any, Any], unprotected: dict[Any, Any],
              tags: tuple[int, ...]) -> None:
        text = cose.seal(prefix, [cbor2.dumps(protected) if protected else b"", unprotected,
                                  cbor2.dumps({1: "CN"}), b"\x00" * 64], tags)
        assert not verified(text, shared_store).valid
        decoded_or_refused(text)

    check()


@pytest.mark.parametrize(("protected", "unprotected"), [
    (b"", {1: [1]}),
    (cbor2.dumps({1: {2: 3}, 4: b"kid"}), {}),
], ids=["unprotected-list-alg", "protected-map-alg"])
def test_unhashable_algorithm_gives_a_verification(cose, shared_store, protected,
                                                   unprotected) -> None:
    text = cose.seal("HC1:", [protected, unprotected, cbor2.dumps({1: "CN"}), b"\x00" * 64])
    result = verified(text, shared_store)
    assert (result.stage, result.code) == ("cose", "algorithm-unsupported")
