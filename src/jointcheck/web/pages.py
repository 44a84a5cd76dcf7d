"""Serve the scanner page at ``/check``, its files under ``/static/check/``, and the QR reader.

The modules the scanner page shares with the operations pages (``web/ops.py``): the JSON calls
and the language choice, are served once under ``/static/shared/`` by whichever of the two is
installed first (``install_shared_files``).

The same page runs on the district server and on a checkpoint node: both call
``install_pages(app)``. The page calls only the origin it came from (``docs/checkpoint.md``),
and its Content-Security-Policy says so to the browser, so that nothing is fetched from a CDN.
The camera reader (zxing-wasm, installed from npm by ``./dev setup``) is served from the
project's own copy in ``web/node_modules``; without it the page still takes codes from a
hardware scanner and typed text, and says that the camera is unavailable.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from jointcheck.rules.venues import VENUE_CATEGORIES, VENUE_CATEGORY_NAMES

STATIC = Path(__file__).resolve().parent / "static"
SHARED = STATIC / "shared"
SHARED_URL = "/static/shared"
# HTML both pages include, filled in by the server (not served as a file).
FRAGMENTS = Path(__file__).resolve().parent / "fragments"
ZXING_WASM = (Path(__file__).resolve().parents[3] / "web" / "node_modules" / "zxing-wasm"
              / "dist")
ZXING_URL = "/static/vendor/zxing-wasm"
# The page's own origin only; WebAssembly compilation for the QR reader; the camera's frames
# reach a canvas, never the network.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


def install_shared_files(app: FastAPI) -> None:
    """Serve the pages' shared modules under ``/static/shared/`` (once, however often called)."""
    if any(getattr(route, "name", None) == "shared-static" for route in app.router.routes):
        return
    app.mount(SHARED_URL, StaticFiles(directory=SHARED), name="shared-static")


def install_pages(app: FastAPI, vendor: Path = ZXING_WASM) -> None:
    """Serve the scanner page at ``/check``, its static files under ``/static/check/`` and the
    shared modules under ``/static/shared/``."""
    page = render_page(camera=(vendor / "reader" / "zxing_reader.wasm").is_file())
    install_shared_files(app)
    app.mount("/static/check", StaticFiles(directory=STATIC), name="check-static")
    if (vendor / "reader" / "zxing_reader.wasm").is_file():
        app.mount(ZXING_URL, StaticFiles(directory=vendor), name="zxing-wasm")

    @app.get("/check", include_in_schema=False)
    def check_page() -> HTMLResponse:
        return HTMLResponse(page, headers=PAGE_HEADERS)


def render_page(*, camera: bool) -> str:
    """Return the page's HTML with its settings: the venue categories, whether a camera reader
    is installed and where."""
    template = (STATIC / "check.html").read_text(encoding="utf-8")
    return template.replace("{{LOGIN_FORM}}", login_form("big primary")).replace(
        "{{SETTINGS}}", settings_json(
        zxing=f"{ZXING_URL}/es/reader/index.js" if camera else None,
        zxing_wasm=f"{ZXING_URL}/reader/zxing_reader.wasm" if camera else None))


def settings_json(**extra: object) -> str:
    """Return a page's settings as JSON for its ``<script type="application/json">`` block:
    the venue categories with their names, and ``extra``."""
    settings = {
        "categories": [{"slug": slug, "en": VENUE_CATEGORY_NAMES[slug][0],
                        "zh": VENUE_CATEGORY_NAMES[slug][1]} for slug in VENUE_CATEGORIES],
        **extra,
    }
    # In a <script type="application/json"> block "</" would end the element early.
    return json.dumps(settings, ensure_ascii=False).replace("</", "<\\/")


def login_form(submit_class: str) -> str:
    """Return the sign-in form both pages show (user name, password), its button of
    ``submit_class``."""
    fragment = (FRAGMENTS / "login-form.html").read_text(encoding="utf-8")
    return fragment.strip().replace("{{SUBMIT_CLASS}}", submit_class)
