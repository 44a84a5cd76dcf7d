"""Fixtures of the browser tests: the district server in a thread, Debian's chromium, pages.

The server (``door_world.serve_district``) and the browser are started once per run; each test
gets a fresh browser context (its own storage) with a phone-sized viewport. Every page is
watched: a JavaScript error, or a request to anywhere but the server, fails the test.

Where chromium or Playwright is missing the tests skip with the reason, except under
``CI=true``, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

from tests.browser.door_world import District, serve_district
from tests.browser.ops_world import OpsDistrict, serve_ops_district, signed_in
from tests.browser.serving import PHONE, chromium_problem, launch_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright


@pytest.fixture(scope="session")
def chromium_ready() -> None:
    problem = chromium_problem()
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser tests cannot run under CI: {problem}")
    pytest.skip(f"browser tests skipped: {problem}")


@pytest.fixture(scope="session")
def district(chromium_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[District]:
    with serve_district(tmp_path_factory.mktemp("district")) as running:
        yield running


@pytest.fixture(scope="session")
def playwright(chromium_ready: None) -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    running = launch_chromium(playwright)
    yield running
    running.close()


class Watched:
    """A page and what went wrong on it: script errors, requests that left the server."""

    def __init__(self, page: Page, origin: str) -> None:
        self.page = page
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("request", lambda request: None if request.url.startswith((origin, "data:"))
                else self.foreign.append(request.url))

    def check(self) -> None:
        assert self.errors == [], f"script errors on the page: {self.errors}"
        assert self.foreign == [], f"requests beyond the server: {self.foreign}"


@contextmanager
def watching() -> Iterator[list[Watched]]:
    """Yield a list to add the test's watched pages to; at the end close their contexts,
    then fail on what went wrong on any of them."""
    watched: list[Watched] = []
    yield watched
    for one in watched:
        one.page.context.close()
    for one in watched:
        one.check()


OpenPage = Callable[..., "Page"]


def open_page(browser: Browser, district: District, watched: list[Watched], *,
              venue: str | None = "mall", lang: str | None = None) -> Page:
    """Open the scanner page in a new context, signed in with ``venue``'s checkpoint token
    (none: signed out), in ``lang`` if given (else the page's default)."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    script = ""
    if venue is not None:
        script += f"sessionStorage.setItem('jointcheck.token', {district.tokens[venue]!r});"
    if lang is not None:
        script += f"localStorage.setItem('jointcheck.lang', {lang!r});"
    if script:
        context.add_init_script(script)
    page = context.new_page()
    watched.append(Watched(page, district.url))
    page.goto(district.page_url())
    return page


@pytest.fixture
def new_page(browser: Browser, district: District) -> Iterator[OpenPage]:
    with watching() as watched:

        def opener(**options: str | None) -> Page:
            return open_page(browser, district, watched, **options)

        yield opener


@pytest.fixture(scope="session")
def ops_district(chromium_ready: None,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpsDistrict]:
    with serve_ops_district(tmp_path_factory.mktemp("ops")) as running:
        yield running


OpsOpener = Callable[..., "Page"]


@contextmanager
def opening_ops(browser: Browser, district: OpsDistrict) -> Iterator[OpsOpener]:
    """Yield an opener of ``district``'s ``/ops``, watched, each page in a fresh context:
    ``opener(role, route, viewport=PHONE, lang=None, timezone_id=None)`` signs in as
    ``role``'s user and goes to ``route`` (no role: stays at the sign-in form), in ``lang``
    if given, with the browser in ``timezone_id`` if given (else the machine's zone)."""
    with watching() as watched:

        def opener(role: str | None = None, route: str = "", *,
                   viewport: dict[str, int] | None = None, lang: str | None = None,
                   timezone_id: str | None = None) -> Page:
            context = browser.new_context(viewport=viewport or PHONE, locale="zh-CN",
                                          timezone_id=timezone_id)
            if lang is not None:
                context.add_init_script(f"localStorage.setItem('jointcheck.lang', {lang!r});")
            page = context.new_page()
            watched.append(Watched(page, district.url))
            if role is None:
                page.goto(district.page_url())
                return page
            return signed_in(page, district, role, route)

        yield opener


@pytest.fixture
def ops_page(browser: Browser, ops_district: OpsDistrict) -> Iterator[OpsOpener]:
    """Open the operations test district's ``/ops`` as ``opening_ops`` does."""
    with opening_ops(browser, ops_district) as opener:
        yield opener
