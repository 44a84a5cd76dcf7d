"""Password hashing (argon2id with pinned parameters), verification and the password policy."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from jointcheck.errors import PasswordError
from jointcheck.security.passwords import (
    HASHER,
    MEMORY_COST_KIB,
    PARALLELISM,
    TIME_COST,
    check_password_policy,
    hash_password,
    needs_rehash,
    verify_password,
)

# Hashing with the real parameters takes about a tenth of a second; the tests that are not
# about the parameters use a cheap hasher of the same variant.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
GOOD = "Correct horse 42"


def test_hash_uses_pinned_argon2id_parameters() -> None:
    stored = hash_password(GOOD)
    parameters = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (
        TIME_COST, MEMORY_COST_KIB, PARALLELISM)
    assert (TIME_COST, MEMORY_COST_KIB, PARALLELISM) == (3, 65536, 4)
    assert verify_password(stored, GOOD)
    assert not needs_rehash(stored)


def test_same_password_gets_a_fresh_salt() -> None:
    assert hash_password(GOOD, hasher=CHEAP) != hash_password(GOOD, hasher=CHEAP)


def test_wrong_password_is_refused_without_raising() -> None:
    stored = hash_password(GOOD, hasher=CHEAP)
    assert not verify_password(stored, "Correct horse 43")
    assert not verify_password(stored, "")


@pytest.mark.parametrize("stored", [
    "", "not a hash", "$argon2id$", "$argon2id$v=19$m=1024,t=1,p=1$AAAA$AAAA",
    "$2b$12$abcdefghijklmnopqrstuuQ6/Ns0v0t4mE8uQm8Y2x1a1a1a1a1a",  # bcrypt
    "$argon2id$v=19$m=1024,t=1,p=1$é$é",                            # not ASCII
    # A hash planted to make the login allocate 4 GiB: refused unread.
    "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA",
])
def test_malformed_hash_is_a_no_not_an_error(stored: str) -> None:
    assert verify_password(stored, GOOD) is False


def test_unknown_user_is_a_no() -> None:
    assert verify_password(None, GOOD) is False


def test_password_is_normalised_before_hashing() -> None:
    # Full-width digits (an East Asian keyboard) and ASCII digits are the same password.
    stored = hash_password("Correct horse 42", hasher=CHEAP)
    assert verify_password(stored, "Correct horse ４２")


def test_needs_rehash_when_parameters_change() -> None:
    assert needs_rehash(hash_password(GOOD, hasher=CHEAP))
    assert not needs_rehash(hash_password(GOOD, hasher=CHEAP), hasher=CHEAP)
    assert needs_rehash("damaged")
    assert HASHER.type is Type.ID


@pytest.mark.parametrize(("password", "code"), [
    ("Short1", "password-too-short"),
    ("Abcdefgh1", "password-too-short"),        # nine characters
    ("a" * 257 + "B", "password-too-long"),
    ("abcdefghijkl", "password-one-class"),
    ("ABCDEFGHIJKL", "password-one-class"),
    ("123456789012", "password-one-class"),
    ("!@#$%^&*()_+", "password-one-class"),
    ("１２３４５６７８９０", "password-one-class"),  # full-width digits are digits
])
def test_policy_refuses_weak_passwords(password: str, code: str) -> None:
    with pytest.raises(PasswordError) as caught:
        hash_password(password, hasher=CHEAP)
    assert caught.value.code == code
    assert caught.value.stage == "password"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("password", [
    "abcdefghi1", "Abcdefghij", "correct horse", "张伟的密码abc12", "x" * 255 + "Y",
])
def test_policy_accepts_passwords_of_two_classes(password: str) -> None:
    check_password_policy(password)
