"""One assignment e-mail per conclusion, seen end to end: an inspector on a 390 px phone in
Vietnamese confirms three findings and issues the conclusion through the pages; a queue
worker then sends what is due, as it would beside the server, to a real SMTP server; the
unit's head receives one e-mail listing the three actions, each with its deadline."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Served, shot, sign_in
from tests.browser.test_conclusion import answer_the_rest_through_the_api, inspection_url
from tests.browser.test_field import item, plan
from tests.queue.conftest import smtp_server

pytestmark = pytest.mark.browser

FAILING = ("A1", "A2", "A3")
HEAD = "truong.x-phongmy@caolanh.example.vn"  # the demo's head of Xã Phong Mỹ


def test_the_unit_head_gets_one_email_listing_the_actions_of_the_conclusion(
    field_phone: Page, served: Served
) -> None:
    page = field_phone
    with smtp_server() as inbox:
        # What the demo data left due goes out first, so what follows is the conclusion's alone.
        served.send_due_notices(inbox.port)  # type: ignore[attr-defined]
        inbox.messages.clear()

        sign_in(page, "kiemtra")
        plan(page, "Kiểm tra giao nhiệm vụ", unit="Xã Phong Mỹ")
        url = inspection_url(page)
        for code in FAILING:
            item(page, code).get_by_label("Không", exact=True).check()
            expect(item(page, code).locator(".finding-link")).to_contain_text("Đề xuất")
        for code in ("A4", "A5"):
            item(page, code).get_by_label("Có", exact=True).check()
            expect(item(page, code).locator(".points")).not_to_contain_text("–")
        answer_the_rest_through_the_api(page, url)

        page.get_by_role("link", name="Xem lại tồn tại, hạn chế").click()
        for code in FAILING:
            page.locator(f'.finding[data-item="{code}"]').get_by_role(
                "button", name="Xác nhận", exact=True
            ).click()
            expect(page.locator(f'.finding[data-item="{code}"]').get_by_text("Đã xác nhận")).to_be_visible()
        page.get_by_role("link", name="Ban hành kết luận…").click()
        expect(page.locator("#will-become li")).to_have_count(3)
        page.get_by_label("Kết luận").fill("Còn tồn tại về niêm yết và tiếp nhận hồ sơ")
        page.get_by_role("button", name="Xác nhận và ban hành kết luận").click()
        inspection_id = url.rsplit("/", 1)[-1]
        page.wait_for_url(re.compile(rf"/actions\?inspection_id={inspection_id}&"))
        expect(page.locator("ul.list > li")).to_have_count(3)
        shot(page, "conclusion-issued-phone")
        actions = page.request.get(f"/api/actions?inspection_id={inspection_id}").json()
        assert sorted(a["item_code"] for a in actions) == list(FAILING)

        served.send_due_notices(inbox.port)  # type: ignore[attr-defined]

    [message] = inbox.messages  # one e-mail, not one per action, and nothing else was due
    assert str(message["To"].addresses[0].addr_spec) == HEAD
    assert str(message["Subject"]) == "[Giao nhiệm vụ khắc phục] Xã Phong Mỹ · 3 nhiệm vụ khắc phục"
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "đơn vị Xã Phong Mỹ đã được giao 3 nhiệm vụ" in text
    listed = [line.strip() for line in text.splitlines() if line.strip().startswith("- Xã Phong Mỹ · ")]
    assert len(listed) == 3
    for action in actions:
        due = dt.date.fromisoformat(action["due_date"])
        [line] = [line for line in listed if f" · {action['item_code']} " in line]
        assert f"{action['title']} (hạn {due:%d/%m/%Y})" in line, line
        assert re.search(rf"/actions/{action['id']}$", line), line
