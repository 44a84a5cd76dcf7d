"""Personal fields encrypted at rest: AES-256-GCM with the field's context as associated data.

A ciphertext names the key it was made with (a one-byte key id), so keys can be rotated: new
writes use the newest key, old rows still decrypt. The context (for example
``resident/p1-abc/name``) is bound as associated data, so a ciphertext copied into another
row or column does not decrypt.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jointcheck.errors import JointcheckError

VERSION = 1
NONCE_BYTES = 12


class FieldCryptError(JointcheckError, ValueError):
    """An encrypted field cannot be read (unknown key, wrong context, damaged)."""

    stage = "field-crypt"


class FieldCipher:
    """Encrypt and decrypt personal fields with a set of keys, the newest used for writing."""

    def __init__(self, keys: Mapping[int, bytes], current: int) -> None:
        if current not in keys:
            raise ValueError(f"key {current} is not among the keys given")
        for key_id, key in keys.items():
            if not 0 <= key_id <= 255 or len(key) != 32:
                raise ValueError("field keys are 32 bytes with an id from 0 to 255")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._current = current

    def encrypt(self, text: str, context: str, nonce: bytes | None = None) -> bytes:
        """Return ``text`` encrypted for ``context``: version, key id, nonce, ciphertext."""
        nonce = nonce if nonce is not None else os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self._current].encrypt(nonce, text.encode(), context.encode())
        return bytes((VERSION, self._current)) + nonce + sealed

    def decrypt(self, blob: bytes, context: str) -> str:
        """Return the text sealed in ``blob`` for ``context``; raise ``FieldCryptError``."""
        if len(blob) < 2 + NONCE_BYTES + 16 or blob[0] != VERSION:
            raise FieldCryptError("field-damaged", "the encrypted field is damaged")
        cipher = self._ciphers.get(blob[1])
        if cipher is None:
            raise FieldCryptError("field-key-unknown", f"field key {blob[1]} is not loaded")
        nonce, sealed = blob[2:2 + NONCE_BYTES], blob[2 + NONCE_BYTES:]
        try:
            return cipher.decrypt(nonce, sealed, context.encode()).decode()
        except InvalidTag as error:
            raise FieldCryptError("field-not-authentic",
                                  "the encrypted field does not open for this row") from error
