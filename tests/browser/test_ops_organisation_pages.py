"""The roster, school investigation, meeting and coverage pages in real Chromium against the
real district server (the district of ``test_ops_followup_pages``: a school with teachers,
pupils and a family member, a canteen with front-line staff).

An org admin sees the unvaccinated teacher flagged with the reason, adds and removes a member,
imports a roster (a bad line is named and nothing is stored), opens the school's investigation
and checks everyone from the registry, and checks a meeting's attendees; the health authority
sees the canteen's unvaccinated front-line worker flagged; the industry supervisor sees its
industry's coverage figures as the API gives them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from tests.browser.ops_world import ORGANISATION, RESIDENTS, OpsDistrict, wait_drawn
from tests.browser.serving import SMALL_PHONE
from tests.browser.test_ops_followup_pages import (
    CANTEEN,
    PEOPLE_PAGES,
    PeopleOpener,
    api,
    big_enough,
    fits,
    nav_pages,
    people_page,
    serve_people_district,
)

if TYPE_CHECKING:
    from playwright.sync_api import FilePayload

__all__ = ["people_page"]  # the fixture, shared with the follow-up pages' tests

SCHOOL = ORGANISATION.code
TEACHER = RESIDENTS[5]  # 45, unvaccinated, first-line teaching
SERVER = RESIDENTS[8]  # 70, unvaccinated, front-line service at the canteen
VACCINATED = RESIDENTS[3]  # 35, two doses
NEWCOMER_POST = RESIDENTS[9]  # 33, two doses, in the other street; not a member yet


@pytest.fixture(scope="module")
def people_district(chromium_ready: None,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpsDistrict]:
    with serve_people_district(tmp_path_factory.mktemp("organisations")) as running:
        yield running


def roster_row(district: OpsDistrict, person: object, post: str) -> str:
    pid = district.pid(person)  # type: ignore[arg-type]
    return f'#org-roster tbody tr[data-pid="{pid}"][data-post="{post}"]'


def csv_file(content: bytes) -> FilePayload:
    return {"name": "roster.csv", "mimeType": "text/csv", "buffer": content}


def test_the_org_admin_sees_the_unvaccinated_teacher_flagged(
        people_page: PeopleOpener, people_district: OpsDistrict) -> None:
    page = people_page("org-admin", "organisations")
    assert nav_pages(page) & PEOPLE_PAGES == {"organisations", "school", "meetings"}
    teacher = page.locator(roster_row(people_district, TEACHER, "first-line-teaching"))
    assert teacher.get_attribute("data-may-hold") == "false"
    assert "org-flag" in (teacher.get_attribute("class") or "")
    roster = api(people_district, "org-admin", "GET", f"/api/organisations/{SCHOOL}/roster")
    flagged = [m for m in roster["members"] if not m["may_hold"]]
    assert [m["pid"] for m in flagged] == [people_district.pid(TEACHER)]
    assert flagged[0]["reason_zh"] in teacher.inner_text()
    assert flagged[0]["reason_zh"] in page.inner_text("#org-violations")
    colleague = page.locator(roster_row(people_district, VACCINATED, "first-line-teaching"))
    assert colleague.get_attribute("data-may-hold") == "true"
    assert page.locator("#org-roster tbody tr").count() == len(roster["members"])
    fits(page)


def test_the_org_admin_adds_removes_and_imports_members(
        people_page: PeopleOpener, people_district: OpsDistrict) -> None:
    page = people_page("org-admin", "organisations")
    page.fill("#org-add-id", NEWCOMER_POST.id_number)
    page.select_option("#org-add-post", "logistics")
    page.click("#org-add-form button[type=submit]")
    page.wait_for_selector("#org-notice")
    added = roster_row(people_district, NEWCOMER_POST, "logistics")
    page.wait_for_selector(added)

    page.fill("#org-add-id", "110101199901019999")
    page.click("#org-add-form button[type=submit]")
    page.wait_for_selector("#org-add-error:not([hidden])")
    assert "unknown-person" in page.inner_text("#org-add-error")

    page.locator(f"{added} .org-remove").click()
    assert page.locator(f"{added} .org-remove").get_attribute("data-armed") == "true"
    page.locator(f"{added} .org-remove").click()
    page.wait_for_selector(added, state="detached")
    members = api(people_district, "org-admin", "GET", f"/api/organisations/{SCHOOL}/roster")
    assert people_district.pid(NEWCOMER_POST) not in {m["pid"] for m in members["members"]}

    before = len(members["members"])
    bad = (f"id_number,post\n{NEWCOMER_POST.id_number},logistics\n"
           f"{RESIDENTS[10].id_number},janitor\n").encode()
    page.set_input_files("#org-file", files=[csv_file(bad)])
    page.click("#org-import-form button[type=submit]")
    page.wait_for_selector("#org-import-error:not([hidden])")
    assert re.search(r"line 3", page.inner_text("#org-import-error"))
    after = api(people_district, "org-admin", "GET", f"/api/organisations/{SCHOOL}/roster")
    assert len(after["members"]) == before  # all or nothing

    good = (f"id_number,post\n{NEWCOMER_POST.id_number},logistics\n"
            f"{RESIDENTS[10].id_number},family-member\n").encode()
    page.set_input_files("#org-file", files=[csv_file(good)])
    page.click("#org-import-form button[type=submit]")
    page.wait_for_selector("#org-notice:has-text('新增 2 条')")
    page.wait_for_selector(roster_row(people_district, RESIDENTS[10], "family-member"))
    for person, post in ((NEWCOMER_POST, "logistics"), (RESIDENTS[10], "family-member")):
        api(people_district, "org-admin", "DELETE",
            f"/api/organisations/{SCHOOL}/roster/{people_district.pid(person)}",
            params={"post": post})


def test_the_health_authority_sees_the_canteen_front_line_worker_flagged(
        people_page: PeopleOpener, people_district: OpsDistrict) -> None:
    page = people_page("health-authority", "organisations")
    page.select_option("#org-pick", CANTEEN.code)
    page.wait_for_selector(f'#org-box[data-org="{CANTEEN.code}"] #org-roster')
    worker = page.locator(roster_row(people_district, SERVER, "front-line-service"))
    assert worker.get_attribute("data-may-hold") == "false"
    posts = api(people_district, "health-authority", "GET",
                f"/api/organisations/{CANTEEN.code}/posts")
    assert [m["pid"] for m in posts["violations"]] == [people_district.pid(SERVER)]
    assert page.locator("#org-violations li").count() == 1
    assert page.locator("#org-add-form").count() == 1  # the health authority may write


def test_the_school_investigation_is_opened_and_everyone_checked(
        people_page: PeopleOpener, people_district: OpsDistrict) -> None:
    page = people_page("org-admin", "school")
    assert page.is_visible("#sch-none-yet")
    term = people_district.today - timedelta(days=2)
    page.fill("#sch-term-start", term.isoformat())
    page.click("#sch-open-form button[type=submit]")
    page.wait_for_selector("#sch-report")
    wait_drawn(page, "school")
    assert page.inner_text("#sch-deadline") == (term + timedelta(days=6)).isoformat()
    assert page.inner_text("#sch-days-left") == "4"
    assert page.get_attribute("#sch-report", "data-state") == "running"
    assert "截止日期" in page.inner_text("#sch-notice")

    with page.expect_response(lambda r: r.url.endswith("/check-all")) as checked:
        page.click("#sch-check-all")
    page.wait_for_selector('#sch-report[data-state="complete"]')
    report = checked.value.json()
    rows = page.eval_on_selector_all(
        "#sch-groups tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    expected = [group for group in ("staff", "students", "family") if group in report["groups"]]
    assert len(rows) == len(expected)
    for row, group in zip(rows, expected, strict=True):
        figures = report["groups"][group]
        assert row[1:3] == [str(figures["total"]), str(figures["checked"])]
        assert figures["checked"] == figures["total"]
    assert report["groups"]["staff"]["by_status"]["unvaccinated"] == 1  # the teacher
    assert page.locator("#sch-state.sch-complete").count() == 1
    fits(page)


def test_a_meeting_check_says_who_may_attend(
        people_page: PeopleOpener, people_district: OpsDistrict) -> None:
    page = people_page("org-admin", "meetings")
    page.select_option("#mt-kind", "training")
    page.fill("#mt-list", f"{TEACHER.id_number}\n\n  {VACCINATED.id_number}  \n")
    with page.expect_response(lambda r: r.url.endswith("/meetings/check")) as answered:
        page.click("#mt-form button[type=submit]")
    page.wait_for_selector("#mt-attendees")
    answer = answered.value.json()
    sent = answered.value.request.post_data_json
    assert isinstance(sent, dict)
    assert sent["attendees"] == [TEACHER.id_number, VACCINATED.id_number]
    assert (answer["may_attend"], answer["may_not_attend"]) == (1, 1)
    assert page.inner_text("#mt-yes") == "1" and page.inner_text("#mt-no") == "1"
    flags = page.eval_on_selector_all("#mt-attendees tbody tr",
                                      "rows => rows.map(r => r.dataset.mayAttend)")
    assert flags == ["false", "true"]
    text = page.inner_text("#mt-attendees")
    assert TEACHER.id_number not in text  # the list shows the number's end only
    assert answer["attendees"][0]["reason_zh"] in text

    page.fill("#mt-list", "110101199901019999")
    page.click("#mt-form button[type=submit]")
    page.wait_for_selector("#mt-error:not([hidden])")
    assert page.locator("#mt-attendees").count() == 0
    fits(page)


def test_the_industry_supervisor_sees_its_industrys_figures(
        people_page: PeopleOpener, people_district: OpsDistrict) -> None:
    page = people_page("industry-supervisor", "coverage")
    assert nav_pages(page) & PEOPLE_PAGES == {"coverage"}
    page.wait_for_selector("#cov-org-table")
    served = api(people_district, "industry-supervisor", "GET", "/api/coverage/organisations")
    rows = page.eval_on_selector_all(
        "#cov-org-table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    assert [row[0] for row in rows] == [org["code"] for org in served["organisations"]]
    assert [row[0] for row in rows] == [SCHOOL]  # education only: not the canteen
    school = served["organisations"][0]
    assert rows[0][3:9] == [str(school[key]) for key in (
        "members", "complete", "partial", "unvaccinated", "exempt", "not_eligible")]
    industries = api(people_district, "industry-supervisor", "GET", "/api/coverage/industries")
    assert page.locator("#cov-industry-table tbody tr").count() == len(industries["industries"])
    if page.evaluate("typeof window.Chart === 'function'"):
        page.wait_for_selector(".chart[data-drawn=true] canvas")


def test_the_organisation_pages_fit_a_small_phone(people_page: PeopleOpener) -> None:
    for role, route in (("org-admin", "organisations"), ("org-admin", "school"),
                        ("org-admin", "meetings"), ("health-authority", "coverage")):
        page = people_page(role, route, viewport=SMALL_PHONE)
        fits(page)
        big_enough(page)
    page.emulate_media(media="print")
    assert page.is_hidden("#nav")
