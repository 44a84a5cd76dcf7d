"""The interactive API documentation at ``/docs``, served from the project's own copy of
Swagger UI (installed from the npm registry by ``./dev setup``), never from a CDN."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_UI = Path(__file__).resolve().parents[3] / "web" / "node_modules" / "swagger-ui-dist"


def install(app: FastAPI, assets: Path = SWAGGER_UI) -> bool:
    """Serve ``/docs`` when the Swagger UI assets are installed; tell whether they are."""
    if not (assets / "swagger-ui-bundle.js").is_file():
        return False
    app.mount("/static/swagger-ui", StaticFiles(directory=assets), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="jointcheck API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon-32x32.png")

    return True
