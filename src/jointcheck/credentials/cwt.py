"""The CWT envelope shared by HC1 certificates and health codes: prefix, base45, zlib, COSE.

``open_envelope(text, prefix)`` undoes the wire layers one by one, each with its own error,
and returns the parsed COSE_Sign1 and the decoded CWT claims; ``seal`` does the reverse for
issuing.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import cbor2

from jointcheck.credentials.base45 import b45decode, b45encode
from jointcheck.credentials.cose import Sign1, parse_sign1
from jointcheck.errors import CompressionError, PayloadError, PrefixError

CLAIM_ISS = 1
CLAIM_EXP = 4
CLAIM_NBF = 5
CLAIM_IAT = 6
CLAIM_CTI = 7
# A certificate is a few hundred bytes; anything that inflates past this is refused unread.
MAX_INFLATED = 64 * 1024
_loads = cbor2.loads
_fromtimestamp = datetime.fromtimestamp


class Claims(NamedTuple):
    """The standard CWT claims and the whole claims map (a named tuple: cheap to build)."""

    issuer: str | None
    issued_at: datetime | None
    expires_at: datetime | None
    not_before: datetime | None
    cti: bytes | None
    raw: dict[Any, Any]


def open_envelope(text: str, prefix: str) -> tuple[Sign1, Claims]:
    """Undo prefix, base45, zlib and COSE; decode the claims (nothing verified yet)."""
    if not text.startswith(prefix):
        raise PrefixError("prefix-unknown", f"expected the prefix {prefix}")
    compressed = b45decode(text[len(prefix):])
    sign1 = parse_sign1(inflate(compressed))
    return sign1, decode_claims(sign1.payload)


def inflate(data: bytes) -> bytes:
    """Decompress a zlib stream, refusing an uncompressed, truncated or oversized one."""
    if len(data) < 2 or data[0] & 0x0F != 8 or ((data[0] << 8) | data[1]) % 31:
        raise CompressionError("compression-invalid", "the data is not zlib-compressed")
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_INFLATED)
    except zlib.error as exc:
        raise CompressionError("compression-invalid", f"zlib stream is damaged ({exc})") from None
    if inflater.unconsumed_tail:
        raise CompressionError("compression-too-large", "the data inflates past 64 KiB")
    if not inflater.eof:
        raise CompressionError("compression-invalid", "the zlib stream is truncated")
    return out


def decode_claims(payload: bytes) -> Claims:
    """Decode the CWT claims map and its standard claims."""
    try:
        raw = _loads(payload)
    except Exception as exc:
        first = str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__
        raise PayloadError("cbor-invalid", f"the CWT claims are not CBOR ({first})") from None
    if not isinstance(raw, dict):
        raise PayloadError("cbor-invalid", "the CWT claims are not a map")
    get = raw.get
    issuer = get(CLAIM_ISS)
    cti = get(CLAIM_CTI)
    return Claims(
        issuer if type(issuer) is str else None,
        _instant(get(CLAIM_IAT), "iat"),
        _instant(get(CLAIM_EXP), "exp"),
        _instant(get(CLAIM_NBF), "nbf"),
        cti if type(cti) is bytes else None,
        raw,
    )


def seal(prefix: str, cose_bytes: bytes) -> str:
    """Compress and encode a COSE message as QR text with ``prefix``."""
    return prefix + b45encode(zlib.compress(cose_bytes, 9))


def jsonable(value: Any) -> Any:
    """Return ``value`` with CBOR-only types turned into JSON ones (dates as ISO text)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, cbor2.CBORTag):
        return jsonable(value.value)
    return value


def _instant(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    if type(value) is not int and type(value) is not float:  # a bool is not a number here
        raise PayloadError("payload-invalid", f"the {name} claim is not a number")
    try:
        return _fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise PayloadError("payload-invalid", f"the {name} claim is out of range") from None
