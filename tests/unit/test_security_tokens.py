"""API tokens: jct_<token id>_<secret>; the secret's SHA-256 kept, compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from jointcheck.errors import TokenError
from jointcheck.security.tokens import (
    IssuedToken,
    hash_secret,
    new_token,
    parse_token,
    token_matches,
)


def test_new_token_has_the_documented_form() -> None:
    issued = new_token()
    match = re.fullmatch(r"jct_([0-9a-f]{16})_([A-Za-z0-9_-]{43})", issued.text)
    assert match is not None
    assert match.group(1) == issued.token_id
    assert match.group(2) == issued.secret
    assert len(base64.urlsafe_b64decode(issued.secret + "=")) == 32
    assert issued.secret_hash == hashlib.sha256(issued.secret.encode()).hexdigest()


def test_tokens_are_unique() -> None:
    tokens = [new_token() for _ in range(200)]
    assert len({t.token_id for t in tokens}) == 200
    assert len({t.secret for t in tokens}) == 200


def test_secret_is_not_in_repr() -> None:
    issued = new_token()
    assert issued.secret not in repr(issued)
    assert issued.secret not in repr(parse_token(issued.text))


def test_parse_round_trip_and_match() -> None:
    issued = new_token()
    parsed = parse_token(issued.text)
    assert (parsed.token_id, parsed.secret) == (issued.token_id, issued.secret)
    assert token_matches(issued.secret_hash, parsed.secret)
    assert parse_token(f"  {issued.text}\n") == parsed


def test_secret_with_underscores_parses() -> None:
    # URL-safe base64 uses "_": a token splits on its first two underscores only.
    secret = base64.urlsafe_b64encode(b"\xff" * 32).decode().rstrip("=")
    assert "_" in secret
    issued = IssuedToken("0123456789abcdef", secret, hash_secret(secret))
    assert parse_token(issued.text).secret == secret


def test_other_secret_does_not_match() -> None:
    one, other = new_token(), new_token()
    assert not token_matches(one.secret_hash, other.secret)
    changed = one.secret[:-1] + ("B" if one.secret.endswith("A") else "A")
    assert not token_matches(one.secret_hash, changed)
    assert not token_matches("not a hash", one.secret)
    assert not token_matches(one.secret_hash.upper(), one.secret)
    assert not token_matches(one.secret_hash, "秘密")


def test_the_stored_hash_is_not_the_secret() -> None:
    issued = new_token()
    assert issued.secret not in issued.secret_hash
    assert not token_matches(issued.secret_hash, issued.secret_hash)


GOOD_ID = "0123456789abcdef"
GOOD_SECRET = base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")


@pytest.mark.parametrize("text", [
    "",
    "jct",
    f"jct_{GOOD_ID}",
    f"xyz_{GOOD_ID}_{GOOD_SECRET}",
    f"JCT_{GOOD_ID}_{GOOD_SECRET}",
    f"jct_{GOOD_ID.upper()}_{GOOD_SECRET}",
    f"jct_{GOOD_ID[:-1]}_{GOOD_SECRET}",
    f"jct_{GOOD_ID}0_{GOOD_SECRET}",
    f"jct_{GOOD_ID}_{GOOD_SECRET[:-1]}",
    f"jct_{GOOD_ID}_{GOOD_SECRET}A",
    f"jct_{GOOD_ID}_{GOOD_SECRET[:-1]}+",
    f"jct_{GOOD_ID}_{GOOD_SECRET}=",
    f"jct_{GOOD_ID}_{GOOD_SECRET[:-1]}x",  # spare bits set: not the canonical text
    f"jct_{GOOD_ID}_{GOOD_SECRET}\nextra",
    f"jct_{GOOD_ID}_{GOOD_SECRET[:-1]}é",
])
def test_malformed_tokens_are_refused(text: str) -> None:
    with pytest.raises(TokenError) as caught:
        parse_token(text)
    assert caught.value.code == "token-malformed"
    assert caught.value.stage == "token"
    assert GOOD_SECRET not in str(caught.value)


def test_the_good_token_of_the_malformed_cases_parses() -> None:
    assert parse_token(f"jct_{GOOD_ID}_{GOOD_SECRET}").secret == GOOD_SECRET
