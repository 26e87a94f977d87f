"""Reviewing findings in the field, on a 390 px phone in Vietnamese: a finding confirmed or
dismissed with no connection is kept on the phone, shown as not saved, counted in the banner,
and reaches the server by itself once the connection is back, a reload in between or not."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import shot, sign_in
from tests.browser.test_conclusion import inspection_url
from tests.browser.test_field import item, plan

pytestmark = pytest.mark.browser

REASON = "Đơn vị đã khắc phục ngay tại buổi kiểm tra"


def card(page: Page, code: str) -> Locator:
    return page.locator(f'.finding[data-item="{code}"]')


def unsaved(page: Page, code: str) -> Locator:
    return card(page, code).locator(".unsaved:not([hidden])")


def two_proposals(page: Page, title: str) -> str:
    """An inspection whose items A1 and A2 are answered "Không", each proposing a finding;
    the findings page open. Its address."""
    sign_in(page, "kiemtra")
    plan(page, title)
    url = inspection_url(page)
    for code in ("A1", "A2"):
        item(page, code).get_by_label("Không", exact=True).check()
        expect(item(page, code).locator(".finding-link")).to_contain_text("Đề xuất")
    page.get_by_role("link", name="Xem lại tồn tại, hạn chế").click()
    expect(card(page, "A1").get_by_text("Đề xuất", exact=True)).to_be_visible()
    return url


def decide_offline(page: Page) -> None:
    """Offline: confirm A1's finding, dismiss A2's with a reason; both wait on the phone."""
    page.context.set_offline(True)
    card(page, "A1").get_by_role("button", name="Xác nhận", exact=True).click()
    expect(unsaved(page, "A1")).to_have_text("chưa lưu")
    dropped = card(page, "A2")
    dropped.get_by_text("Bỏ tồn tại, hạn chế này").click()
    dropped.get_by_label("Lý do bỏ").fill(REASON)
    dropped.get_by_role("button", name="Bỏ", exact=True).click()
    expect(unsaved(page, "A2")).to_have_text("chưa lưu")
    expect(page.locator("#pending")).to_have_text(re.compile("^2 thay đổi chưa lưu"))
    expect(card(page, "A1").get_by_text("Đề xuất", exact=True)).to_be_visible()  # not as if saved
    shot(page, "findings-offline-phone")


def expect_both_decided(page: Page, url: str) -> None:
    """What the server has: A1's finding confirmed, A2's dismissed with the reason typed."""
    expect(page.locator("#pending")).to_be_hidden()
    findings = {f["item_code"]: f for f in page.request.get(f"/api{url}/findings").json()}
    assert findings["A1"]["status"] == "confirmed", findings["A1"]
    assert (findings["A2"]["status"], findings["A2"]["dismissed_reason"]) == ("dismissed", REASON)
    page.reload()
    expect(card(page, "A1").get_by_text("Đã xác nhận", exact=True)).to_be_visible()
    expect(card(page, "A2").get_by_text("Đã bỏ", exact=True)).to_be_visible()
    expect(card(page, "A2")).to_contain_text(REASON)
    expect(page.locator(".finding .unsaved:not([hidden])")).to_have_count(0)


def test_findings_decided_offline_reach_the_server_when_the_connection_returns(field_phone: Page) -> None:
    page = field_phone
    url = two_proposals(page, "Xem lại tồn tại khi mất sóng")
    decide_offline(page)
    page.context.set_offline(False)
    expect(card(page, "A1").get_by_text("Đã xác nhận", exact=True)).to_be_visible()
    expect(card(page, "A2").get_by_text("Đã bỏ", exact=True)).to_be_visible()
    expect(page.locator(".finding .unsaved:not([hidden])")).to_have_count(0)
    expect_both_decided(page, url)


def test_findings_decided_offline_survive_a_reload_once_the_connection_is_back(field_phone: Page) -> None:
    page = field_phone
    url = two_proposals(page, "Xem lại tồn tại khi mất sóng rồi tải lại")
    decide_offline(page)
    # Back online, but the server out of reach a while longer: the page is reloaded with
    # both decisions still on the phone, and shows them as typed, not saved.
    out_of_reach = re.compile(r"/findings/\d+(/dismiss)?$")
    page.route(out_of_reach, lambda route: route.abort())
    page.context.set_offline(False)
    page.reload()
    expect(page.locator("#pending")).to_have_text(re.compile("^2 thay đổi chưa lưu"))
    expect(unsaved(page, "A1")).to_have_text("chưa lưu")
    expect(unsaved(page, "A2")).to_have_text("chưa lưu")
    expect(card(page, "A2").get_by_label("Lý do bỏ")).to_have_value(REASON)
    page.unroute(out_of_reach)
    page.reload()
    expect(card(page, "A1").get_by_text("Đã xác nhận", exact=True)).to_be_visible()
    expect(card(page, "A2").get_by_text("Đã bỏ", exact=True)).to_be_visible()
    expect_both_decided(page, url)
