"""The page's files as the server sends them (no browser needed): the HTML with its settings
and security headers, the scripts and styles it names, and nothing that points off the server."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from jointcheck.rules.venues import VENUE_CATEGORIES
from jointcheck.web.ops import install_ops_pages
from jointcheck.web.pages import STATIC, ZXING_WASM, install_pages

IMPORT = re.compile(r"""(?:import|from)\s*\(?\s*["'](\.{1,2}/[^"']+)["']""")
REFERENCE = re.compile(r"""(?:src|href)="(/static/[^"]+)\"""")


def client_for(vendor: Path) -> TestClient:
    app = FastAPI()
    install_pages(app, vendor)
    return TestClient(app)


def settings_of(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="settings">(.*?)</script>', html,
                      re.S)
    assert found is not None
    settings: dict[str, object] = json.loads(found.group(1))
    return settings


def test_the_page_carries_its_settings_and_a_strict_policy() -> None:
    response = client_for(ZXING_WASM).get("/check")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    assert "'unsafe-eval'" not in policy.replace("'wasm-unsafe-eval'", "")
    assert response.headers["permissions-policy"].startswith("camera=(self)")
    settings = settings_of(response.text)
    categories = settings["categories"]
    assert isinstance(categories, list)
    assert [c["slug"] for c in categories] == list(VENUE_CATEGORIES)
    assert categories[0] == {"slug": "nursing-home", "en": "nursing home", "zh": "养老院"}
    assert "{{" not in response.text


def test_every_file_the_page_names_is_served() -> None:
    client = client_for(ZXING_WASM)
    html = client.get("/check").text
    waiting = REFERENCE.findall(html)
    assert "/static/check/js/main.js" in waiting and "/static/check/check.css" in waiting
    seen: set[str] = set()
    while waiting:  # every module the page names, and every module those import
        name = waiting.pop()
        if name in seen:
            continue
        seen.add(name)
        response = client.get(name)
        assert response.status_code == 200, name
        waiting += [posixpath.normpath(posixpath.join(posixpath.dirname(name), relative))
                    for relative in IMPORT.findall(response.text)]
    assert {"/static/check/js/api.js", "/static/shared/http.js",
            "/static/shared/i18n.js"} <= seen
    assert client.get("/static/check/js/main.js").headers["content-type"].startswith(
        "text/javascript")


def test_the_sign_in_form_is_filled_into_both_pages() -> None:
    app = FastAPI()
    install_pages(app, ZXING_WASM)
    install_ops_pages(app)
    install_pages(app, ZXING_WASM)  # a second install mounts the shared files once
    assert sum(getattr(route, "name", None) == "shared-static" for route in app.routes) == 1
    client = TestClient(app)
    for path, button in (("/check", "big primary"), ("/ops", "primary")):
        html = client.get(path).text
        assert "{{" not in html
        assert html.count('id="login-form"') == 1 and 'id="login-password"' in html
        assert f'<button class="{button}" type="submit" data-i18n="login-submit">' in html


def test_nothing_points_off_the_server() -> None:
    for path in STATIC.rglob("*"):
        if path.is_file():
            assert not re.search(r"https?://|//cdn|jsdelivr|unpkg", path.read_text("utf-8")), path


@pytest.mark.skipif(not (ZXING_WASM / "reader" / "zxing_reader.wasm").is_file(),
                    reason="zxing-wasm is not installed (./dev setup runs npm ci in web/)")
def test_the_qr_reader_is_served_from_the_projects_copy() -> None:
    client = client_for(ZXING_WASM)
    settings = settings_of(client.get("/check").text)
    module, wasm = settings["zxing"], settings["zxing_wasm"]
    assert isinstance(module, str) and isinstance(wasm, str)
    assert client.get(module).status_code == 200
    response = client.get(wasm)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/wasm"
    assert response.content[:4] == b"\0asm"


def test_without_the_reader_the_page_says_so(tmp_path: Path) -> None:
    client = client_for(tmp_path / "no-such-folder")
    settings = settings_of(client.get("/check").text)
    assert settings["zxing"] is None and settings["zxing_wasm"] is None
    assert client.get("/static/vendor/zxing-wasm/reader/zxing_reader.wasm").status_code == 404
