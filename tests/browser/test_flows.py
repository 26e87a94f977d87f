"""Each role's main flow in a real Chromium against a real server with the demo data:
Vietnamese at phone and desk widths, and the English interface once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot, sign_in
from tests.browser.test_conclusion import answer_the_rest_through_the_api, inspection_url

pytestmark = pytest.mark.browser


def test_unit_head_works_through_the_inbox_on_a_phone(phone: Page) -> None:
    page = phone
    sign_in(page, "truong.x-myhiep")
    expect(page).to_have_url(re.compile(r"/actions$"))
    expect(page.get_by_role("heading", name="Nhiệm vụ của đơn vị")).to_be_visible()
    expect(page.locator("li.overdue").first).to_contain_text("quá hạn")
    shot(page, "unit-head-inbox-phone")
    page.locator("li", has_text="Mới giao").first.get_by_role("link").click()
    page.get_by_role("button", name="Xác nhận đã tiếp nhận").click()
    expect(page.locator("#action")).to_contain_text("Đã tiếp nhận")
    page.get_by_label("Tiến độ thực hiện").fill("Đã phân công công chức phụ trách")
    page.get_by_role("button", name="Báo cáo tiến độ").click()
    expect(page.locator("#action .history")).to_contain_text("Đã phân công công chức phụ trách")
    page.get_by_label("Ảnh hoặc tài liệu").set_input_files(
        files=[{"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 test"}]
    )
    page.get_by_role("button", name="Tải lên minh chứng").click()
    expect(page.locator("#action")).to_contain_text("bien-ban.pdf")
    page.get_by_label("Kết quả khắc phục").fill("Đã niêm yết đầy đủ")
    page.get_by_role("button", name="Báo cáo kết quả khắc phục", exact=True).click()
    expect(page.locator("#action")).to_contain_text("Đoàn kiểm tra đang xác minh kết quả khắc phục.")
    shot(page, "unit-head-action-phone")


def test_inspector_plans_fills_on_a_phone_and_submits(phone: Page) -> None:
    page = phone
    sign_in(page, "kiemtra")
    page.get_by_role("link", name="Lập kế hoạch kiểm tra", exact=True).click()
    page.get_by_label("Đơn vị").select_option(label="Xã Phong Mỹ")
    page.get_by_label("Tiêu đề").fill("Kiểm tra đột xuất bộ phận một cửa xã Phong Mỹ")
    page.get_by_label("Ngày").fill("2026-12-01")
    page.get_by_role("button", name="Lập kế hoạch").click()
    expect(page.get_by_role("heading", name="Kiểm tra đột xuất bộ phận một cửa xã Phong Mỹ")).to_be_visible()
    total = page.locator("#total")
    first = page.locator(".item[id^=item-]").first
    first.get_by_label("Không", exact=True).check()
    expect(total).not_to_contain_text("0 / 0")
    expect(page.locator(".item[id^=item-]").first.locator(".badge")).to_be_visible()  # a proposed finding
    second = page.locator(".item[id^=item-]").nth(1)
    second.get_by_label("Có", exact=True).check()
    expect(page.locator(".item[id^=item-]").nth(1).locator(".points")).not_to_contain_text("–")
    shot(page, "inspector-fill-phone")
    answer_the_rest_through_the_api(page, inspection_url(page))
    page.get_by_role("link", name="Xem lại tồn tại, hạn chế").click()
    page.get_by_role("button", name="Xác nhận", exact=True).first.click()
    expect(page.locator(".badge.ok").first).to_have_text("Đã xác nhận")
    page.get_by_role("link", name="Ban hành kết luận…").click()
    page.get_by_label("Kết luận").fill("Cơ bản thực hiện tốt; còn tồn tại cần khắc phục.")
    page.get_by_role("button", name="Xác nhận và ban hành kết luận").click()
    expect(page.get_by_role("heading", name="Nhiệm vụ khắc phục")).to_be_visible()
    expect(page.locator("ul.list > li").first).to_contain_text("Mới giao")


def test_inspector_verifies_and_decides_an_extension_at_a_desk(page: Page) -> None:
    sign_in(page, "kiemtra")
    page.goto("/actions?view=reported_fixed")
    page.locator("ul.list > li a").first.click()
    page.get_by_role("button", name="Xác nhận hoàn thành, đóng").click()
    expect(page.locator("#action")).to_contain_text("Đã hoàn thành")
    page.goto("/actions?view=all")
    shot(page, "inspector-actions-desk")


def test_admin_adds_a_unit_and_a_head(page: Page) -> None:
    sign_in(page, "admin")
    expect(page.get_by_role("heading", name="Đơn vị")).to_be_visible()
    page.get_by_role("link", name="+ Thêm đơn vị").click()
    page.get_by_label("Mã").fill("X-THU")
    page.get_by_label("Tên (tiếng Việt)").fill("Xã Thử Nghiệm")
    page.get_by_label("Loại").select_option(label="Xã")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_role("link", name="Người dùng").click()
    page.get_by_role("link", name="+ Thêm người dùng").click()
    page.get_by_label("Tên đăng nhập").fill("truong.x-thu")
    page.get_by_label("Họ và tên").fill("Nguyễn Văn Thử")
    page.get_by_label("Vai trò").select_option(label="Thủ trưởng đơn vị")
    page.get_by_label("Đơn vị").select_option(label="Xã Thử Nghiệm")
    page.get_by_label("Mật khẩu").fill("mat-khau-thu")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("table")).to_contain_text("Nguyễn Văn Thử")
    for link in ("Bộ tiêu chí", "Thông báo", "Đơn vị"):
        page.get_by_role("navigation").get_by_role("link", name=link, exact=True).click()
        expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Nguyễn Văn Thử")  # the new unit's head
    shot(page, "admin-units-desk")


def test_observer_reads_everything_in_english(page: Page) -> None:
    sign_in(page, "giamsat")  # the demo observer reads the interface in English
    page.goto("/inspections")
    expect(page.get_by_role("heading", name="Inspections")).to_be_visible()
    page.locator("table a").first.click()
    expect(page.locator("#total")).to_contain_text("Running total")
    expect(page.locator("form[action*='/items/']")).to_have_count(0)
    page.get_by_role("link", name="Corrective actions", exact=True).first.click()
    page.locator("ul.list > li a").first.click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.locator("#action form")).to_have_count(0)
    shot(page, "observer-action-desk-en")


def test_keyboard_reaches_the_menu_with_a_visible_focus(page: Page) -> None:
    sign_in(page, "lanhdao")
    page.goto("/inspections")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua đến nội dung")
    expect(skip).to_be_focused()
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Kiểm tra và khắc phục")).to_be_focused()


def test_leader_follows_an_overdue_number_from_the_dashboard_to_its_actions(page: Page) -> None:
    sign_in(page, "lanhdao")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", name="Bảng theo dõi khắc phục")).to_be_visible()
    expect(page.locator("svg.chart")).to_have_count(3)
    shot(page, "leader-dashboard-desk")
    overdue = page.locator("dl.tiles .bad a")
    count = int(overdue.inner_text())
    assert count > 0
    overdue.click()
    expect(page).to_have_url(re.compile(r"/actions\?.*overdue=true"))
    expect(page.locator(".chosen")).to_contain_text("quá hạn")
    expect(page.locator("ul.list > li.overdue")).to_have_count(count)
    shot(page, "leader-overdue-actions-desk")


def test_dashboard_tables_scroll_inside_the_page_on_a_phone(phone: Page) -> None:
    page = phone
    sign_in(page, "lanhdao")
    expect(page.get_by_role("heading", name="Bảng theo dõi khắc phục")).to_be_visible()
    # The page itself never scrolls sideways; the wide tables and charts scroll in their boxes.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    table = page.locator(".scroll").first
    assert table.evaluate("e => e.scrollWidth > e.clientWidth")
    shot(page, "leader-dashboard-phone")
