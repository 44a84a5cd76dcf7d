"""Base45 (RFC 9285), decoded with whole-string byte operations instead of a loop per group.

A per-group Python loop spends about 60 µs on a certificate, as long as the signature check it
precedes. Here the digit values, read as one big integer, hold each group in a 3-byte lane;
three shifts and masks pick out each digit position, two multiplications and two additions
combine them (no lane can carry into the next: the largest group value is 91,124 < 2**24), and
one slice deletion drops each lane's high byte. Every step runs in C, a few µs for a
certificate, with nothing beyond the standard library.
"""

from __future__ import annotations

from jointcheck.errors import Base45Error

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_INVALID = 255
_INVALID_BYTE = bytes((_INVALID,))
_TO_VALUE = bytes(ALPHABET.index(chr(c)) if chr(c) in ALPHABET else _INVALID for c in range(256))


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
    if _INVALID_BYTE in digits:
        bad = next(ch for ch in text if ch not in ALPHABET)
        raise Base45Error("base45-invalid", f"base45 text has an invalid character {bad!r}")
    full = n - tail
    out = _groups(digits, full // 3)
    if tail == 2:
        last = digits[full] + digits[full + 1] * 45
        if last > 0xFF:
            raise Base45Error("base45-invalid", "base45 final pair out of range")
        out.append(last)
    return bytes(out)


def _lane_mask(groups: int) -> int:
    # The low byte of each of ``groups`` 3-byte lanes: 0x0000FF repeated.
    return int.from_bytes(b"\x00\x00\xff" * groups, "big")


# Long enough for any QR code (at most 4,296 characters, 1,432 groups); longer text builds its own.
_MASK_GROUPS = 2048
_MASK = _lane_mask(_MASK_GROUPS)


def _groups(digits: bytes, groups: int) -> bytearray:
    # Read as one big-endian integer, each group's digits (c, d, e) are the three bytes of a
    # 3-byte lane. Masking out each byte position gives c, d and e in the low byte of every
    # lane; c + 45 d + 2025 e is at most 91,124 < 2**24, so no lane carries into the next.
    if not groups:
        return bytearray()
    end = groups * 3
    mask = _MASK if groups <= _MASK_GROUPS else _lane_mask(groups)
    x = int.from_bytes(digits[:end], "big")
    value = ((x >> 16) & mask) + 45 * ((x >> 8) & mask) + 2025 * (x & mask)
    wide = bytearray(value.to_bytes(end, "big"))
    if wide[0::3].count(0) != groups:  # a value of 65,536 or more sets a lane's high byte
        raise Base45Error("base45-invalid", "base45 group out of range")
    del wide[0::3]  # what remains is each group's two bytes, high byte first
    return wide


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
