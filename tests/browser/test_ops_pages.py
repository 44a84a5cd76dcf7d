"""The operations pages (``/ops``) in real Chromium against the real district server.

Each role signs in through the form and sees only its pages; the dashboard draws its charts
and its tables hold the API's figures; the street day report matches the API; the health
authority sets a target and investigates a case (audited); the inspector records an
inspection. Every page fits a 360 px phone without horizontal scrolling, and the print
layout hides the menu. The fixture fails a test on any script error or any request that
leaves the server.
"""

from __future__ import annotations

import posixpath
import re
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from jointcheck.storage.db import unit_of_work
from jointcheck.storage.models import AuditLogRow, InspectionRow
from jointcheck.web.ops import CHART_JS, install_ops_pages, render_ops_page
from jointcheck.web.ops import STATIC as OPS_STATIC
from tests.browser.conftest import OpsOpener
from tests.browser.ops_world import PASSWORD, RESIDENTS, USERS, OpsDistrict, wait_drawn

if TYPE_CHECKING:
    from playwright.sync_api import Page

IMPORT = re.compile(r"""(?:import|from)\s*\(?\s*["'](\.{1,2}/[^"']+)["']""")
MY_PAGES = {"dashboard", "reports", "targets", "inspections", "investigation"}
EXPECTED = {
    "health-authority": {"dashboard", "reports", "targets", "inspections", "investigation"},
    "street-officer": {"dashboard", "reports", "targets", "inspections"},
    "grid-worker": {"dashboard", "targets"},
    "inspector": {"dashboard", "reports", "inspections"},
    "venue-operator": set(),
    "org-admin": set(),
    "industry-supervisor": set(),
}
OUTCOMES = ["admit", "register", "persuade", "restrict", "deny"]
DESKTOP = {"width": 1280, "height": 900}


