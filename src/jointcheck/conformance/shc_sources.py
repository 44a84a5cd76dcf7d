"""Files the SMART Health Cards runner reads: issuers' well-known mirrors, texts, QR images.

The credentials and trust packages never touch the filesystem; this module does it for the
conformance runner, and turns what it reads into the plain values those packages take.
"""

from __future__ import annotations

import fnmatch
import io
import os
import re
import warnings
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, ImageDraw

from jointcheck.credentials.qr import read_qr
from jointcheck.errors import InputError, JointcheckError, QrError, TrustListError
from jointcheck.trust.certificates import load_certificate, trusted_key
from jointcheck.trust.jwks import load_jwks, load_shc_crl
from jointcheck.trust.store import TrustStore

_SVG_VIEWBOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')
_SVG_STROKES = re.compile(r'<path[^>]*stroke="[^"]+"[^>]*\sd="([^"]+)"')
_SVG_STEP = re.compile(r"([MmHh])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?")
_SVG_SCALE = 8


class IssuerMirror:
    """Issuers' ``.well-known`` folders found under a data folder, looked up by ``iss`` URL."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._folders = sorted(
            p.parent.parent for p in find_files(root, "jwks.json") if p.parent.name == ".well-known"
        )
        self._cache: dict[str, TrustStore | TrustListError] = {}

    def folder_for(self, iss: str) -> Path | None:
        """Return the folder mirroring ``iss``: the one ending with most of its path segments."""
        wanted = urlsplit(iss).path.split("/")
        scored = [(_common_tail(f.relative_to(self._root).parts, wanted), f) for f in self._folders]
        best = max((score for score, _ in scored), default=0)
        matches = [f for score, f in scored if score == best]
        # A trailing slash leaves an empty last segment that matches no folder, on purpose.
        return matches[0] if best >= 1 and len(matches) == 1 else None

    def store_for(self, iss: str) -> TrustStore:
        """Return the keys (and CRLs) of ``iss``; none when it has no mirror here."""
        if iss not in self._cache:
            try:
                self._cache[iss] = self._load(iss)
            except TrustListError as error:
                self._cache[iss] = error
        found = self._cache[iss]
        if isinstance(found, TrustListError):
            raise found
        return found

    def _load(self, iss: str) -> TrustStore:
        folder = self.folder_for(iss)
        if folder is None:
            return TrustStore()
        well_known = folder / ".well-known"
        source = well_known.relative_to(self._root).as_posix()
        store = load_jwks((well_known / "jwks.json").read_bytes(), issuer=iss, source=source)
        keys = store.keys()
        for key in keys:
            crl = well_known / "crl" / f"{key.kid.decode('ascii')}.json"
            if crl.is_file():
                load_shc_crl(crl.read_bytes(), store)
        return store

    def certificates_under(self, folder: Path) -> TrustStore:
        """Return a store of every readable signer certificate (``*.pem``) under ``folder``."""
        store = TrustStore()
        with warnings.catch_warnings():
            # Some test certificates have over-long names; cryptography warns, and that is all.
            warnings.simplefilter("ignore", UserWarning)
            for path in find_files(folder, "*.pem"):
                try:
                    store.add(trusted_key(load_certificate(path.read_bytes()), source=path.name))
                except (JointcheckError, ValueError):
                    continue  # a damaged certificate or an unsupported key: not a usable signer
        return store


def find_files(root: Path, pattern: str) -> list[Path]:
    """Return the files under ``root`` whose name matches ``pattern``, following symlinks."""
    # Path.rglob does not enter symlinked folders before Python 3.13; a data folder made of
    # links to the shared data must read the same as the shared data itself.
    found: list[Path] = []
    seen: set[str] = set()
    for folder, subfolders, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            subfolders.clear()  # a link back up the tree: already walked
            continue
        seen.add(real)
        found.extend(Path(folder) / f for f in files if fnmatch.fnmatch(f, pattern))
    return sorted(found)


def _common_tail(parts: tuple[str, ...], wanted: list[str]) -> int:
    count = 0
    for mine, theirs in zip(reversed(parts), reversed(wanted), strict=False):
        if mine != theirs:
            break
        count += 1
    return count


def read_text(path: Path) -> str:
    """Read a case file as text; refuse surrounding whitespace, as upstream's validator does."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("input-invalid", f"{path.name} is not UTF-8 text") from None
    if text != text.strip():
        raise InputError("trailing-characters", f"{path.name} has surrounding whitespace")
    return text


def read_image_qr(path: Path) -> str:
    """Return the text of the QR code in an image (PNG, JPEG, or an SVG of module strokes)."""
    if path.suffix.lower() == ".svg":
        out = io.BytesIO()
        _svg_image(path).save(out, format="PNG")
        data = out.getvalue()
    else:
        data = path.read_bytes()
    try:
        return read_qr(data)[0]
    except JointcheckError as exc:
        raise QrError("qr-unreadable", f"{path.name}: {exc.message}") from None


def _svg_image(path: Path) -> Image.Image:
    # The spec's SVGs draw each row of dark modules as 1-unit strokes ("M4 4.5h7m2 0h2...").
    # Drawing those strokes is all the rendering a QR reader needs; no SVG library is used.
    svg = path.read_text(encoding="utf-8")
    box = _SVG_VIEWBOX.search(svg)
    strokes = _SVG_STROKES.search(svg)
    if box is None or strokes is None:
        raise QrError("qr-unreadable", f"{path.name} is not an SVG of QR module strokes")
    width, height = int(box.group(1)), int(box.group(2))
    image = Image.new("L", (width * _SVG_SCALE, height * _SVG_SCALE), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, first, second in _SVG_STEP.findall(strokes.group(1)):
        if command in "Mm":
            dx, dy = float(first), float(second or 0)
            x, y = (dx, dy) if command == "M" else (x + dx, y + dy)
            continue
        end = float(first) if command == "H" else x + float(first)
        top = (y - 0.5) * _SVG_SCALE
        draw.rectangle(
            (x * _SVG_SCALE, top, end * _SVG_SCALE - 1, top + _SVG_SCALE - 1), fill=0
        )
        x = end
    return image
