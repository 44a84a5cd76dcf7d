"""Pseudonymous ids: a keyed hash of a national id number, stable for one district's key.

The id is what the registry, health codes and check events carry instead of the national
id number. Without the key, the id cannot be recomputed from a guessed number (an unkeyed hash
of an 18-digit id with a check digit is brute-forced in minutes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata

PREFIX = "p1-"
MIN_KEY_BYTES = 32


def normalise_id_number(number: str) -> str:
    """Return an id number in one canonical form: NFKC, no spaces or dashes, upper case."""
    text = unicodedata.normalize("NFKC", number)
    return "".join(c for c in text if not c.isspace() and c != "-").upper()


def pseudonymise(id_number: str, key: bytes) -> str:
    """Return the pseudonymous id of ``id_number`` under ``key`` (``p1-`` + 26 base32 chars)."""
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"a pseudonymisation key needs at least {MIN_KEY_BYTES} bytes")
    canonical = normalise_id_number(id_number)
    if not canonical:
        raise ValueError("an empty id number has no pseudonym")
    digest = hmac.new(key, canonical.encode(), hashlib.sha256).digest()[:16]
    return PREFIX + base64.b32encode(digest).decode().rstrip("=").lower()
