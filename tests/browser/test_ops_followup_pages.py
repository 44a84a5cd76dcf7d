"""The follow-up and door-to-door survey pages in real Chromium against the real district server.

The district is the operations pages' test district (``ops_world``), run once for this module,
with a grid, a resident registered in another street (for the survey: nobody refreshes that
street, so the survey is what opens their case) and the organisations and posts that the
organisation pages' tests use (``people_world``). A grid worker refreshes the worklist, opens a
case, records outcomes (a future date is refused on the page), closes the case, and submits a
household whose bad member is named next to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from jointcheck.registry.areas import Area
from jointcheck.registry.organisations import Membership, Organisation
from jointcheck.services.registry_import import import_residents
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.organisations import OrganisationRepository
from tests.browser.conftest import OpsOpener, opening_ops
from tests.browser.ops_world import (
    ORGANISATION,
    PASSWORD,
    RESIDENTS,
    TZ,
    USERS,
    OpsDistrict,
    serve_ops_district,
    wait_drawn,
)
from tests.browser.serving import SMALL_PHONE

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

GRID = "fz.s01.c01.g01"
# Registered in the other street, unvaccinated, 50: only the survey opens a case for them.
NEWCOMER = "110101197601150055"
UNKNOWN = "110101199901019999"  # not in the registry
CANTEEN = Organisation("org-canteen", "幸福餐厅 Xingfu Canteen", "enterprise", "catering",
                       "market-regulation", "fz.s01")
# Posts: (organisation, resident's index in ops_world.RESIDENTS, post)
POSTS = (
    (ORGANISATION.code, 3, "first-line-teaching"),   # 35, two doses: may teach
    (ORGANISATION.code, 5, "first-line-teaching"),   # 45, unvaccinated: may not
    (ORGANISATION.code, 6, "office"),                # 55, exempt
    (ORGANISATION.code, 2, "student"),               # 16, two doses
    (ORGANISATION.code, 0, "student"),               # 8, not of eligible age
    (ORGANISATION.code, 4, "family-member"),         # 40, one dose
    (CANTEEN.code, 8, "front-line-service"),         # 70, unvaccinated: may not serve
    (CANTEEN.code, 7, "front-line-service"),         # 75, two doses
)
PEOPLE_PAGES = {"followup", "survey", "organisations", "school", "meetings", "coverage"}


def seed_people(district: OpsDistrict, folder: Path) -> None:
    """Add the grid, the newcomer, the canteen and the posts to a running ``ops_world``
    district (also used by ``scripts/ops_screenshots.py``)."""
    now = datetime.now(UTC)
    born = district.today.replace(year=district.today.year - 50) - timedelta(days=100)
    newcomers = folder / "newcomers.csv"
    newcomers.write_text("id_number,name,sex,birth_date,phone,address,area\n"
                         f"{NEWCOMER},新住户,M,{born.isoformat()},13900000000,,fz.s02.c01\n",
                         encoding="utf-8")
    with unit_of_work(district.sessions) as session:
        AreaRepository(session).upsert([Area.of(GRID, "东一第一网格")])
        report = import_residents(session, newcomers, district.keys, now, TZ)
        assert not report.rejections, report.as_dict()
        organisations = OrganisationRepository(session)
        organisations.add(CANTEEN)
        organisations.add_members([Membership(code, district.pid(RESIDENTS[index]), post)
                                   for code, index, post in POSTS])


@contextmanager
def serve_people_district(folder: Path) -> Iterator[OpsDistrict]:
    """Run the operations test district with the grid, newcomer, canteen and posts above."""
    with serve_ops_district(folder) as district:
        seed_people(district, folder)
        yield district


@pytest.fixture(scope="module")
def people_district(chromium_ready: None,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpsDistrict]:
    with serve_people_district(tmp_path_factory.mktemp("people")) as running:
        yield running


PeopleOpener = OpsOpener


@pytest.fixture
def people_page(browser: Browser, people_district: OpsDistrict) -> Iterator[PeopleOpener]:
    """Open this district's ``/ops`` as ``opening_ops`` does (script errors and requests off
    the server fail the test); the pages' days are the district's in any browser zone."""
    with opening_ops(browser, people_district) as opener:
        yield opener


def api(district: OpsDistrict, role: str, method: str, path: str, **options: Any) -> Any:
    """Call the district's API as ``role``'s user; return the JSON answer."""
    with httpx.Client(base_url=district.url, timeout=20) as client:
        login = client.post("/api/auth/login", json={"username": USERS[role][0],
                                                     "password": PASSWORD})
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        answer = client.request(method, path, headers=headers, **options)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None


def fits(page: Page) -> None:
    """Assert that the page does not scroll sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width  # type: ignore[index]


