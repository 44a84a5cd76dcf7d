"""SMART Health Cards (``shc:/``): numeric QR, compact JWS, raw DEFLATE, a FHIR bundle.

The wire layers, each with its own refusal: the numeric QR text (:mod:`.shc_qr`), the
compact JWS ``header.payload.signature`` (ES256 only, ``zip: DEF``, a ``kid``; the signature
64 raw bytes, never DER), raw DEFLATE bounded against zip bombs, the JSON payload (``iss``,
``nbf``, optional ``exp``, ``vc.type`` with the health-card type, ``vc.credentialSubject
.fhirBundle``, optional ``vc.rid``) and the FHIR bundle (:mod:`.shc_fhir`).

Times follow upstream (the SMART Health Cards dev tools): ``nbf`` and ``exp`` are seconds; a
value too large for a date (an ``exp`` written in milliseconds) means "never" rather than a
refusal, as upstream only warns about it.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from jointcheck.credentials.model import Credential, SignedEnvelope
from jointcheck.credentials.shc_fhir import read_bundle
from jointcheck.credentials.shc_qr import applies, join_chunks, single_jws
from jointcheck.errors import CompressionError, InputError, JwsError, PayloadError

__all__ = ["SHC_CODEC", "credential_from_payload", "decode_jws", "health_card_jws",
           "join_chunks", "parse_json"]

HEALTH_CARD_TYPE = "https://smarthealth.cards#health-card"
# A card is a few kilobytes of JSON; the largest spec example inflates to about 30 KiB.
MAX_INFLATED = 256 * 1024
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
_RID = re.compile(r"[A-Za-z0-9_-]{1,24}")
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


class SHCCodec:
    """Decode ``shc:/`` QR text (one QR; chunks are joined with :func:`join_chunks`)."""

    format = "shc"

    def applies(self, text: str) -> bool:
        """Tell whether ``text`` carries the SMART Health Card prefix."""
        return applies(text)

    def decode(self, text: str) -> SignedEnvelope:
        """Decode one-QR SMART Health Card text into a signed envelope."""
        return decode_jws(single_jws(text))


SHC_CODEC = SHCCodec()


def decode_jws(jws: str) -> SignedEnvelope:
    """Decode a SMART Health Card's compact JWS into a signed envelope (nothing verified)."""
    parts = jws.split(".")
    if len(parts) != 3 or not all(_BASE64URL.fullmatch(p) for p in parts):
        raise JwsError(
            "jws-malformed", "a SMART Health Card is a compact JWS: three base64url parts"
        )
    header = parse_json(_b64url(parts[0], "header"), "JWS header", JwsError, "jws-header-invalid")
    kid = _check_header(header)
    signature = _check_signature(_b64url(parts[2], "signature"))
    payload = parse_json(inflate_raw(_b64url(parts[1], "payload")), "JWS payload")
    credential = credential_from_payload(payload)
    return SignedEnvelope(
        credential=credential,
        algorithm="ES256",
        kid=kid,
        signed=f"{parts[0]}.{parts[1]}".encode("ascii"),
        signature=signature,
        key_issuer=credential.issuer,
    )


