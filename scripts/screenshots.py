"""Take the scanner page's screenshots for the README: each outcome in both languages, and the
registration form, in a phone-sized Chromium (Debian's ``/usr/bin/chromium``).

Run from the repository: ``.venv/bin/python scripts/screenshots.py [--out docs/screenshots]``.
It serves the browser tests' small district (``tests/browser/door_world.py``) on a free local
port, issues each person's codes with the district's key store, types them into the page as a
hardware scanner does, and writes ``check-<outcome>-<lang>.png`` and
``check-registration-<lang>.png``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, Page  # noqa: E402
from tests.browser.door_world import PEOPLE, District, serve_district  # noqa: E402
from tests.browser.serving import PHONE, screenshots_main  # noqa: E402

from jointcheck.credentials.model import CodeColor  # noqa: E402

# outcome -> (venue, person, code colour, whether the person also shows a certificate)
SCENES = {
    "admit": ("mall", "vaccinated", CodeColor.GREEN, True),
    "register": ("home", "unvaccinated", CodeColor.GREEN, False),
    "persuade": ("mall", "unvaccinated", CodeColor.GREEN, False),
    "restrict": ("nursing", "unvaccinated", CodeColor.GREEN, False),
    "deny": ("mall", "flagged", CodeColor.RED, False),
}
LANGS = ("zh", "en")


def open_page(browser: Browser, district: District, venue: str, lang: str) -> Page:
    """Open the page signed in with ``venue``'s checkpoint token, in ``lang``."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="zh-CN")
    context.add_init_script(
        f"sessionStorage.setItem('jointcheck.token', {district.tokens[venue]!r});"
        f"localStorage.setItem('jointcheck.lang', {lang!r});")
    page = context.new_page()
    page.goto(district.page_url())
    page.wait_for_selector("#scan:not([hidden])")
    return page


def scan(page: Page, text: str) -> None:
    """Type a code as a hardware scanner does, and wait for the answer."""
    with page.expect_response(lambda r: r.url.endswith("/api/check")):
        page.keyboard.type(text)
        page.keyboard.press("Enter")


def decide(page: Page, district: District, outcome: str) -> None:
    """Bring the page to the final answer of ``outcome``'s scene."""
    _venue, person, color, with_certificate = SCENES[outcome]
    codes = district.codes(person, color)
    scan(page, codes[0])
    if with_certificate:
        scan(page, codes[1])
    elif outcome != "deny":
        with page.expect_response(lambda r: r.url.endswith("/api/check")):
            page.click("#decide-now")
    page.wait_for_selector(f"#band[data-outcome='{outcome}']")


def settle(page: Page) -> None:
    """Take the focus and pointer off the controls and wait for the fonts."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.mouse.move(0, 0)
    page.evaluate("document.fonts.ready.then(() => true)")


def take(browser: Browser, district: District, out: Path) -> list[Path]:
    """Write every screenshot; return their paths."""
    written = []
    for lang in LANGS:
        for outcome, (venue, *_rest) in SCENES.items():
            page = open_page(browser, district, venue, lang)
            decide(page, district, outcome)
            settle(page)
            path = out / f"check-{outcome}-{lang}.png"
            page.screenshot(path=str(path))
            written.append(path)
            if outcome == "persuade":
                written.append(registration(page, out, lang))
            page.context.close()
    return written


def registration(page: Page, out: Path, lang: str) -> Path:
    """Open the registration form of the persuaded person, fill it in and take it."""
    page.click("#register-open")
    page.wait_for_selector("#register:not([hidden])")
    page.fill("#reg-id", PEOPLE["unvaccinated"].id_number)
    page.fill("#reg-phone", "13912345678")
    page.click("#reasons button >> nth=0")
    settle(page)
    path = out / f"check-registration-{lang}.png"
    page.screenshot(path=str(path))
    return path


def take_all(browser: Browser, scratch: Path, out: Path) -> list[Path]:
    """Serve the district from ``scratch`` and write every screenshot to ``out``."""
    with serve_district(scratch) as district:
        return take(browser, district, out)


def main() -> int:
    return screenshots_main(__doc__.splitlines()[0], ROOT, take_all)


if __name__ == "__main__":
    sys.exit(main())
