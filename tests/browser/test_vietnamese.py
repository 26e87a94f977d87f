"""Vietnamese done right on a 390 px phone: the plan form offers the checklists of the chosen
unit's kind, days are typed dd/mm/yyyy whatever the browser's own language, and a refused
form comes back as typed with the message beside its field."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot, sign_in

pytestmark = pytest.mark.browser


def checklists_offered(page: Page) -> list[str]:
    return page.locator("#checklist_code option").evaluate_all("options => options.map(o => o.value)")


def test_the_plan_form_follows_the_units_kind_and_takes_days_as_dd_mm_yyyy(field_phone: Page) -> None:
    page = field_phone
    sign_in(page, "kiemtra")
    page.goto("/inspections/new")
    page.get_by_label("Đơn vị").select_option(label="Phòng Nội vụ")
    # The choice is redrawn when the unit changes: wait for the department's checklist.
    expect(page.locator("#checklist_code option[value=par-index-department]")).to_have_count(1)
    expect(page.locator("#checklist_code option")).to_have_count(1)
    assert checklists_offered(page) == ["par-index-department"]
    page.get_by_label("Đơn vị").select_option(label="Xã An Bình")
    expect(page.locator("#checklist_code option[value=commune-one-stop]")).to_have_count(1)
    assert checklists_offered(page) == ["commune-one-stop"]
    page.get_by_label("Tiêu đề").fill("Kiểm tra CCHC xã An Bình")
    date = page.get_by_label("Ngày")
    expect(date).to_have_attribute("placeholder", "nn/tt/nnnn")
    date.fill("31/02/2026")
    page.get_by_role("button", name="Lập kế hoạch", exact=True).click()
    # Refused: the same form, as typed, the message beside the field that is wrong.
    expect(date).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-plan-planned_date")).to_have_text(
        "Ngày: nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/03/2026"
    )
    expect(date).to_have_value("31/02/2026")
    expect(page.get_by_label("Tiêu đề")).to_have_value("Kiểm tra CCHC xã An Bình")
    expect(page.get_by_label("Đơn vị")).to_have_value(re.compile(r"\d+"))
    assert checklists_offered(page) == ["commune-one-stop"]
    shot(page, "plan-refused-date-phone")
    date.fill("15/12/2026")
    page.get_by_role("button", name="Lập kế hoạch", exact=True).click()
    expect(page.get_by_role("heading", name="Kiểm tra CCHC xã An Bình")).to_be_visible()
    expect(page.locator("main")).to_contain_text("15/12/2026")
    expect(page.locator("main")).to_contain_text("Đã lập kế hoạch")


def test_a_refused_extension_request_keeps_what_was_typed_beside_the_field(field_phone: Page) -> None:
    page = field_phone
    sign_in(page, "truong.x-myhiep")
    page.locator("li", has_text="Mới giao").first.get_by_role("link").click()
    page.get_by_label("Thời hạn mới").fill("mai")
    page.get_by_label("Lý do").fill("Chờ kinh phí sửa chữa")
    page.get_by_role("button", name="Gửi đề nghị gia hạn").click()
    field = page.get_by_label("Thời hạn mới")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-extension-requested_due_date")).to_have_text(
        re.compile("^Thời hạn mới: nhập ngày theo dạng ngày/tháng/năm")
    )
    expect(field).to_have_value("mai")
    expect(page.get_by_label("Lý do")).to_have_value("Chờ kinh phí sửa chữa")
    expect(page.locator("main")).not_to_contain_text("RFC3339")
    shot(page, "extension-refused-phone")


def test_a_period_from_after_to_comes_back_beside_its_field(field_phone: Page) -> None:
    page = field_phone
    sign_in(page, "lanhdao")
    page.goto("/dashboard")
    expect(page.locator("#totals-title")).not_to_contain_text("huyện")
    page.get_by_label("Từ ngày").fill("01/06/2026")
    page.get_by_label("Đến ngày").fill("01/03/2026")
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page.get_by_label("Từ ngày")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-period-from")).to_have_text(
        "Thời kỳ phải bắt đầu trước khi kết thúc và không sau ngày hôm nay"
    )
    expect(page.get_by_label("Từ ngày")).to_have_value("01/06/2026")
    expect(page.get_by_label("Đến ngày")).to_have_value("01/03/2026")
    page.get_by_label("Đơn vị", exact=True).select_option(label="Xã An Bình")
    page.get_by_label("Từ ngày").fill("01/01/2026")
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page.locator("#totals-title")).to_have_text("Xã An Bình")