def _b64url(part: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise JwsError("jws-malformed", f"the JWS {what} is not base64url") from None


def _check_header(header: dict[str, Any]) -> bytes:
    if "alg" not in header:
        raise JwsError("jws-alg-missing", "the JWS header has no 'alg'")
    if header["alg"] != "ES256":
        raise JwsError("jws-alg-unsupported", f"JWS alg {header['alg']!r} is not ES256")
    if "zip" not in header:
        raise JwsError("jws-zip-missing", "the JWS header has no 'zip' (must be DEF)")
    if header["zip"] != "DEF":
        raise JwsError("jws-zip-unsupported", f"JWS zip {header['zip']!r} is not DEF")
    if "crit" in header:
        # RFC 7515 4.1.11: a critical extension the verifier does not know must be refused.
        raise JwsError("jws-crit-unsupported", "the JWS header names critical extensions")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise JwsError("jws-kid-missing", "the JWS header has no 'kid'")
    if not kid.isascii():
        raise JwsError("jws-kid-invalid", "the JWS kid is not ASCII")
    return kid.encode("ascii")


def _check_signature(signature: bytes) -> bytes:
    if len(signature) == 64:
        return signature
    if len(signature) > 64 and signature[0] == 0x30 and signature[2] == 0x02:
        raise JwsError(
            "jws-signature-der",
            "the signature is DER-encoded; ES256 in JWS is 64 raw bytes (r||s)",
        )
    raise JwsError(
        "jws-signature-length", f"the signature is {len(signature)} bytes, not 64 (r||s)"
    )


def inflate_raw(data: bytes) -> bytes:
    """Decompress raw DEFLATE, refusing a damaged, truncated, padded or oversized stream."""
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(data, MAX_INFLATED)
    except zlib.error as exc:
        raise CompressionError(
            "compression-invalid", f"the payload is not raw DEFLATE ({exc})"
        ) from None
    if inflater.unconsumed_tail:
        raise CompressionError("compression-too-large", "the payload inflates past 256 KiB")
    if not inflater.eof:
        raise CompressionError("compression-invalid", "the DEFLATE stream is truncated")
    if inflater.unused_data:
        raise CompressionError("compression-invalid", "bytes follow the end of the DEFLATE stream")
    return out


def parse_json(
    raw: bytes | str,
    what: str,
    error: type[JwsError] | type[PayloadError] = PayloadError,
    code: str = "payload-json-invalid",
) -> dict[str, Any]:
    """Parse strict JSON text holding one object: UTF-8, no BOM, no duplicate keys."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise error(code, f"the {what} is not UTF-8") from None
    if text.startswith("\ufeff"):
        raise error("json-bom", f"the {what} starts with a byte-order mark")
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except (json.JSONDecodeError, ValueError) as exc:
        raise error(code, f"the {what} is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise error(code, f"the {what} is not a JSON object")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two parsers that keep different copies of a repeated key would read different cards.
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key!r} appears twice")
        out[key] = value
    return out


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def credential_from_payload(payload: Mapping[str, Any]) -> Credential:
    """Read a decoded JWS payload (``iss``, ``nbf``, ``exp``, ``vc``) into a credential."""
    iss = payload.get("iss")
    if not isinstance(iss, str) or not iss.startswith("https://") or iss.endswith("/"):
        raise PayloadError(
            "shc-iss-invalid", f"iss must be an https URL without a trailing slash, not {iss!r}"
        )
    nbf = _instant(payload.get("nbf"), "nbf")
    if nbf is None:
        raise PayloadError("shc-nbf-missing", "the payload has no nbf")
    vc = payload.get("vc")
    if not isinstance(vc, dict):
        raise PayloadError("shc-vc-missing", "the payload has no vc object")
    types = vc.get("type")
    if not isinstance(types, list) or HEALTH_CARD_TYPE not in types:
        raise PayloadError("shc-vc-type-missing", f"vc.type must include {HEALTH_CARD_TYPE}")
    subject = vc.get("credentialSubject")
    bundle = subject.get("fhirBundle") if isinstance(subject, dict) else None
    if not isinstance(bundle, dict):
        raise PayloadError("shc-fhir-bundle-missing", "vc.credentialSubject.fhirBundle is missing")
    rid = _rid(vc.get("rid"))
    kind, holder, entries = read_bundle(bundle, iss, rid or "")
    return Credential(
        format="shc",
        type=kind,
        subject=holder,
        entries=entries,
        issuer=iss,
        issued_at=nbf,
        expires_at=_instant(payload.get("exp"), "exp"),
        not_before=nbf,
        certificate_id=rid,
        payload=dict(payload),
    )


def _instant(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PayloadError("shc-time-invalid", f"{name} is not a number of seconds")
    if value < 0:
        raise PayloadError("shc-time-invalid", f"{name} is before 1970")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        # Past year 9999 (a time in milliseconds): "never" for exp, "not yet" for nbf.
        return _FAR_FUTURE


def _rid(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _RID.fullmatch(value):
        raise PayloadError("shc-rid-invalid", "vc.rid must be base64url, at most 24 characters")
    return value


def health_card_jws(text: str) -> list[str]:
    """Return the JWS list of a ``.smart-health-card`` file (``{"verifiableCredential": []}``)."""
    if text != text.strip():
        # Upstream's validator refuses a file with anything around the JSON.
        raise InputError("trailing-characters", "the health card file has surrounding whitespace")
    document = parse_json(text, "health card file", PayloadError, "health-card-file-invalid")
    cards = document.get("verifiableCredential")
    if not isinstance(cards, list) or not cards or not all(isinstance(c, str) for c in cards):
        raise PayloadError(
            "health-card-file-invalid", "verifiableCredential must be a non-empty list of JWS"
        )
    return list(cards)
