"""SMART Health Card QR text: ``shc:/`` and digit pairs, one QR or several chunks.

Each character of the compact JWS travels as two digits, its code minus 45 (``-`` is 00,
``z`` is 77), so that the QR code can use numeric mode. A long card was once split over
several codes, ``shc:/I/N/digits``; chunking is deprecated but still read. One chunk alone
is refused with ``shc-chunk-incomplete``: :func:`join_chunks` takes all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jointcheck.errors import QrError

PREFIX = "shc:/"
_OFFSET = 45
_MAX_PAIR = 77  # ord("z") - 45: the largest value a base64url character or "." can need
_HEADER = re.compile(r"shc:/(?:(\d+)/(\d+)/)?(.*)", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class Chunk:
    """One QR's share of a card: its 1-based index, the chunk count and the JWS characters."""

    index: int
    count: int
    text: str


def applies(text: str) -> bool:
    """Tell whether ``text`` claims to be a SMART Health Card (``shc:``, any case)."""
    # "shc:" without the slash is claimed too, so that a damaged header gets an SHC refusal
    # ("shc-header-invalid") instead of "not a credential this verifier knows".
    return text[:4].lower() == "shc:"


def parse_chunk(text: str) -> Chunk:
    """Parse one QR text into its chunk index, count and JWS characters."""
    match = _HEADER.fullmatch(text)
    if match is None:
        raise QrError("shc-header-invalid", "SMART Health Card QR text must start with shc:/")
    index_text, count_text, digits = match.groups()
    index, count = (int(index_text), int(count_text)) if count_text else (1, 1)
    if count_text and (count < 1 or count_text.startswith("0") or index_text.startswith("0")):
        raise QrError("shc-header-invalid", f"chunk header {index_text}/{count_text} is invalid")
    if not 1 <= index <= count:
        raise QrError("shc-chunk-index-invalid", f"chunk index {index} is not within 1..{count}")
    return Chunk(index, count, numeric_to_jws(digits))


def numeric_to_jws(digits: str) -> str:
    """Turn the digit pairs of a numeric SMART Health Card QR into JWS characters."""
    if not digits:
        raise QrError("shc-numeric-invalid", "the QR text has no digits after its header")
    if not (digits.isascii() and digits.isdigit()):
        raise QrError("shc-numeric-invalid", "the QR text holds characters other than digits")
    if len(digits) % 2:
        raise QrError("shc-numeric-odd", "the QR text has an odd number of digits")
    values = [int(digits[i:i + 2]) for i in range(0, len(digits), 2)]
    if max(values) > _MAX_PAIR:
        raise QrError(
            "shc-numeric-out-of-range", f"a digit pair is above {_MAX_PAIR} (the code of 'z')"
        )
    return "".join(chr(v + _OFFSET) for v in values)


def jws_to_numeric(jws: str) -> str:
    """Encode a compact JWS as single-QR text ``shc:/`` + digit pairs (for issuing and tests)."""
    return PREFIX + "".join(f"{ord(c) - _OFFSET:02d}" for c in jws)


def single_jws(text: str) -> str:
    """Return the JWS of a one-QR card; refuse one chunk of several."""
    chunk = parse_chunk(text)
    if chunk.count > 1:
        raise QrError(
            "shc-chunk-incomplete",
            f"this QR is part {chunk.index} of {chunk.count} of one card: scan all "
            f"{chunk.count} and join them",
        )
    return chunk.text


def join_chunks(texts: list[str]) -> str:
    """Reassemble the QR texts of one card, in any order, into its compact JWS."""
    if not texts:
        raise QrError("shc-chunk-missing", "no QR text was given")
    chunks = [parse_chunk(text.strip()) for text in texts]
    count = chunks[0].count
    if any(c.count != count for c in chunks):
        counts = sorted({c.count for c in chunks})
        raise QrError("shc-chunk-count-mismatch", f"the chunks disagree on their count {counts}")
    by_index: dict[int, str] = {}
    for chunk in chunks:
        if chunk.index in by_index:
            raise QrError("shc-chunk-duplicate", f"chunk {chunk.index} was given twice")
        by_index[chunk.index] = chunk.text
    missing = [i for i in range(1, count + 1) if i not in by_index]
    if missing:
        raise QrError("shc-chunk-missing", f"chunks {missing} of {count} are missing")
    return "".join(by_index[i] for i in range(1, count + 1))
