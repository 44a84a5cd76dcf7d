"""Passwords of people who log in: argon2id hashes and a minimum policy for new passwords.

The parameters are RFC 9106's second recommended option ("low memory"): argon2id, 3 passes
over 64 MiB with 4 lanes, a 16-byte random salt and a 32-byte tag. One hash takes about a
tenth of a second on a server core, slow enough that a stolen table is expensive to guess at
and fast enough for a login. They are written out here rather than taken from argon2-cffi's
defaults, so that a library upgrade never changes them silently; when they are raised,
``needs_rehash`` tells the login to store a fresh hash while it holds the password.

Passwords are NFKC-normalised before hashing (NIST SP 800-63B §5.1.1.2), so the same password
typed on a phone and on a desktop keyboard verifies.
"""

from __future__ import annotations

import functools
import unicodedata

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import Argon2Error
from argon2.low_level import ARGON2_VERSION

from jointcheck.errors import PasswordError

TIME_COST = 3
MEMORY_COST_KIB = 64 * 1024
PARALLELISM = 4
HASH_BYTES = 32
SALT_BYTES = 16

MIN_LENGTH = 10
# argon2 takes any length, but a megabyte "password" costs hashing time for nothing.
MAX_LENGTH = 256
# A stored hash asking for more memory than this is refused unread: someone who can write the
# user table must not be able to make a login allocate gigabytes.
MAX_MEMORY_COST_KIB = 1024 * 1024

HASHER = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB,
                        parallelism=PARALLELISM, hash_len=HASH_BYTES, salt_len=SALT_BYTES,
                        type=Type.ID)


def normalise_password(password: str) -> str:
    """Return ``password`` in NFKC form, the form that is hashed."""
    return unicodedata.normalize("NFKC", password)


def _character_class(char: str) -> str:
    if char.isdigit():
        return "digit"
    if char.islower():
        return "lower"
    if char.isupper():
        return "upper"
    return "other"


def check_password_policy(password: str) -> None:
    """Raise ``PasswordError`` unless ``password`` is 10 to 256 characters of two classes."""
    text = normalise_password(password)
    if len(text) < MIN_LENGTH:
        raise PasswordError("password-too-short",
                            f"a password needs at least {MIN_LENGTH} characters")
    if len(text) > MAX_LENGTH:
        raise PasswordError("password-too-long",
                            f"a password has at most {MAX_LENGTH} characters")
    if len({_character_class(char) for char in text}) < 2:
        raise PasswordError("password-one-class",
                            "a password mixes at least two of lower case, upper case, "
                            "digits and other characters")


def hash_password(password: str, *, hasher: PasswordHasher = HASHER) -> str:
    """Return the argon2id hash to store for a new ``password`` that meets the policy."""
    check_password_policy(password)
    return hasher.hash(normalise_password(password))


@functools.cache
def _dummy_hash() -> str:
    return HASHER.hash("dummy password for unknown users")


def _plausible(stored_hash: str) -> bool:
    # argon2-cffi trusts the hash's own parameters; check them before it allocates memory.
    try:
        parameters = extract_parameters(stored_hash)
    except (Argon2Error, ValueError):
        return False
    return parameters.memory_cost <= MAX_MEMORY_COST_KIB and parameters.version == ARGON2_VERSION


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Tell whether ``password`` matches ``stored_hash``; never raise on a bad hash.

    With no hash (an unknown user name) a dummy hash is checked all the same, so the answer
    takes as long as for a known user and does not tell which user names exist.
    """
    if stored_hash is None or not stored_hash.isascii() or not _plausible(stored_hash):
        _check(_dummy_hash(), password)
        return False
    return _check(stored_hash, password)


def _check(stored_hash: str, password: str) -> bool:
    if len(password) > 4 * MAX_LENGTH:
        return False
    try:
        return HASHER.verify(stored_hash, normalise_password(password))
    except (Argon2Error, ValueError):
        # A mismatch, a damaged hash, an unsupported variant: all are "no".
        return False


def needs_rehash(stored_hash: str, *, hasher: PasswordHasher = HASHER) -> bool:
    """Tell whether ``stored_hash`` was made with other parameters than ``hasher``'s."""
    try:
        return hasher.check_needs_rehash(stored_hash)
    except (Argon2Error, ValueError):
        return True