def api(district: OpsDistrict, role: str, path: str, **params: Any) -> Any:
    """Return the API's answer to ``role``'s user for ``path`` (a fresh session token)."""
    login = httpx.post(f"{district.url}/api/auth/login",
                       json={"username": USERS[role][0], "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    response = httpx.get(f"{district.url}{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def nav_pages(page: Page) -> set[str]:
    return set(page.eval_on_selector_all("#nav a", "links => links.map(a => a.dataset.page)"))


def table_rows(page: Page, selector: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"{selector} tbody tr",
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent.trim()))")


def number(text: str) -> int:
    return int(text.replace(",", "").replace("%", ""))


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_its_own_pages(ops_page: OpsOpener, role: str) -> None:
    page = ops_page(role)
    assert nav_pages(page) & MY_PAGES == EXPECTED[role]
    assert page.get_attribute("#sign-out", "hidden") is None
    if not EXPECTED[role] and not nav_pages(page):
        assert page.is_visible("#no-pages")
    # A page the role may not use is not drawn, even when asked for by address.
    before = int(page.evaluate("document.body.dataset.routed"))
    page.evaluate("location.hash = '#/investigation'")
    # (By selectors: the page's CSP forbids the eval behind wait_for_function.)
    page.wait_for_selector(f'body[data-routed]:not([data-routed="{before}"])', state="attached")
    shown = page.evaluate("document.body.dataset.route")
    assert (shown == "investigation") == ("investigation" in EXPECTED[role])
    assert page.locator(".page-body[data-page=investigation]").count() == (shown == "investigation")


def test_a_wrong_password_is_refused_and_nothing_is_kept(ops_page: OpsOpener) -> None:
    page = ops_page()
    page.wait_for_selector("#login:not([hidden])")
    page.fill("#login-username", USERS["street-officer"][0])
    page.fill("#login-password", "not-the-password")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#error:not([hidden])")
    assert "用户名或密码不正确" in page.text_content("#error")
    assert page.evaluate("sessionStorage.length") == 0
    assert page.is_hidden("#nav")


def test_the_dashboard_draws_charts_of_the_apis_figures(ops_page: OpsOpener,
                                                        ops_district: OpsDistrict) -> None:
    page = ops_page("health-authority", "dashboard", viewport=DESKTOP)
    page.wait_for_selector("#checks-table")
    page.wait_for_selector(".chart[data-drawn=true] canvas >> nth=2")
    assert page.evaluate("document.body.dataset.charts") == "yes"
    checks = api(ops_district, "health-authority", "/api/dashboard/checks", area="fz", days=14)
    rows = table_rows(page, "#checks-table")
    assert [row[0][:10] for row in rows] == [day["day"] for day in checks["days"]]
    for row, day in zip(rows, checks["days"], strict=True):
        assert [number(cell) for cell in row[1:6]] == [day["by_outcome"][o] for o in OUTCOMES]
        assert number(row[6]) == sum(day["by_outcome"].values())
    assert sum(number(row[6]) for row in rows) > 0
    coverage = api(ops_district, "health-authority", "/api/dashboard/coverage", area="fz")
    expected = [[street["name"], group["group"], group["residents"], group["first_dose"],
                 group["complete"], group["exempt"]]
                for street in coverage["streets"] for group in street["age_groups"]]
    shown = [[row[0], row[1], *map(number, row[2:6])]
             for row in table_rows(page, "#coverage-table")]
    assert shown == expected
    assert sum(row[2] for row in shown) == len(RESIDENTS)
    # The target's progress and the follow-up funnel are there too.
    assert page.locator("[data-target]").count() == 1
    assert page.locator("#funnel-table, .card .unavailable").count() >= 1


def test_the_day_report_matches_the_api(ops_page: OpsOpener,
                                        ops_district: OpsDistrict) -> None:
    day = ops_district.day(1).isoformat()
    page = ops_page("street-officer", f"reports?street=fz.s01&day={day}")
    page.wait_for_selector("#day-report")
    report = api(ops_district, "street-officer", f"/api/reports/streets/fz.s01/days/{day}")
    assert number(page.text_content("#fig-checks")) == report["checks"] == 62
    assert number(page.text_content("#fig-registrations")) == report["registrations"]
    assert number(page.text_content("#fig-vaccinations")) == report["new_vaccinations"]
    rows = table_rows(page, "#venue-table")
    assert [row[0] for row in rows] == [venue["name"] for venue in report["venues"]]
    for row, venue in zip(rows, report["venues"], strict=True):
        assert [number(cell) for cell in row[2:8]] == [*(venue["counts"][o] for o in OUTCOMES),
                                                     venue["total"]]
    # The CSV download is the API's, fetched with the session's token.
    with page.expect_download() as info:
        page.click("button[data-format=csv]")
    download = info.value
    assert download.suggested_filename == f"fz.s01-{day}.csv"
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "section,code,name,category,admit,register,persuade,restrict,deny,total"
    assert lines[1].startswith("venue,v-mall,")
    # The street's own choice only: another street is not offered to its officer.
    assert page.eval_on_selector_all("#rep-street option", "o => o.map(x => x.value)") \
        == ["fz.s01"]
    # A day not rolled up says so.
    page.evaluate("location.hash = '#/reports?street=fz.s01&day=2020-01-01'")
    page.wait_for_selector("#report-missing")
    assert "尚未汇总" in page.text_content("#report-missing")


def test_the_health_authority_sets_a_target(ops_page: OpsOpener,
                                            ops_district: OpsDistrict) -> None:
    page = ops_page("health-authority", "targets", lang="en")
    before = page.locator("#target-list [data-target]").count()
    page.select_option("#tgt-area", "fz.s02")
    page.fill("#tgt-doses", "25")
    page.click("#target-form button[type=submit]")
    page.wait_for_selector("#tgt-done:not([hidden])")
    wait_drawn(page, "targets")
    assert page.locator("#target-list [data-target]").count() == before + 1
    listed = api(ops_district, "health-authority", "/api/dashboard/targets", area="fz.s02")
    new = [t for t in listed["targets"] if t["area"] == "fz.s02"]
    assert [t["doses"] for t in new] == [25]
    assert page.text_content("#tgt-done") == f"Target #{new[0]['id']} set"
    # A street officer reads targets but has no form to set one.
    officer = ops_page("street-officer", "targets")
    assert officer.locator("#target-form").count() == 0
    assert officer.locator("#target-list [data-target]").count() >= 1


def test_the_inspector_records_an_inspection(ops_page: OpsOpener,
                                             ops_district: OpsDistrict) -> None:
    page = ops_page("inspector", "inspections")
    rows = table_rows(page, "#compliance-table")
    assert len(rows) == 3
    page.select_option("#ins-venue", "v-home")
    page.uncheck("#ins-checked")
    page.fill("#ins-findings", "side door not checked")
    page.select_option("#ins-sanction", "warning")
    page.fill("#ins-visitors", "300")
    page.click("#inspection-form button[type=submit]")
    page.wait_for_selector("#ins-done:not([hidden])")
    with unit_of_work(ops_district.sessions) as session:
        stored = session.scalars(select(InspectionRow)
                                 .where(InspectionRow.venue_code == "v-home")).all()
        assert [(row.checked_everyone, row.findings, row.sanction) for row in stored] == [
            (False, "side door not checked", "warning")]
    page.select_option("#his-venue", "v-home")
    page.click("#his-show")
    page.wait_for_selector("#ins-history table")
    assert "side door not checked" in page.text_content("#ins-history")
    # A street officer reads the list and may take a complaint, but records no inspection.
    officer = ops_page("street-officer", "inspections")
    assert officer.locator("#inspection-form").count() == 0
    assert officer.locator("#complaint-form").count() == 1


def far_time_zone(district_day: date) -> str:
    """Return a time zone whose day, now, differs from the district's ``district_day``."""
    for zone in ("America/Los_Angeles", "Pacific/Pago_Pago", "Pacific/Kiritimati"):
        if datetime.now(ZoneInfo(zone)).date() != district_day:
            return zone
    raise AssertionError("every candidate time zone has the district's day")


def test_forms_default_to_the_districts_day_not_the_browsers(ops_page: OpsOpener,
                                                             ops_district: OpsDistrict) -> None:
    me = api(ops_district, "health-authority", "/api/me")
    assert (me["today"], me["timezone"]) == (ops_district.today.isoformat(), "Asia/Shanghai")
    zone = far_time_zone(ops_district.today)
    page = ops_page("health-authority", "reports", timezone_id=zone)
    browser_day = page.evaluate("""() => { const d = new Date();
        return [d.getFullYear(), d.getMonth() + 1, d.getDate()]
          .map((n) => String(n).padStart(2, "0")).join("-"); }""")
    assert browser_day != ops_district.today.isoformat()
    assert page.input_value("#rep-day") == ops_district.day(1).isoformat()
    page.evaluate("location.hash = '#/targets'")
    wait_drawn(page, "targets")
    assert page.input_value("#tgt-start") == ops_district.day(7).isoformat()
    page.evaluate("location.hash = '#/investigation'")
    wait_drawn(page, "investigation")
    assert page.input_value("#inv-day") == ops_district.today.isoformat()


def test_a_case_investigation_is_answered_and_audited(ops_page: OpsOpener,
                                                      ops_district: OpsDistrict) -> None:
    person = next(r for r in RESIDENTS if r.doses == 2 and r.age >= 18)
    pid = ops_district.pid(person)
    page = ops_page("health-authority", "investigation")
    page.fill("#inv-pid", pid)
    page.click("#investigation-form button[type=submit]")
    page.wait_for_selector("#case-status")
    assert page.get_attribute("#case-status", "data-complete") == "true"
    assert page.text_content("#inv-out-area") == person.area
    assert len(table_rows(page, "#inv-doses")) == 2
    assert pid not in page.url  # the pid stays out of the history
    with unit_of_work(ops_district.sessions) as session:
        actions = session.scalars(select(AuditLogRow.action).where(
            AuditLogRow.subject == pid, AuditLogRow.actor_id == USERS["health-authority"][0]
        )).all()
    assert "investigation.case.read" in actions


@pytest.mark.parametrize(("role", "route"), [
    ("health-authority", "dashboard"), ("health-authority", "targets"),
    ("health-authority", "investigation"), ("street-officer", "reports"),
    ("inspector", "inspections"), ("grid-worker", "dashboard"),
])
def test_no_horizontal_scroll_on_a_small_phone(ops_page: OpsOpener, role: str,
                                               route: str) -> None:
    page = ops_page(role, route, viewport={"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    small = page.eval_on_selector_all(
        "button, .nav a, select, input:not([type=checkbox])",
        "els => els.filter(e => e.offsetParent && e.getBoundingClientRect().height < 44)"
        ".map(e => e.outerHTML.slice(0, 80))")
    assert small == []


def test_the_print_layout_hides_the_menu(ops_page: OpsOpener) -> None:
    page = ops_page("health-authority", "dashboard", viewport=DESKTOP)
    assert page.is_visible("#nav") and page.is_visible("#print")
    page.emulate_media(media="print")
    assert page.is_hidden("#nav") and page.is_hidden("#print")
    assert page.is_visible("#checks-table")
    width = page.evaluate("document.querySelector('main').getBoundingClientRect().width")
    assert width <= DESKTOP["width"]


def test_the_language_choice_is_remembered(ops_page: OpsOpener) -> None:
    page = ops_page("street-officer", "dashboard")
    assert page.text_content("#page h1") == "概览"
    page.click("#lang")
    wait_drawn(page, "dashboard")
    assert page.text_content("#page h1") == "Dashboard"
    assert page.evaluate("localStorage.getItem('jointcheck.lang')") == "en"
    page.reload()
    wait_drawn(page, "dashboard")
    assert page.text_content("#page h1") == "Dashboard"
    assert page.text_content("#lang") == "中文"


def test_without_the_chart_library_the_shell_loads_no_script_for_it(tmp_path: Path) -> None:
    assert "/static/vendor/chart.js/" not in render_ops_page(charts=False)
    app = FastAPI()
    install_ops_pages(app, tmp_path)  # an empty folder: no chart library installed
    with TestClient(app) as client:
        page = client.get("/ops")
        assert page.status_code == 200 and "chart.umd" not in page.text
        assert client.get("/static/vendor/chart.js/chart.umd.min.js").status_code == 404


def test_the_shell_and_every_module_it_imports_are_served_from_the_server() -> None:
    app = FastAPI()
    install_ops_pages(app)
    with TestClient(app) as client:
        page = client.get("/ops")
        policy = page.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        if CHART_JS.joinpath("chart.umd.min.js").is_file():
            assert client.get("/static/vendor/chart.js/chart.umd.min.js").status_code == 200
        seen: set[str] = set()
        waiting = ["/static/ops/main.js", "/static/ops/ops.css"]
        while waiting:
            path = waiting.pop()
            if path in seen:
                continue
            seen.add(path)
            response = client.get(path)
            assert response.status_code == 200, path
            for relative in IMPORT.findall(response.text):
                waiting.append(posixpath.normpath(posixpath.join(posixpath.dirname(path),
                                                                 relative)))
        assert {"/static/ops/pages/index.js", "/static/ops/charts.js",
                "/static/ops/pages/dashboard.js"} <= seen
    for file in OPS_STATIC.rglob("*"):
        if file.suffix in {".js", ".css", ".html"}:
            text = file.read_text(encoding="utf-8")
            assert not re.search(r"https?://|\.innerHTML\s*=|\.outerHTML\s*=", text), file