def big_enough(page: Page) -> None:
    """Assert that every visible button, select and input is at least 44 px high."""
    small = page.eval_on_selector_all(
        "button, select, input:not([type=checkbox]), a.button",
        "els => els.filter(e => e.offsetParent && e.getBoundingClientRect().height < 44)"
        ".map(e => e.outerHTML.slice(0, 80))")
    assert small == []


def nav_pages(page: Page) -> set[str]:
    return set(page.eval_on_selector_all("#nav a", "links => links.map(a => a.dataset.page)"))


def test_a_grid_worker_sees_the_follow_up_pages_only(people_page: PeopleOpener) -> None:
    page = people_page("grid-worker", "followup")
    assert nav_pages(page) & PEOPLE_PAGES == {"followup", "survey"}
    page = people_page("street-officer", "followup")
    assert nav_pages(page) & PEOPLE_PAGES == {"followup", "survey", "organisations", "school",
                                              "meetings", "coverage"}


def test_the_worklist_is_refreshed_and_an_outcome_recorded(
        people_page: PeopleOpener, people_district: OpsDistrict) -> None:
    page = people_page("grid-worker", "followup")
    assert page.input_value("#fu-area") == USERS["grid-worker"][1]
    with page.expect_response(lambda r: "/api/followup/worklist" in r.url) as listed:
        page.click("#fu-refresh")
    page.wait_for_selector("#fu-notice:not([hidden])")
    assert "新增" in page.inner_text("#fu-notice")
    items = listed.value.json()["items"]
    assert items, "the community has eligible unvaccinated residents"
    page.wait_for_selector("#fu-items")
    shown = page.eval_on_selector_all("#fu-items > li", "rows => rows.map(r => r.dataset.case)")
    assert shown == [str(item["case_id"]) for item in items]  # the server's priority order
    first = items[0]
    card = page.locator(f'#fu-items > li[data-case="{first["case_id"]}"]')
    assert first["name"] in card.inner_text() and first["phone"] in card.inner_text()
    assert int(page.inner_text("#fu-open").replace(",", "")) == len(items)

    card.locator("a.button").click()
    wait_drawn(page, "followup")
    page.wait_for_selector("#fu-case")
    assert page.input_value("#fu-on") == people_district.today.isoformat()
    page.fill("#fu-note", "电话联系，已讲解政策")
    with page.expect_response(lambda r: r.url.endswith("/outcomes")):
        page.click('button[data-outcome="policy-explained"]')
    page.wait_for_selector("#fu-history")
    history = page.inner_text("#fu-history")
    assert "已宣传政策" in history and people_district.today.isoformat() in history
    assert "电话联系" in history and USERS["grid-worker"][0] in history

    # A future day is refused by the server, shown next to the buttons, and nothing is added.
    page.evaluate("day => { document.getElementById('fu-on').value = day; }",
                  (people_district.today + timedelta(days=2)).isoformat())
    page.click('button[data-outcome="appointment-booked"]')
    page.wait_for_selector("#fu-outcome-error:not([hidden])")
    assert "bad-day" in page.inner_text("#fu-outcome-error")
    case = api(people_district, "grid-worker", "GET", f"/api/followup/cases/{first['case_id']}")
    assert [o["outcome"] for o in case["outcomes"]] == ["policy-explained"]

    page.fill("#fu-on", people_district.today.isoformat())
    with page.expect_response(lambda r: r.url.endswith("/outcomes")):
        page.click('button[data-outcome="vaccinated"]')
    page.wait_for_selector('#fu-case[data-status="closed"]')
    assert page.locator("#fu-outcome-form").count() == 0
    assert page.is_visible("#fu-closed-note")
    assert page.locator("#fu-history tbody tr").count() == 2

    page.click("#fu-back")
    page.wait_for_selector('.page-body[data-page="followup"][data-ready="true"] #fu-count')
    funnel = api(people_district, "grid-worker", "GET", "/api/followup/funnel",
                 params={"area": USERS["grid-worker"][1]})
    assert funnel["stages"]["vaccinated"] >= 1
    assert page.inner_text("#fu-closed") == str(funnel["closed"])
    assert page.locator(f'#fu-items > li[data-case="{first["case_id"]}"]').count() == 0
    fits(page)


