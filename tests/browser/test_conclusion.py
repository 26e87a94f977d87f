"""Reviewing findings and issuing the conclusion, on a 390 px phone in Vietnamese: nothing is
submitted while items are left, a proposal becomes an action only once confirmed, a
dismissal needs its reason, and a finding states the shortfall."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot, sign_in
from tests.browser.test_field import item, plan

pytestmark = pytest.mark.browser


def inspection_url(page: Page) -> str:
    match = re.search(r"/inspections/\d+", page.url)
    assert match, page.url
    return match.group(0)


def answer_the_rest_through_the_api(page: Page, url: str) -> None:
    """The items the test does not walk through: a text where the item takes text, else
    "not applicable" with its reason (the confirmation step lists what is left)."""
    left = page.request.get(f"/api{url}/submission").json()["unanswered"]
    answers = page.request.get(f"/api{url}/answers").json()
    assert answers  # the items answered on the page are there
    for entry in left:
        code = entry["item_code"]
        body = {"not_applicable": True, "note": "Đơn vị không có lĩnh vực này"}
        saved = page.request.put(f"/api{url}/answers/{code}", data=body)
        if saved.status == 400:  # a text item that cannot be not applicable
            saved = page.request.put(f"/api{url}/answers/{code}", data={"value": "Đã kiểm tra thực tế"})
        assert saved.ok, saved.text()


def test_an_inspection_with_unanswered_items_cannot_be_submitted(field_phone: Page) -> None:
    page = field_phone
    sign_in(page, "kiemtra")
    plan(page, "Kiểm tra chưa trả lời")
    page.get_by_role("link", name="Ban hành kết luận…").click()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Còn \d+ tiêu chí thành phần chưa trả lời$"))
    ).to_be_visible()
    expect(page.locator("#unanswered").get_by_role("link", name="A1")).to_be_visible()
    confirm = page.get_by_role("button", name="Xác nhận và ban hành kết luận")
    expect(confirm).to_be_disabled()
    expect(page.locator("#not-ready")).to_contain_text("mọi tiêu chí thành phần đã được trả lời")
    shot(page, "conclusion-not-ready-phone")


def test_not_applicable_needs_its_reason_at_the_note(field_phone: Page) -> None:
    page = field_phone
    sign_in(page, "kiemtra")
    plan(page, "Kiểm tra không áp dụng")
    a5 = item(page, "A5")
    a5.get_by_label("Không áp dụng").check()
    note = item(page, "A5").get_by_label("Ghi chú")
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(item(page, "A5").get_by_role("alert")).to_contain_text("Nhập lý do không áp dụng vào phần ghi chú")
    expect(item(page, "A5").get_by_label("Không áp dụng")).to_be_checked()  # what was tapped is kept
    note.fill("Xã chưa có cổng dịch vụ công")
    note.press("Tab")
    expect(item(page, "A5").get_by_role("alert")).to_be_hidden()
    page.reload()
    expect(item(page, "A5").get_by_label("Không áp dụng")).to_be_checked()
    expect(item(page, "A5").get_by_label("Ghi chú")).to_have_value("Xã chưa có cổng dịch vụ công")


def test_only_the_confirmed_finding_becomes_an_action_and_a_dismissal_needs_a_reason(
    field_phone: Page,
) -> None:
    page = field_phone
    sign_in(page, "kiemtra")
    plan(page, "Kiểm tra xác nhận tồn tại")
    url = inspection_url(page)
    a1 = item(page, "A1")
    a1.get_by_label("Ghi chú").fill("Không niêm yết bảng TTHC mới")
    a1.get_by_label("Không", exact=True).check()
    expect(item(page, "A1").locator(".finding-link")).to_contain_text("Đề xuất")
    item(page, "A2").get_by_label("Không", exact=True).check()
    expect(item(page, "A2").locator(".finding-link")).to_contain_text("Đề xuất")
    for code in ("A3", "A4", "A5"):
        item(page, code).get_by_label("Có", exact=True).check()
        expect(item(page, code).locator(".points")).not_to_contain_text("–")
    answer_the_rest_through_the_api(page, url)

    page.get_by_role("link", name="Xem lại tồn tại, hạn chế").click()
    kept = page.locator('.finding[data-item="A1"]')
    expect(kept.get_by_label("Tồn tại, hạn chế", exact=True)).to_have_value(
        "Không niêm yết bảng TTHC mới — trả lời: Không"
    )
    kept.get_by_role("button", name="Xác nhận", exact=True).click()
    expect(page.locator('.finding[data-item="A1"]').get_by_text("Đã xác nhận")).to_be_visible()

    dropped = page.locator('.finding[data-item="A2"]')
    dropped.get_by_text("Bỏ tồn tại, hạn chế này").click()
    dropped.get_by_role("button", name="Bỏ", exact=True).click()
    dropped = page.locator('.finding[data-item="A2"]')
    reason = dropped.get_by_label("Lý do bỏ")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(dropped.get_by_role("alert")).to_have_text("Nhập lý do bỏ tồn tại, hạn chế này")
    reason.fill("Đơn vị đã khắc phục ngay tại buổi kiểm tra")
    dropped.get_by_role("button", name="Bỏ", exact=True).click()
    dropped = page.locator('.finding[data-item="A2"]')
    expect(dropped.get_by_text("Đã bỏ", exact=True)).to_be_visible()
    expect(dropped).to_contain_text("Đơn vị đã khắc phục ngay tại buổi kiểm tra")
    shot(page, "findings-reviewed-phone")

    page.get_by_role("link", name="Ban hành kết luận…").click()
    expect(page.locator("#unanswered")).to_have_count(0)
    expect(page.locator("#proposed")).to_have_count(0)
    expect(page.locator("#will-become li")).to_have_count(1)
    expect(page.locator("#will-become")).to_contain_text("Không niêm yết bảng TTHC mới — trả lời: Không")
    expect(page.locator("#will-become")).to_contain_text("1 tồn tại, hạn chế đã bỏ, được lưu lại.")
    page.get_by_label("Kết luận").fill("Cơ bản thực hiện tốt; còn tồn tại về niêm yết")
    page.get_by_role("button", name="Xác nhận và ban hành kết luận").click()

    expect(page.get_by_text("Không niêm yết bảng TTHC mới — trả lời: Không")).to_be_visible()
    actions = page.request.get(f"/api/actions?inspection_id={url.rsplit('/', 1)[-1]}").json()
    assert [a["title"] for a in actions] == ["Không niêm yết bảng TTHC mới — trả lời: Không"]
    page.goto(f"/actions/{actions[0]['id']}")
    facts = page.locator(".finding-facts")
    expect(facts.locator(".requirement")).not_to_be_empty()
    expect(facts.locator(".answer-given")).to_have_text(re.compile(r"^Không"))
    expect(facts.locator(".inspector-note")).to_have_text("Không niêm yết bảng TTHC mới")
    shot(page, "action-with-requirement-phone")
