"""Filling a checklist in the field, on a 390 px phone in Vietnamese: nothing typed is lost to
a dropped connection or an ended session, and a refused value is shown where the eye is."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot, sign_in

pytestmark = pytest.mark.browser

ITEMS = ("A1", "A2", "A3", "A4", "A5")  # section A of the commune one-stop checklist, open at first


def plan(page: Page, title: str, checklist: str = "commune-one-stop", unit: str = "Xã Phong Mỹ") -> None:
    """Plan an inspection of a unit (a commune) as the demo inspector and open its checklist."""
    page.goto("/inspections/new")
    page.get_by_label("Đơn vị").select_option(label=unit)
    page.get_by_label("Bộ tiêu chí").select_option(value=checklist)
    page.get_by_label("Tiêu đề").fill(title)
    page.get_by_label("Ngày").fill("2026-12-01")
    page.get_by_role("button", name="Lập kế hoạch").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def item(page: Page, code: str):  # type: ignore[no-untyped-def]
    return page.locator(f'.item[data-item="{code}"]')


def answer_five_offline(page: Page) -> None:
    page.context.set_offline(True)
    for code in ITEMS:
        item(page, code).get_by_label("Có", exact=True).check()
        expect(item(page, code).get_by_text("chưa lưu")).to_be_visible()
    expect(page.locator("#pending")).to_have_text(re.compile("^5 thay đổi chưa lưu"))
    shot(page, "field-offline-phone")


def expect_five_saved(page: Page) -> None:
    """What the server has, read from a fresh page: five answers, and the total they make."""
    page.reload()
    earned = 0
    for code in ITEMS:
        expect(item(page, code).get_by_label("Có", exact=True)).to_be_checked()
        expect(item(page, code).get_by_text("chưa lưu")).to_be_hidden()
        points = item(page, code).locator(".points")
        expect(points).not_to_contain_text("–")
        got, most = points.inner_text().split("/")
        assert got.strip() == most.strip()  # "Có" earns the item's full points
        earned += int(got)
    expect(page.locator("#pending")).to_be_hidden()
    expect(page.locator("#count-A")).to_have_text("đã trả lời 5 / 5")
    expect(page.locator("#total strong")).to_have_text(re.compile(rf"^{earned} / \d+$"))
    left = page.locator(".item[data-item]").count() - len(ITEMS)
    expect(page.locator("#total")).to_contain_text(f"còn {left} tiêu chí thành phần chưa trả lời")


def test_answers_given_offline_are_kept_and_sent_in_order_when_the_connection_returns(
    field_phone: Page,
) -> None:
    page = field_phone
    sign_in(page, "kiemtra")
    plan(page, "Kiểm tra khi mất sóng")
    answer_five_offline(page)
    page.context.set_offline(False)
    expect(page.locator("#pending")).to_be_hidden()
    for code in ITEMS:
        expect(item(page, code).get_by_text("chưa lưu")).to_be_hidden()
    expect(page.locator("#count-A")).to_have_text("đã trả lời 5 / 5")
    expect_five_saved(page)


def test_answers_given_offline_survive_a_reload_once_the_connection_is_back(field_phone: Page) -> None:
    page = field_phone
    sign_in(page, "kiemtra")
    plan(page, "Kiểm tra khi mất sóng rồi tải lại")
    answer_five_offline(page)
    page.context.set_offline(False)
    page.reload()
    expect(page.locator("#pending")).to_be_hidden()
    expect_five_saved(page)


def test_an_answer_given_after_the_session_ended_is_sent_after_signing_in_again(field_phone: Page) -> None:
    page = field_phone
    sign_in(page, "kiemtra")
    plan(page, "Kiểm tra khi hết phiên")
    url = page.url
    page.context.clear_cookies(name="inspection_session")
    item(page, "A1").get_by_label("Có", exact=True).check()
    expect(page.get_by_role("alert")).to_contain_text("Phiên đăng nhập đã kết thúc.")
    expect(item(page, "A1").get_by_text("chưa lưu")).to_be_visible()
    expect(item(page, "A1").get_by_label("Có", exact=True)).to_be_checked()  # what was given stays
    shot(page, "field-session-ended-phone")
    page.get_by_role("link", name="Đăng nhập lại").click()
    page.get_by_label("Tên đăng nhập").fill("kiemtra")
    page.get_by_label("Mật khẩu").fill("demo12345")
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(url)
    expect(page.locator("#pending")).to_be_hidden()
    expect(page.get_by_role("navigation")).to_be_visible()
    page.reload()
    expect(item(page, "A1").get_by_label("Có", exact=True)).to_be_checked()
    expect(item(page, "A1").locator(".points")).to_contain_text("1 / 1")
    # No address ever answers with a bare framework message.
    page.goto(url + "/items/A1")
    expect(page.locator("main")).to_contain_text("Địa chỉ này không phải là một trang.")
    expect(page.locator("body")).not_to_contain_text("Method Not Allowed")


def test_a_refused_value_shows_beside_its_field_and_saving_keeps_the_place(field_phone: Page) -> None:
    page = field_phone
    sign_in(page, "kiemtra")
    # The district PAR Index applies to a district's People's Committee only.
    plan(page, "Kiểm tra chỉ số CCHC", checklist="par-index-district", unit="Ủy ban nhân dân huyện Cao Lãnh")
    number = item(page, "1.1.2")
    field = number.get_by_label(re.compile("Giá trị đo"))
    field.fill("95")
    field.press("Tab")
    expect(number.locator(".points")).to_contain_text("0,5 / 1")
    field = number.get_by_label(re.compile("Giá trị đo"))
    field.fill("khoảng 80")
    field.press("Tab")
    message = number.locator("#error-1\\.1\\.2")
    expect(message).to_contain_text("Vui lòng nhập một số")
    expect(message).to_contain_text("Trả lời đã lưu: 95")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "error-1.1.2")
    expect(field).to_have_value("khoảng 80")  # what was typed is kept, marked as not saved
    expect(number.locator(".points")).to_contain_text("0,5 / 1")  # the saved answer's points
    shot(page, "field-refused-number-phone")

    # A file that is not what it says is refused beside the file field.
    yes_no = item(page, "1.1.1")
    yes_no.get_by_label("Ảnh hoặc tài liệu").set_input_files(
        files=[{"name": "anh.png", "mimeType": "image/png", "buffer": b"not a picture at all"}]
    )
    yes_no.get_by_role("button", name="Tải lên minh chứng").click()
    expect(item(page, "1.1.1").locator("#error-file-1\\.1\\.1")).to_be_visible()
    expect(item(page, "1.1.1").get_by_label("Ảnh hoặc tài liệu")).to_have_attribute("aria-invalid", "true")

    # Answering keeps the focus on the item; "Lưu trả lời" saves in place.
    item(page, "1.1.1").get_by_label("Có", exact=True).check()
    expect(item(page, "1.1.1").get_by_label("Có", exact=True)).to_be_focused()
    page.evaluate("window.stayed = true")
    second = page.locator("details.section").nth(1)
    second.locator("summary").click()
    later = second.locator(".item[data-item]").first
    later.get_by_label("Không", exact=True).check()
    later.get_by_label("Ghi chú").fill("Chưa ban hành")
    later.get_by_role("button", name="Lưu trả lời").click()
    expect(later.get_by_label("Ghi chú")).to_have_value("Chưa ban hành")
    expect(later.get_by_text("chưa lưu")).to_be_hidden()
    assert page.evaluate("window.stayed === true")  # no page load
    expect(page.locator("details.section").first).to_have_attribute("open", "")
    expect(second).to_have_attribute("open", "")
    total = page.locator("#total").bounding_box()
    box = page.locator(":focus").bounding_box()  # what the inspector just used
    assert total and box and box["y"] >= total["y"] + total["height"]
    # Each section says how far it is answered; the page counts what is left.
    expect(page.locator("#count-1")).to_contain_text("đã trả lời 2 /")  # 1.1.1 and 1.1.2
    expect(page.locator("#todo-1")).to_contain_text("Chưa trả lời: 1.2")
    expect(page.locator("#todo-1")).not_to_contain_text("1.1.2")
    expect(page.locator("#total")).to_contain_text(re.compile(r"còn \d+ tiêu chí thành phần chưa trả lời"))
    shot(page, "field-sections-phone")
