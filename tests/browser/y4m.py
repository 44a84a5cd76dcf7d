"""A camera's worth of frames for Chromium's fake video capture, written as YUV4MPEG2.

Chromium's ``--use-file-for-fake-video-capture=FILE.y4m`` plays a Y4M file in a loop as the
camera. The frames here are greyscale pictures of QR codes: the Y plane is the picture, the U
and V planes (4:2:0, a quarter of the size each) are all 128, which means no colour.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from jointcheck.credentials.qr import render_png

WIDTH, HEIGHT = 640, 480
FPS = 10


def qr_frame(text: str, width: int = WIDTH, height: int = HEIGHT) -> Image.Image:
    """Return a greyscale frame with the QR code of ``text`` in its middle, as large as fits."""
    code = Image.open(io.BytesIO(render_png(text, scale=1))).convert("L")
    scale = max(1, (min(width, height) - 20) // code.width)
    code = code.resize((code.width * scale, code.height * scale), Image.Resampling.NEAREST)
    frame = Image.new("L", (width, height), 255)
    frame.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    return frame


def write_y4m(path: Path, stretches: Sequence[tuple[Image.Image, int]], fps: int = FPS) -> Path:
    """Write each (greyscale frame, count) stretch in turn as a 4:2:0 Y4M video."""
    width, height = stretches[0][0].size
    if width % 2 or height % 2:
        raise ValueError("4:2:0 frames need an even width and height")
    chroma = bytes([128]) * ((width // 2) * (height // 2) * 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for frame, count in stretches:
            if frame.size != (width, height) or frame.mode != "L":
                raise ValueError("every frame must be greyscale and of the same size")
            luma = frame.tobytes()
            for _ in range(count):
                out.write(b"FRAME\n")
                out.write(luma)
                out.write(chroma)
    return path
