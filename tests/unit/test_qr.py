"""QR images: render credentials as PNG and SVG, read them back, refuse what holds no QR code."""

from __future__ import annotations

import io
import re
from xml.etree import ElementTree

import pytest
from PIL import Image

from jointcheck.credentials.model import CodeColor
from jointcheck.credentials.qr import make_qr, read_qr, render_png, render_svg
from jointcheck.errors import InputError, QrError
from jointcheck.trust.verify import verify

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def texts(vaccination, issuer, holder, issued_at) -> dict[str, str]:
    code = issuer.health_code(holder, color=CodeColor.YELLOW, at=issued_at)
    return {"certificate": vaccination.text, "health-code": code.text}


def png_of(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def rasterise_svg(svg: bytes, module_pixels: int = 6) -> bytes:
    """Draw segno's SVG (one stroked path of horizontal runs) as a PNG, one module a cell."""
    root = ElementTree.fromstring(svg)
    path = root.find(f"{SVG}path")
    assert path is not None
    transform = re.fullmatch(r"scale\(([\d.]+)\)", path.get("transform", "scale(1)"))
    assert transform is not None
    scale = float(transform.group(1))
    size = round(float(root.get("width")) / scale)
    image = Image.new("1", (size, size), 1)
    x = y = 0.0
    for command, args in re.findall(r"([MmHh])([^MmHh]*)", path.get("d", "")):
        numbers = [float(n) for n in args.replace(",", " ").split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            end = numbers[0] if command == "H" else x + numbers[0]
            for column in range(int(x), int(end)):
                image.putpixel((column, int(y)), 0)
            x = end
    return png_of(image.resize((size * module_pixels, size * module_pixels), Image.NEAREST))


@pytest.mark.parametrize("which", ["certificate", "health-code"])
def test_png_round_trip(texts, which, shared_store, issued_at) -> None:
    text = texts[which]
    image = render_png(text)
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    assert read_qr(image) == [text]
    assert verify(read_qr(image)[0], shared_store, issued_at).valid


@pytest.mark.parametrize("which", ["certificate", "health-code"])
def test_svg_round_trip(texts, which) -> None:
    text = texts[which]
    svg = render_svg(text)
    assert svg.startswith(b"<?xml")
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert read_qr(rasterise_svg(svg)) == [text]


def test_svg_and_png_draw_the_same_code(texts) -> None:
    text = texts["certificate"]
    png = Image.open(io.BytesIO(render_png(text, scale=1))).convert("1")
    svg = Image.open(io.BytesIO(rasterise_svg(render_svg(text, scale=1), 1))).convert("1")
    assert png.size == svg.size
    assert png.tobytes() == svg.tobytes()


def test_credentials_use_the_compact_alphanumeric_mode(texts) -> None:
    for text in texts.values():
        code = make_qr(text)
        assert code.mode == "alphanumeric"
        assert code.error == "Q"


def test_larger_scale_still_reads(texts) -> None:
    assert read_qr(render_png(texts["health-code"], scale=10)) == [texts["health-code"]]


def test_two_codes_in_one_image_are_both_read(texts) -> None:
    top = Image.open(io.BytesIO(render_png(texts["certificate"])))
    bottom = Image.open(io.BytesIO(render_png(texts["health-code"])))
    both = Image.new("L", (max(top.width, bottom.width), top.height + bottom.height), 255)
    both.paste(top.convert("L"), (0, 0))
    both.paste(bottom.convert("L"), (0, top.height))
    assert read_qr(png_of(both)) == [texts["certificate"], texts["health-code"]]


def test_image_without_a_qr_code_is_refused() -> None:
    with pytest.raises(QrError) as caught:
        read_qr(png_of(Image.new("RGB", (200, 200), (255, 255, 255))))
    assert (caught.value.stage, caught.value.code) == ("qr", "qr-unreadable")


def test_half_a_qr_code_is_refused(texts) -> None:
    image = Image.open(io.BytesIO(render_png(texts["certificate"])))
    half = image.crop((0, 0, image.width, image.height // 2))
    with pytest.raises(QrError) as caught:
        read_qr(png_of(half))
    assert caught.value.code == "qr-unreadable"


@pytest.mark.parametrize("data", [b"", b"not an image", b"<svg></svg>", b"\x89PNG\r\n\x1a\n"],
                         ids=["empty", "text", "svg", "png-signature-only"])
def test_what_is_not_an_image_is_refused(data) -> None:
    with pytest.raises(InputError) as caught:
        read_qr(data)
    assert (caught.value.stage, caught.value.code) == ("input", "image-invalid")


def test_truncated_png_is_refused(texts) -> None:
    image = render_png(texts["certificate"])
    with pytest.raises(InputError) as caught:
        read_qr(image[: len(image) // 2])
    assert caught.value.code == "image-invalid"
