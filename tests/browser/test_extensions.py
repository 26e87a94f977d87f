"""A leader on a 390 px phone in Vietnamese: the extension requests waiting for a decision,
counted in the menu and listed, and a reminder sent by hand from an action's page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot, sign_in

pytestmark = pytest.mark.browser


def test_a_leader_finds_the_requests_waiting_and_reminds_a_unit(field_phone: Page) -> None:
    page = field_phone
    sign_in(page, "lanhdao")
    entry = page.get_by_role("link", name=re.compile(r"^Đề nghị gia hạn"))
    count = int(entry.locator(".badge").inner_text())
    assert count >= 1  # the demo's latest inspections have requests still waiting
    entry.click()
    expect(page.get_by_role("heading", name="Đề nghị gia hạn")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(f"{count} đề nghị")
    requests = page.locator("ul.list > li")
    expect(requests).to_have_count(count)
    expect(requests.first).to_contain_text("Cần thêm thời gian chờ kinh phí sửa chữa")
    expect(requests.first).to_contain_text(re.compile(r"Hạn đề nghị: \d{2}/\d{2}/\d{4}"))
    shot(page, "leader-extension-requests-phone")

    requests.first.get_by_role("link").click()
    expect(page.locator("#action")).to_contain_text("Đề nghị gia hạn")
    page.get_by_label("Lời nhắn cho thủ trưởng đơn vị (không bắt buộc)").fill("Đề nghị báo cáo trước thứ Sáu")
    page.get_by_role("button", name="Gửi nhắc việc ngay").click()
    history = page.locator("#action .history")
    expect(history).to_contain_text("Lãnh đạo nhắc việc")
    expect(history).to_contain_text("Đề nghị báo cáo trước thứ Sáu")
    shot(page, "leader-reminder-phone")
