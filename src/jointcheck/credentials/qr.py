"""QR codes: render credentials as PNG or SVG (segno) and read them back from images (zxing-cpp).

HC1 and health-code texts use only the base45 alphabet, so they fit QR's alphanumeric mode;
a SMART Health Card is ``shc:/`` in byte mode followed by digits in numeric mode, which keeps
its QR at version 22 or below instead of 27.
"""

from __future__ import annotations

import io

import segno
import zxingcpp
from PIL import Image, UnidentifiedImageError

from jointcheck.errors import InputError, QrError

ERROR_CORRECTION = "q"  # the level the EU DCC guidelines recommend


def make_qr(text: str) -> segno.QRCode:
    """Return the QR code for credential text, choosing the most compact segments."""
    if text.lower().startswith("shc:/"):
        prefix, digits = text[:5], text[5:]
        segments = [(prefix, segno.consts.MODE_BYTE), (digits, segno.consts.MODE_NUMERIC)]
        # segno takes a list of (text, mode) segments; its annotations only name one value.
        return segno.make(segments, error="l", boost_error=False)  # type: ignore[arg-type]
    return segno.make(text, error=ERROR_CORRECTION, boost_error=False)


def render_png(text: str, scale: int = 4) -> bytes:
    """Return a PNG image of the QR code for ``text``."""
    out = io.BytesIO()
    make_qr(text).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def render_svg(text: str, scale: int = 4) -> bytes:
    """Return an SVG image of the QR code for ``text``."""
    out = io.BytesIO()
    make_qr(text).save(out, kind="svg", scale=scale, border=4, xmldecl=True)
    return out.getvalue()


def read_qr(image: bytes) -> list[str]:
    """Return the text of every QR code in an image (PNG, JPEG, ...), top to bottom."""
    try:
        picture = Image.open(io.BytesIO(image))
        picture.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError("image-invalid", f"not a readable image ({exc})") from None
    found = zxingcpp.read_barcodes(picture, formats=zxingcpp.BarcodeFormats(
        zxingcpp.BarcodeFormat.QRCode))
    texts = [r.text for r in found if r.valid and r.text]
    if not texts:
        raise QrError("qr-unreadable", "no QR code could be read from the image")
    return texts
