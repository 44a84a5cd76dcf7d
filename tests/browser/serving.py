"""What the browser test worlds and the screenshot scripts share: Debian's chromium, a district
server's settings with fresh keys, the server run with uvicorn on a free local port in a
thread, and the screenshot scripts' command line.

``door_world`` (the scanner page's district) and ``ops_world`` (the operations pages')
seed their own data and run ``create_app`` through ``serve_app``.
"""

from __future__ import annotations

import argparse
import base64
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.engine import URL, make_url

from jointcheck.config import Settings
from jointcheck.storage.migrations import migrate

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

CHROMIUM = Path(os.environ.get("JOINTCHECK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 844}


def chromium_problem() -> str | None:
    """Return why the browser tests cannot run here, or None."""
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing (./dev setup installs Debian's chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (./dev setup installs the dev extras)"
    return None


def launch_chromium(playwright: Playwright, extra: list[str] | None = None) -> Browser:
    """Start Debian's chromium, headless, with a fresh profile."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS + (extra or []))


def _random_key() -> SecretStr:
    return SecretStr(base64.b64encode(os.urandom(32)).decode())


def migrated_sqlite(path: Path) -> URL:
    """Return the URL of a SQLite database at ``path``, migrated to the newest schema."""
    url = make_url(f"sqlite:///{path}")
    migrate(url)
    return url


def district_settings(url: URL, folder: Path, **extra: Any) -> Settings:
    """Return a district server's settings on ``url``, with fresh random keys kept in
    ``folder`` and ``extra`` settings."""
    return Settings(database_url=url.render_as_string(hide_password=False),
                    pseudonym_key=_random_key(), field_keys=_random_key(),
                    audit_key=_random_key(), key_dir=folder / "keys", **extra)


@contextmanager
def serve_app(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free local port in a thread; yield its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the district server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def screenshots_main(description: str, root: Path,
                     take: Callable[[Browser, Path, Path], list[Path]]) -> int:
    """Run a screenshot script of the repository at ``root``: parse ``--out`` (default
    ``docs/screenshots``), start chromium, call ``take(browser, scratch folder, out folder)``
    and print the files it wrote; return 2 where chromium is missing."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=root / "docs" / "screenshots")
    args = parser.parse_args()
    problem = chromium_problem()
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with (tempfile.TemporaryDirectory(prefix="jointcheck-shots-") as scratch,
          sync_playwright() as driver):
        browser = launch_chromium(driver)
        try:
            written = take(browser, Path(scratch), args.out)
        finally:
            browser.close()
    for path in written:
        print(path.relative_to(root) if path.is_relative_to(root) else path)
    return 0
