"""The scanner page in real Chromium against the real district server.

Codes come in the three ways a door has: a camera (Chromium's fake camera playing QR frames),
a hardware scanner typing into the page (keyboard wedge), and typed text or an identity number
(manual). The page must show the server's decision, the reason in the chosen language and the
name and birth year only, and must register a person on the server.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sqlalchemy import select

from jointcheck.credentials.model import CodeColor
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services import tokens, users
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.models import CheckReceiptRow, RegistrationRow
from jointcheck.storage.repositories.checks import context as field_context
from tests.browser.conftest import OpenPage, Watched
from tests.browser.door_world import DESK_USER, PASSWORD, PEOPLE, VENUES, District
from tests.browser.serving import PHONE, launch_chromium
from tests.browser.y4m import qr_frame, write_y4m

if TYPE_CHECKING:
    from playwright.sync_api import Page, Playwright, Response

WORDS_ZH = {"admit": "准许进入", "register": "登记后进入", "persuade": "劝导",
            "restrict": "限制进入", "deny": "禁止进入"}
REGISTERING = {"register", "persuade", "restrict"}
# What a checkpoint must never show: products, certificate ids, dates of doses, the pid.
MEDICAL = re.compile(r"BBIBP|CoronaVac|URN:UVCI|2021-0[4-6]|p1-|dose \d|第\d剂")


def ready(page: Page) -> None:
    page.wait_for_selector("#scan:not([hidden])")


def is_check(response: Response) -> bool:
    return response.url.endswith("/api/check") and response.request.method == "POST"


def answer_to(page: Page, action: Callable[[], None],
              matches: Callable[[Response], bool] = is_check) -> tuple[dict[str, Any],
                                                                        dict[str, Any]]:
    """Do ``action``; return (the request body, the answer) of the check call it made."""
    with page.expect_response(matches) as info:
        action()
    response = info.value
    assert response.status == 200, response.text()
    request = response.request.post_data_json
    assert isinstance(request, dict)
    return request, response.json()


def wedge(page: Page, text: str) -> Callable[[], None]:
    def typing() -> None:
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    return typing


def paste(page: Page, text: str) -> Callable[[], None]:
    def by_hand() -> None:
        if page.get_attribute("#manual", "open") is None:
            page.click("#manual summary")
        page.fill("#manual-code", text)
        page.click("#manual-form button")
    return by_hand


def shown_outcome(page: Page) -> str:
    page.wait_for_selector("#result:not([hidden])")
    outcome = page.get_attribute("#band", "data-outcome")
    assert outcome is not None
    return outcome


def test_keyboard_wedge_takes_codes_in_any_order(new_page: OpenPage, district: District) -> None:
    page = new_page()
    ready(page)
    health_code, certificate = district.codes("vaccinated")
    # A scanner types wherever the focus is: here on a button, which must not be pressed.
    page.focus("#camera-toggle")
    first, answer = answer_to(page, wedge(page, certificate))
    assert first["codes"] == [certificate] and first["end"] is False
    assert answer["needs"] == ["health-code"]
    page.wait_for_selector("#progress:not([hidden])")
    assert page.inner_text("#needs") == "请扫描健康码"
    assert "疫苗接种证明" in page.inner_text("#scanned")
    assert page.is_hidden("#video") and page.inner_text("#camera-status") == ""

    second, answer = answer_to(page, wedge(page, health_code))
    assert second["codes"] == [certificate, health_code]
    assert second["event_id"] == first["event_id"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        second["event_id"])
    assert shown_outcome(page) == "admit" == answer["outcome"]
    assert page.inner_text("#outcome-word") == "准许进入"
    assert page.inner_text("#holder") == "张伟，1990年生"
    assert page.inner_text("#reason") == answer["reason"]["zh"]
    assert page.is_hidden("#register-open")

    # The next person gets a new event id (this time the code is pasted by hand).
    page.click("#next")
    page.wait_for_selector("#prompt:not([hidden])")
    third, _ = answer_to(page, paste(page, health_code))
    assert third["event_id"] != first["event_id"] and third["codes"] == [health_code]


@pytest.mark.parametrize(("venue", "person", "color", "expected"), [
    ("nursing", "vaccinated", CodeColor.GREEN, "admit"),
    ("home", "unvaccinated", CodeColor.GREEN, "register"),
    ("mall", "unvaccinated", CodeColor.GREEN, "persuade"),
    ("nursing", "unvaccinated", CodeColor.GREEN, "restrict"),
    ("mall", "flagged", CodeColor.RED, "deny"),
])
def test_each_outcome_is_shown(new_page: OpenPage, district: District, venue: str,
                               person: str, color: CodeColor, expected: str) -> None:
    page = new_page(venue=venue)
    ready(page)
    codes = district.codes(person, color)
    who = PEOPLE[person]
    # Typing a code into the page takes a second or two, so most codes here are pasted.
    if expected == "admit":
        answer_to(page, paste(page, codes[0]))
        sent, answer = answer_to(page, paste(page, codes[1]))
    elif expected == "deny":  # a red code is final at once: nothing else could change it
        sent, answer = answer_to(page, wedge(page, codes[0]))
    else:  # no certificate: the worker decides on the health code alone
        _, partial = answer_to(page, paste(page, codes[0]))
        assert partial["needs"] == ["certificate"]
        page.wait_for_selector("#progress:not([hidden])")
        assert page.inner_text("#needs") == "请扫描疫苗接种证明"
        assert page.inner_text("#decide-now") == "无接种证明 — 立即判定"
        sent, answer = answer_to(page, lambda: page.click("#decide-now"))
        assert sent["end"] is True and sent["codes"] == [codes[0]]
    assert answer["outcome"] == expected and answer["final"] is True
    assert shown_outcome(page) == expected
    assert page.inner_text("#outcome-word") == WORDS_ZH[expected]
    assert page.inner_text("#reason") == answer["reason"]["zh"]
    assert page.inner_text("#holder") == f"{who.name.replace(' ', '')}，{who.birth_year}年生"
    assert page.is_visible("#register-open") == (expected in REGISTERING)
    band = page.eval_on_selector("#band", "e => getComputedStyle(e).backgroundColor")
    assert band != "rgba(0, 0, 0, 0)"
    assert not MEDICAL.search(page.inner_text("body")), page.inner_text("body")


def test_registration_reaches_the_server(new_page: OpenPage, district: District) -> None:
    page = new_page(venue="mall")
    ready(page)
    who = PEOPLE["unvaccinated"]
    answer_to(page, paste(page, district.codes("unvaccinated")[0]))
    sent, answer = answer_to(page, lambda: page.click("#decide-now"))
    assert answer["outcome"] == "persuade" and answer["event_id"] == sent["event_id"]
    page.click("#register-open")
    page.wait_for_selector("#register:not([hidden])")
    assert page.input_value("#reg-name") == "李娜"
    page.fill("#reg-id", who.id_number)
    page.fill("#reg-phone", "13912345678")
    page.click("#reasons button >> nth=0")
    assert page.input_value("#reg-reason") == "探亲访友"

    def posted(response: Response) -> bool:
        return response.url.endswith("/api/registrations")

    with page.expect_response(posted) as info:
        page.click("#register-form button[type=submit]")
    assert info.value.status == 201, info.value.text()
    assert info.value.request.post_data_json == {
        "event_id": sent["event_id"], "name": "李娜", "id_number": who.id_number,
        "phone": "13912345678", "reason": "探亲访友"}
    page.wait_for_selector("#registered:not([hidden])")
    assert page.inner_text("#registered") == "已登记"
    assert page.is_hidden("#register-open")

    with district.sessions() as session:
        receipt = session.get(CheckReceiptRow, sent["event_id"])
        row = session.scalars(select(RegistrationRow).where(
            RegistrationRow.event_id == sent["event_id"])).one()
    assert receipt is not None and receipt.outcome == "persuade"
    assert (row.venue_code, row.outcome, row.reason) == (VENUES["mall"].code, "persuade",
                                                        "探亲访友")
    assert row.pid == pseudonymise(who.id_number, district.keys.pseudonym_key)
    cipher = district.keys.cipher
    assert cipher.decrypt(row.name_enc, field_context(row.event_id, "name")) == "李娜"
    assert cipher.decrypt(row.phone_enc, field_context(row.event_id, "phone")) == "13912345678"
    assert who.id_number.encode() not in row.id_number_enc


def test_language_toggle_is_remembered(new_page: OpenPage, district: District) -> None:
    page = new_page()
    ready(page)
    assert page.inner_text(".prompt-main") == "请扫描健康码和疫苗接种证明"
    assert page.get_attribute("html", "lang") == "zh-CN"
    answer_to(page, paste(page, district.codes("unvaccinated")[0]))
    _, answer = answer_to(page, lambda: page.click("#decide-now"))
    assert shown_outcome(page) == "persuade"
    page.click("#lang")
    assert page.inner_text("#outcome-word") == "PERSUADE"
    assert page.inner_text("#reason") == answer["reason"]["en"]
    assert page.inner_text("#holder") == "李娜, born 1985"
    assert page.inner_text("#register-open") == "Register"
    assert page.inner_text("#lang") == "中文"
    assert page.get_attribute("html", "lang") == "en"

    page.reload()
    ready(page)
    assert page.inner_text(".prompt-main") == "Scan the health code and the vaccination certificate"
    assert page.inner_text("#next") == "Next person"
    page.click("#lang")
    assert page.inner_text(".prompt-main") == "请扫描健康码和疫苗接种证明"


def test_sign_in_then_look_up_a_person_by_identity_number(new_page: OpenPage,
                                                         district: District) -> None:
    page = new_page(venue=None)
    page.wait_for_selector("#login:not([hidden])")
    page.fill("#login-username", DESK_USER)
    page.fill("#login-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    ready(page)
    assert page.inner_text("#venue-name") == VENUES["mall"].name
    assert page.inner_text("#venue-category") == "商场超市"
    assert page.evaluate("sessionStorage.getItem('jointcheck.token')").startswith("jct_")
    page.click("#manual summary")
    page.wait_for_selector("#lookup-form:not([hidden])")
    page.fill("#lookup-id", PEOPLE["unvaccinated"].id_number)

    def looked_up(response: Response) -> bool:
        return response.url.endswith("/api/check/lookup")

    sent, answer = answer_to(page, lambda: page.click("#lookup-form button"), looked_up)
    assert sent["id_number"] == PEOPLE["unvaccinated"].id_number and sent["end"] is True
    assert shown_outcome(page) == "persuade" == answer["outcome"]
    assert page.inner_text("#holder") == "李娜，1985年生"

    # Signing out ends the password session on the server.
    session_token = page.evaluate("sessionStorage.getItem('jointcheck.token')")
    with page.expect_response(lambda r: r.url.endswith("/api/auth/logout")):
        page.click("#sign-out")
    page.wait_for_selector("#login:not([hidden])")
    assert status_of(district, session_token) == 401


def status_of(district: District, token: str) -> int:
    return httpx.get(f"{district.url}/api/checkpoint/status",
                     headers={"Authorization": f"Bearer {token}"}).status_code


def test_sign_out_keeps_a_shared_checkpoint_token(new_page: OpenPage, district: District) -> None:
    page = new_page(venue=None)
    page.wait_for_selector("#login:not([hidden])")
    page.fill("#token-input", district.tokens["nursing"])
    page.click("#token-form button")
    ready(page)
    assert page.inner_text("#venue-name") == VENUES["nursing"].name
    assert page.is_hidden("#lookup-form")  # a checkpoint token may not look people up
    page.click("#sign-out")
    page.wait_for_selector("#login:not([hidden])")
    assert page.evaluate("sessionStorage.getItem('jointcheck.token')") is None
    # Other devices of the checkpoint use the same token: it must still work.
    assert status_of(district, district.tokens["nursing"]) == 200


def test_fits_a_small_phone_with_large_targets(new_page: OpenPage, district: District) -> None:
    page = new_page(venue="mall")
    page.set_viewport_size({"width": 360, "height": 640})
    ready(page)
    answer_to(page, paste(page, district.codes("unvaccinated")[0]))
    page.wait_for_selector("#progress:not([hidden])")
    for state in ("progress", "result"):
        if state == "result":
            answer_to(page, lambda: page.click("#decide-now"))
            shown_outcome(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        heights = page.eval_on_selector_all(
            "button:not([hidden]), summary, input, textarea",
            "all => all.filter(e => e.offsetParent !== null)"
            ".map(e => [e.id || e.textContent.trim(), e.getBoundingClientRect().height])")
        small = [(name, height) for name, height in heights if height < 56]
        assert heights and small == [], small


def inspector_token(district: District) -> str:
    with unit_of_work(district.sessions) as session:
        users.create_user(session, username="inspector-1", display_name="Inspector",
                          role="inspector", scope="fz", password=None, at=datetime.now(UTC))
        return tokens.issue_api_token(session, "inspector-1", at=datetime.now(UTC)).text


def test_refusals_are_shown_plainly(new_page: OpenPage, district: District) -> None:
    page = new_page(venue=None, lang="en")
    page.wait_for_selector("#login:not([hidden])")
    page.fill("#token-input", "jct_AAAAAAAAAAAA_not-a-real-secret")
    page.click("#token-form button")
    page.wait_for_selector("#error:not([hidden])")
    assert page.inner_text("#error") == ("Error: The token is invalid or revoked "
                                         "(token-invalid)")
    assert page.is_visible("#login")
    assert page.evaluate("sessionStorage.getItem('jointcheck.token')") is None

    # A user who may not check at a door is told so, and may sign in as someone else.
    page.fill("#token-input", inspector_token(district))
    page.click("#token-form button")
    page.wait_for_selector("#error:has-text('(role-not-allowed)')")
    assert page.inner_text("#error") == ("Error: This account may not check at a door "
                                         "(role-not-allowed)")
    assert page.is_visible("#login")

    page.fill("#login-username", DESK_USER)
    page.fill("#login-password", "not-the-password")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#error:has-text('(login-failed)')")
    assert page.inner_text("#error").startswith("Error: Wrong user name or password")


def test_a_damaged_code_typed_by_hand_is_denied(new_page: OpenPage, district: District) -> None:
    page = new_page()
    ready(page)
    health_code = district.codes("vaccinated")[0]
    damaged = health_code[:40] + ("A" if health_code[40] != "A" else "B") + health_code[41:]
    _, answer = answer_to(page, paste(page, damaged))
    assert shown_outcome(page) == "deny" == answer["outcome"]
    assert answer["basis"] == "credential-invalid"
    assert page.inner_text("#reason") == answer["reason"]["zh"]
    assert page.input_value("#manual-code") == ""


def test_camera_reads_a_persons_two_codes(playwright: Playwright, district: District,
                                          tmp_path: Path) -> None:
    health_code, certificate = district.codes("vaccinated")
    video = write_y4m(tmp_path / "door.y4m", [(qr_frame(health_code), 15),
                                              (qr_frame(certificate), 15)])
    browser = launch_chromium(playwright, ["--use-fake-ui-for-media-stream",
                                           "--use-fake-device-for-media-stream",
                                           f"--use-file-for-fake-video-capture={video}"])
    try:
        context = browser.new_context(viewport=PHONE)
        context.add_init_script(
            f"sessionStorage.setItem('jointcheck.token', {district.tokens['mall']!r})")
        page = context.new_page()
        watched = Watched(page, district.url)
        page.goto(district.page_url())
        ready(page)
        with page.expect_response(lambda r: r.url.endswith("zxing_reader.wasm")) as wasm:
            page.click("#camera-toggle")
        assert wasm.value.status == 200
        page.wait_for_selector("#result:not([hidden])", timeout=20_000)
        assert shown_outcome(page) == "admit"
        assert page.inner_text("#holder") == "张伟，1990年生"
        assert page.inner_text("#camera-toggle") == "关闭摄像头"
        assert page.evaluate("localStorage.getItem('jointcheck.camera')") == "on"
        watched.check()
    finally:
        browser.close()
