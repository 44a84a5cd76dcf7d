"""Sniff a QR text's prefix and hand it to the codec for that format.

Adding a format is one module with a codec and one line here.
"""

from __future__ import annotations

from typing import Protocol

from jointcheck.credentials.hc1 import HC1_CODEC
from jointcheck.credentials.health_code import HEALTH_CODE_CODEC
from jointcheck.credentials.model import SignedEnvelope
from jointcheck.credentials.shc import SHC_CODEC
from jointcheck.errors import InputError, PrefixError


class Codec(Protocol):
    """A wire format: tells whether QR text is its own, and decodes it."""

    format: str

    def applies(self, text: str) -> bool:
        """Tell whether ``text`` is in this format (by its prefix)."""
        ...

    def decode(self, text: str) -> SignedEnvelope:
        """Decode ``text`` into a signed envelope, or raise a stage error."""
        ...


CODECS: tuple[Codec, ...] = (HC1_CODEC, HEALTH_CODE_CODEC, SHC_CODEC)


QR_NOISE = "\r\n\ufeff"


def codec_for(text: str) -> Codec:
    """Return the codec whose prefix ``text`` carries."""
    for codec in CODECS:
        if codec.applies(text):
            return codec
    shown = text[:8].encode("unicode_escape").decode("ascii")
    raise PrefixError(
        "prefix-unknown",
        f"not a credential this verifier knows (starts with {shown!r}; expected HC1:, HCODE1: "
        "or shc:/)",
    )


def decode(text: str) -> SignedEnvelope:
    """Decode QR text of any known format into a signed envelope (nothing verified yet)."""
    if not isinstance(text, str):
        raise InputError("input-invalid", "QR content must be text")
    # White space before the prefix is never part of a credential; after it, only line ends
    # are noise. A space is a base45 character: stripping it would turn a damaged text into a
    # different damaged text, and the refusal would name the wrong stage.
    text = text.lstrip().rstrip(QR_NOISE)
    if not text:
        raise InputError("input-empty", "no QR content was given")
    return codec_for(text).decode(text)
