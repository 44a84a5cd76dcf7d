"""Pseudonymous ids (keyed hash of the id number) and personal fields encrypted at rest."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable

import pytest

from jointcheck.errors import JointcheckError
from jointcheck.security.fieldcrypt import FieldCipher, FieldCryptError
from jointcheck.security.pseudonym import normalise_id_number, pseudonymise

KEY = bytes(range(32))
OTHER_KEY = bytes(range(100, 132))
ID_NUMBER = "11010519491231002X"


# Pseudonyms.

def test_pseudonym_is_stable_and_shaped() -> None:
    pid = pseudonymise(ID_NUMBER, KEY)
    assert pid == pseudonymise(ID_NUMBER, KEY)
    assert re.fullmatch(r"p1-[a-z2-7]{26}", pid)
    digest = hmac.new(KEY, ID_NUMBER.encode(), hashlib.sha256).digest()[:16]
    assert pid == "p1-" + base64.b32encode(digest).decode().rstrip("=").lower()


@pytest.mark.parametrize("written", [
    "11010519491231002x",
    "110105 19491231 002X",
    "110105-19491231-002x",
    " 11010519491231002X\t",
    "１１０１０５１９４９１２３１００２Ｘ",  # full width
])
def test_pseudonym_ignores_how_the_number_is_written(written: str) -> None:
    assert normalise_id_number(written) == ID_NUMBER
    assert pseudonymise(written, KEY) == pseudonymise(ID_NUMBER, KEY)


def test_pseudonym_depends_on_number_and_key() -> None:
    assert pseudonymise(ID_NUMBER, KEY) != pseudonymise("110105194912310038", KEY)
    assert pseudonymise(ID_NUMBER, KEY) != pseudonymise(ID_NUMBER, OTHER_KEY)
    # Not an unkeyed hash of the number, which anyone could recompute from a guess.
    plain = hashlib.sha256(ID_NUMBER.encode()).digest()[:16]
    assert pseudonymise(ID_NUMBER, KEY)[3:] != base64.b32encode(plain).decode().lower()[:26]


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        pseudonymise(ID_NUMBER, KEY[:31])


@pytest.mark.parametrize("empty", ["", "   ", "- -"])
def test_empty_number_is_refused(empty: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        pseudonymise(empty, KEY)


# Encrypted fields.

CONTEXT = "resident/p1-abc/name"


def test_field_round_trip() -> None:
    cipher = FieldCipher({1: KEY}, current=1)
    blob = cipher.encrypt("张伟", CONTEXT)
    assert cipher.decrypt(blob, CONTEXT) == "张伟"
    assert "张伟".encode() not in blob
    assert blob[:2] == bytes((1, 1))


def test_same_text_encrypts_differently_each_time() -> None:
    cipher = FieldCipher({1: KEY}, current=1)
    assert cipher.encrypt("张伟", CONTEXT) != cipher.encrypt("张伟", CONTEXT)


def refusal(cipher: FieldCipher, blob: bytes, context: str = CONTEXT) -> str:
    with pytest.raises(FieldCryptError) as caught:
        cipher.decrypt(blob, context)
    assert caught.value.stage == "field-crypt"
    assert isinstance(caught.value, JointcheckError)
    return caught.value.code


def test_wrong_context_is_not_authentic() -> None:
    cipher = FieldCipher({1: KEY}, current=1)
    blob = cipher.encrypt("张伟", CONTEXT)
    # Copied into another person's row, or another column of the same row.
    assert refusal(cipher, blob, "resident/p1-xyz/name") == "field-not-authentic"
    assert refusal(cipher, blob, "resident/p1-abc/address") == "field-not-authentic"


def test_wrong_key_under_the_same_id_is_not_authentic() -> None:
    blob = FieldCipher({1: KEY}, current=1).encrypt("张伟", CONTEXT)
    assert refusal(FieldCipher({1: OTHER_KEY}, current=1), blob) == "field-not-authentic"


def test_unknown_key_id_is_refused() -> None:
    blob = FieldCipher({7: KEY}, current=7).encrypt("张伟", CONTEXT)
    assert refusal(FieldCipher({1: KEY}, current=1), blob) == "field-key-unknown"


@pytest.mark.parametrize("damage", [
    lambda b: b[:-1],                               # cut
    lambda b: b[:20],                               # far too short
    lambda b: b"",
    lambda b: bytes((2,)) + b[1:],                  # unknown version
    lambda b: b[:-1] + bytes((b[-1] ^ 1,)),         # tag flipped
    lambda b: b[:14] + bytes((b[14] ^ 0x80,)) + b[15:],  # ciphertext flipped
    lambda b: b[:3] + bytes((b[3] ^ 1,)) + b[4:],   # nonce flipped
])
def test_damaged_blob_is_refused(damage: Callable[[bytes], bytes]) -> None:
    cipher = FieldCipher({1: KEY}, current=1)
    blob = cipher.encrypt("张伟", CONTEXT)
    assert refusal(cipher, damage(blob)) in {"field-damaged", "field-not-authentic"}


def test_key_rotation_keeps_old_fields_readable() -> None:
    old = FieldCipher({1: KEY}, current=1)
    old_blob = old.encrypt("张伟", CONTEXT)
    rotated = FieldCipher({1: KEY, 2: OTHER_KEY}, current=2)
    new_blob = rotated.encrypt("李娜", CONTEXT)
    assert new_blob[1] == 2
    assert rotated.decrypt(old_blob, CONTEXT) == "张伟"
    assert rotated.decrypt(new_blob, CONTEXT) == "李娜"
    assert refusal(old, new_blob) == "field-key-unknown"


def test_explicit_nonce_is_deterministic() -> None:
    cipher = FieldCipher({1: KEY}, current=1)
    nonce = bytes(12)
    assert cipher.encrypt("x", CONTEXT, nonce) == cipher.encrypt("x", CONTEXT, nonce)


@pytest.mark.parametrize(("keys", "current"), [
    ({1: KEY}, 2),            # current key not loaded
    ({1: KEY[:16]}, 1),       # AES-128 key: only 256-bit keys
    ({256: KEY}, 256),        # id out of a byte
    ({-1: KEY}, -1),
])
def test_bad_key_sets_are_refused(keys: dict[int, bytes], current: int) -> None:
    with pytest.raises(ValueError):
        FieldCipher(keys, current)
