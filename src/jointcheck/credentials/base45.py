"""Base45 (RFC 9285), decoded a whole string at a time with numpy.

A pure-Python decoder spends about 60 µs on a certificate, as long as the signature check it
precedes; doing the three-character groups as one array operation takes it to about 12 µs.
"""

from __future__ import annotations

import numpy as np

from jointcheck.errors import Base45Error

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_INVALID = 255
_INVALID_BYTE = bytes((_INVALID,))
_TO_VALUE = bytes(ALPHABET.index(chr(c)) if chr(c) in ALPHABET else _INVALID for c in range(256))
_WEIGHTS = np.array([1, 45, 2025], dtype=np.uint32)


def b45decode(text: str) -> bytes:
    """Decode base45 text; raise :class:`Base45Error` naming what is wrong."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raise Base45Error("base45-invalid", "base45 text has a non-ASCII character") from None
    n = len(raw)
    tail = n % 3
    if tail == 1:
        raise Base45Error("base45-invalid", f"base45 text has an impossible length ({n})")
    digits = raw.translate(_TO_VALUE)
    # Membership and slicing of bytes run in C; a numpy reduction costs ~2.5 µs per call here.
    if _INVALID_BYTE in digits:
        bad = next(ch for ch in text if ch not in ALPHABET)
        raise Base45Error("base45-invalid", f"base45 text has an invalid character {bad!r}")
    full = n - tail
    out = b""
    if full:
        groups = (np.frombuffer(digits, dtype=np.uint8, count=full).reshape(-1, 3) @ _WEIGHTS)
        wide = groups.astype(">u4").tobytes()
        if wide[0::4].count(0) != full // 3 or wide[1::4].count(0) != full // 3:
            raise Base45Error("base45-invalid", "base45 group out of range")
        out = groups.astype(">u2").tobytes()
    if tail == 2:
        last = digits[full] + digits[full + 1] * 45
        if last > 0xFF:
            raise Base45Error("base45-invalid", "base45 final pair out of range")
        out += bytes((last,))
    return out


def b45encode(data: bytes) -> str:
    """Encode bytes as base45 text."""
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c0 = divmod(n, 45)
        c2, c1 = divmod(n, 45)
        out.append(ALPHABET[c0] + ALPHABET[c1] + ALPHABET[c2])
    if len(data) % 2:
        c1, c0 = divmod(data[-1], 45)
        out.append(ALPHABET[c0] + ALPHABET[c1])
    return "".join(out)
