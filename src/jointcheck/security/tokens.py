"""API tokens for checkpoints and scripts: ``jct_<token id>_<secret>``, shown once.

The token id (16 lower-case hex characters) is public: it names the token in lists, logs and
the audit trail, and finds its row without a scan. The secret is 32 random bytes in URL-safe
base64 without padding (43 characters). Only the SHA-256 of the secret is stored: the secret
carries 256 bits of chance, so a fast hash is enough (unlike a password, it cannot be guessed
from a dictionary), and a stolen table of hashes logs nobody in. The secret may contain ``_``
(URL-safe base64), so a token is split on its first two underscores only.

Messages of ``TokenError`` never repeat the text they were given: it may be a real secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

from jointcheck.errors import TokenError

PREFIX = "jct"
TOKEN_ID_BYTES = 8
SECRET_BYTES = 32
TOKEN_ID_PATTERN = re.compile(r"[0-9a-f]{16}")
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
HASH_PATTERN = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: ``text`` is shown to its owner once; ``token_id`` and ``secret_hash`` kept."""

    token_id: str
    secret: str = field(repr=False)
    secret_hash: str

    @property
    def text(self) -> str:
        """Return the whole token as its owner types or configures it."""
        return f"{PREFIX}_{self.token_id}_{self.secret}"


@dataclass(frozen=True, slots=True)
class ParsedToken:
    """A token presented with a request, taken apart (the secret hidden from ``repr``)."""

    token_id: str
    secret: str = field(repr=False)


def hash_secret(secret: str) -> str:
    """Return the SHA-256 of a token secret (hex), the value stored for it."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _encode_secret(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def new_token() -> IssuedToken:
    """Return a new token with a random id and a random 32-byte secret."""
    token_id = secrets.token_hex(TOKEN_ID_BYTES)
    secret = _encode_secret(secrets.token_bytes(SECRET_BYTES))
    return IssuedToken(token_id, secret, hash_secret(secret))


def _canonical_secret(secret: str) -> bool:
    # 43 characters carry 258 bits; the last character's two spare bits must be zero, so that
    # exactly one text stands for each secret.
    try:
        raw = base64.urlsafe_b64decode(secret + "=")
    except (binascii.Error, ValueError):
        return False
    return len(raw) == SECRET_BYTES and _encode_secret(raw) == secret


def parse_token(text: str) -> ParsedToken:
    """Return the token id and secret of ``text``; raise ``TokenError`` if it is malformed."""
    parts = text.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise TokenError("token-malformed", "a token looks like jct_<token id>_<secret>")
    _, token_id, secret = parts
    if not TOKEN_ID_PATTERN.fullmatch(token_id):
        raise TokenError("token-malformed", "the token id is not 16 lower-case hex characters")
    if not SECRET_PATTERN.fullmatch(secret) or not _canonical_secret(secret):
        raise TokenError("token-malformed", "the token secret is not 32 bytes of URL-safe "
                         "base64")
    return ParsedToken(token_id, secret)


def token_matches(stored_hash: str, secret: str) -> bool:
    """Tell whether ``secret`` hashes to ``stored_hash``, in constant time."""
    if not HASH_PATTERN.fullmatch(stored_hash) or not secret.isascii():
        return False
    return hmac.compare_digest(hash_secret(secret), stored_hash)