def test_a_survey_names_its_bad_member_then_opens_a_case(
        people_page: PeopleOpener, people_district: OpsDistrict) -> None:
    # The grid worker (fz.s01.c01) names the newcomer, a resident of the other street: the
    # answer is the one an unknown identity number gets, so it tells nothing about them.
    page = people_page("grid-worker", "survey")
    page.fill("#sv-grid", GRID)
    page.fill("#sv-address", "东一社区 3 栋 201")
    first = page.locator('.sv-member[data-index="0"]')
    first.locator('button[data-status="unvaccinated"]').click()
    errors = []
    for number in (NEWCOMER, UNKNOWN):
        first.locator(".sv-id").fill(number)
        with page.expect_response(lambda r: r.url.endswith("/api/followup/surveys")) as refused:
            page.click("#sv-submit")
        assert refused.value.status == 422
        first.locator(".sv-error:not([hidden])").wait_for()
        errors.append(first.locator(".sv-error").inner_text())
    assert "unknown-person" in errors[0] and errors[0] == errors[1]
    figures = api(people_district, "grid-worker", "GET", "/api/followup/surveys",
                  params={"area": USERS["grid-worker"][1]})
    assert figures["grids"] == []  # nothing was stored

    # The health authority covers the district: the bad member is named, then the newcomer
    # is recorded and gets a case.
    page = people_page("health-authority", "survey")
    page.fill("#sv-grid", GRID)
    page.fill("#sv-address", "东一社区 3 栋 201")
    first = page.locator('.sv-member[data-index="0"]')
    first.locator(".sv-id").fill(NEWCOMER)
    first.locator('button[data-status="unvaccinated"]').click()
    assert first.locator('button[data-status="unvaccinated"]').get_attribute(
        "aria-pressed") == "true"
    page.click("#sv-add")
    second = page.locator('.sv-member[data-index="1"]')
    second.locator(".sv-id").fill(UNKNOWN)
    second.locator('button[data-status="vaccinated"]').click()
    with page.expect_response(lambda r: r.url.endswith("/api/followup/surveys")) as refused:
        page.click("#sv-submit")
    assert refused.value.status >= 400
    second.locator(".sv-error:not([hidden])").wait_for()
    assert "unknown-person" in second.locator(".sv-error").inner_text()
    assert first.locator(".sv-error").is_hidden()

    second.locator(".sv-remove").click()
    with page.expect_response(lambda r: r.url.endswith("/api/followup/surveys")) as saved:
        page.click("#sv-submit")
    assert saved.value.status == 201
    page.wait_for_selector("#sv-saved")
    assert page.get_attribute("#sv-saved", "data-cases") == "1"
    assert "新开跟进案件 1 件" in page.inner_text("#sv-saved")
    page.wait_for_selector("#sv-grids")
    rows = page.eval_on_selector_all(
        "#sv-grids tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    assert [row[:3] for row in rows] == [[GRID, "1", "1"]]  # one household, one member
    assert page.locator(".sv-member").count() == 1  # the form is ready for the next household
    fits(page)


def test_the_follow_up_pages_fit_a_small_phone_in_english(people_page: PeopleOpener) -> None:
    for route in ("followup", "survey"):
        page = people_page("grid-worker", route, viewport=SMALL_PHONE, lang="en")
        fits(page)
        big_enough(page)
    assert "Door-to-door survey" in page.inner_text("#page h1")
