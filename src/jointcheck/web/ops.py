"""Serve the operations pages at ``/ops`` and their files under ``/static/ops/``.

The pages are plain JavaScript modules (no build step): a shell (``main.js``) logs in with the
auth API, asks ``/api/me`` for the role and its permissions, and shows the pages of the
registry (``pages/index.js``) that the role may use; every figure comes from the API, which
enforces the role and scope again. Charts are drawn by Chart.js, installed from npm by
``./dev setup`` and served from the project's own copy in ``web/node_modules``; without it the
pages show their tables only. The Content-Security-Policy allows this origin alone, so nothing
is fetched from a CDN. Installed on the district server only, not on a checkpoint node.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from jointcheck.web.pages import install_shared_files, login_form, settings_json

STATIC = Path(__file__).resolve().parent / "static" / "ops"
CHART_JS = Path(__file__).resolve().parents[3] / "web" / "node_modules" / "chart.js" / "dist"
CHART_URL = "/static/vendor/chart.js"
# Chart.js's UMD build: the ESM build imports a bare module name a browser cannot resolve.
CHART_FILE = "chart.umd.min.js"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'")
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


def install_ops_pages(app: FastAPI, vendor: Path = CHART_JS) -> None:
    """Serve the operations pages at ``/ops``, their static files under ``/static/ops/`` and
    the modules they share with the scanner page under ``/static/shared/``."""
    charts = (vendor / CHART_FILE).is_file()
    page = render_ops_page(charts=charts)
    install_shared_files(app)
    app.mount("/static/ops", StaticFiles(directory=STATIC), name="ops-static")
    if charts:
        app.mount(CHART_URL, StaticFiles(directory=vendor), name="chart-js")

    @app.get("/ops", include_in_schema=False)
    def ops_page() -> HTMLResponse:
        return HTMLResponse(page, headers=PAGE_HEADERS)


def render_ops_page(*, charts: bool) -> str:
    """Return the shell's HTML: the venue categories, and the chart library's script if any."""
    data = settings_json(charts=charts)
    script = f'<script src="{CHART_URL}/{CHART_FILE}"></script>' if charts else ""
    template = (STATIC / "index.html").read_text(encoding="utf-8")
    return (template.replace("{{LOGIN_FORM}}", login_form("primary"))
            .replace("{{SETTINGS}}", data).replace("{{CHART_SCRIPT}}", script))
