"""Take the operations pages' screenshots for the documentation: the dashboard in both
languages on a phone and a desktop, and the day report, targets, inspections and case
investigation pages, in Debian's Chromium (``/usr/bin/chromium``).

Run from the repository: ``.venv/bin/python scripts/ops_screenshots.py [--out
docs/screenshots]``. It serves the browser tests' small district
(``tests/browser/ops_world.py``) on a free local port, signs in as each page's role through
the form, and writes ``ops-<page>-<phone|desktop>[-<lang>].png``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, Page  # noqa: E402
from tests.browser.ops_world import (  # noqa: E402
    RESIDENTS,
    OpsDistrict,
    serve_ops_district,
    signed_in,
)
from tests.browser.serving import PHONE, screenshots_main  # noqa: E402

DESKTOP = {"width": 1280, "height": 900}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
# name -> (role, route)
PAGES = {
    "report": ("street-officer", "reports"),
    "targets": ("health-authority", "targets"),
    "inspections": ("inspector", "inspections"),
    "investigation": ("health-authority", "investigation"),
}


def open_page(browser: Browser, district: OpsDistrict, role: str, route: str, size: str,
              lang: str) -> Page:
    """Sign in as ``role`` in a fresh context of ``size`` and ``lang``, and open ``route``."""
    context = browser.new_context(viewport=SIZES[size], device_scale_factor=1,
                                  locale="zh-CN")
    context.add_init_script(f"localStorage.setItem('jointcheck.lang', {lang!r});")
    page = context.new_page()
    signed_in(page, district, role, route)
    return page


def settle(page: Page) -> None:
    """Wait for the charts of the page to be drawn."""
    count = page.locator(".chart").count()
    if count:
        page.wait_for_selector(f".chart[data-drawn=true] >> nth={count - 1}", state="attached")


def shoot(page: Page, path: Path) -> Path:
    settle(page)
    page.screenshot(path=str(path), full_page=True)
    page.context.close()
    return path


def take(browser: Browser, scratch: Path, out: Path) -> list[Path]:
    """Serve the district from ``scratch`` and write every screenshot to ``out``."""
    written = []
    with serve_ops_district(scratch) as district:
        for size in SIZES:
            for lang in ("zh", "en"):
                page = open_page(browser, district, "health-authority", "dashboard", size, lang)
                written.append(shoot(page, out / f"ops-dashboard-{size}-{lang}.png"))
            for name, (role, route) in PAGES.items():
                page = open_page(browser, district, role, route, size, "zh")
                if name == "report":
                    page.evaluate("day => { location.hash = "
                                  "`#/reports?street=fz.s01&day=${day}`; }",
                                  district.day(1).isoformat())
                    page.wait_for_selector("#day-report")
                if name == "investigation":
                    person = next(r for r in RESIDENTS if r.doses == 2 and r.age >= 18)
                    page.fill("#inv-pid", district.pid(person))
                    page.click("#investigation-form button[type=submit]")
                    page.wait_for_selector("#case-status")
                written.append(shoot(page, out / f"ops-{name}-{size}.png"))
        page = open_page(browser, district, "health-authority", "dashboard", "desktop", "zh")
        page.emulate_media(media="print")
        written.append(shoot(page, out / "ops-dashboard-print.png"))
        written += shoot_people_pages(browser, district, scratch, out)
    return written


def main() -> int:
    return screenshots_main(__doc__.splitlines()[0], ROOT, take)


# ---- the follow-up, survey, roster, school, meeting and coverage pages ---------------------
# (ops-followup-*, ops-survey-*, ops-organisations-*, ops-school-*, ops-meetings-*,
# ops-coverage-*), in the district of their browser tests: a grid, a canteen, posts.

from collections.abc import Callable  # noqa: E402
from datetime import timedelta  # noqa: E402

from tests.browser.test_ops_followup_pages import (  # noqa: E402
    GRID,
    NEWCOMER,
    api,
    seed_people,
)


def fill_survey(page: Page) -> None:
    page.fill("#sv-grid", GRID)
    page.fill("#sv-address", "东一社区 3 栋 201 室")
    page.locator('.sv-member[data-index="0"] .sv-id').fill(NEWCOMER)
    page.click('.sv-member[data-index="0"] button[data-status="unvaccinated"]')
    page.click("#sv-submit")
    page.wait_for_selector("#sv-saved")
    page.click("#sv-add")
    page.locator('.sv-member[data-index="1"] .sv-id').fill(RESIDENTS[3].id_number)
    page.click('.sv-member[data-index="1"] button[data-status="vaccinated"]')


def check_school(page: Page, district: OpsDistrict) -> None:
    page.fill("#sch-term-start", (district.today - timedelta(days=2)).isoformat())
    page.click("#sch-open-form button[type=submit]")
    page.wait_for_selector("#sch-report")
    page.click("#sch-check-all")
    page.wait_for_selector('#sch-report[data-state="complete"]')


def check_meeting(page: Page) -> None:
    page.select_option("#mt-kind", "training")
    page.fill("#mt-list", "\n".join(person.id_number for person in RESIDENTS[3:7]))
    page.click("#mt-form button[type=submit]")
    page.wait_for_selector("#mt-attendees")


def shoot_people_pages(browser: Browser, district: OpsDistrict, folder: Path,
                       out: Path) -> list[Path]:
    """Add the people pages' data to ``district``, take their screenshots, return their
    paths."""
    seed_people(district, folder)
    area = "fz.s01.c01"
    api(district, "grid-worker", "POST", "/api/followup/refresh", json={"area": area})
    items = api(district, "grid-worker", "GET", "/api/followup/worklist",
                params={"area": area})["items"]
    case = items[0]["case_id"]
    api(district, "grid-worker", "POST", f"/api/followup/cases/{case}/outcomes",
        json={"outcome": "contacted", "on": district.today.isoformat(),
              "note": "电话联系，约定周六上门"})
    scenes: list[tuple[str, str, str, str, str, Callable[[Page], None] | None]] = [
        ("followup-phone-zh", "grid-worker", "followup", "phone", "zh", None),
        ("followup-phone-en", "grid-worker", "followup", "phone", "en", None),
        ("followup-case-phone", "grid-worker", f"followup?case={case}", "phone", "zh", None),
        ("survey-phone", "grid-worker", "survey", "phone", "zh", fill_survey),
        ("organisations-phone", "org-admin", "organisations", "phone", "zh", None),
        ("organisations-desktop", "org-admin", "organisations", "desktop", "zh", None),
        ("school-phone", "org-admin", "school", "phone", "zh",
         lambda page: check_school(page, district)),
        ("meetings-phone", "org-admin", "meetings", "phone", "zh", check_meeting),
        ("coverage-phone", "industry-supervisor", "coverage", "phone", "zh", None),
        ("coverage-desktop", "health-authority", "coverage", "desktop", "zh", None),
    ]
    written = []
    for name, role, route, size, lang, action in scenes:
        page = open_page(browser, district, role, route, size, lang)
        if action is not None:
            action(page)
        written.append(shoot(page, out / f"ops-{name}.png"))
    return written


if __name__ == "__main__":
    raise SystemExit(main())
