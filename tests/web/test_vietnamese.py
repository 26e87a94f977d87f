"""Vietnamese done right: words of their own for an inspection's states, numbers and days as
Vietnamese write them (and dates typed so), messages in Vietnamese naming the field, forms
that come back as typed when refused, and only the checklists meant for a unit's kind."""

from __future__ import annotations

import datetime as dt
import re

import httpx

from inspection.clock import today
from inspection.db.tables import ExtensionRequest, Inspection, Unit
from inspection.mail.render import render
from inspection.settings import Settings
from inspection.web.forms import parse_day
from inspection.web.i18n import show_number, show_size
from tests.factories import load_mini_checklist, make_action, make_unit, make_user, token_headers
from tests.web.conftest import login, plan_on_page, post_form

Client = httpx.AsyncClient
HTMX = {"HX-Request": "true"}


def field_error(page: str, field_id: str) -> str:
    """The message the field ``field_id`` is described by; fails if it is not marked invalid."""
    tag = re.search(rf'<(?:input|textarea|select)[^>]*\bid="{re.escape(field_id)}"[^>]*>', page)
    assert tag, f"no field {field_id}"
    assert 'aria-invalid="true"' in tag[0], tag[0]
    described = re.search(r'aria-describedby="([^"]+)"', tag[0])
    assert described, tag[0]
    message = re.search(
        rf'<(p|div) class="field-error" id="{described[1]}" role="alert">(.*?)</\1>', page, re.S
    )
    assert message, f"no message {described[1]}"
    return " ".join(re.sub(r"<[^>]+>", " ", message[2]).split())


def test_numbers_and_sizes_as_each_language_writes_them() -> None:
    assert show_number(32.5, "vi") == "32,5"
    assert show_number(81.4166, "vi") == "81,42"
    assert show_number(1234, "vi") == "1.234"
    assert show_number(32.5, "en") == "32.5"
    assert show_number(2.0, "vi") == "2"
    assert show_size(4403, "vi") == "4,3 KB"
    assert show_size(3 * 1024 * 1024 + 200_000, "vi") == "3,2 MB"
    assert show_size(512, "vi") == "512 B"


def test_an_e_mail_counts_as_the_pages_do() -> None:
    context = {"recipient_name": "Lê Văn Hùng", "total": 1234, "groups": [], "week": "2026-W49"}
    context |= {"since": "01/12/2026", "newly_overdue": 3, "closed": 2}
    vietnamese = render("digest", "vi", context)
    assert "1.234 nhiệm vụ quá hạn" in vietnamese.subject
    assert "1,234 overdue" in render("digest", "en", context).subject


def test_a_day_is_typed_day_first_or_iso() -> None:
    assert parse_day("05/03/2026") == dt.date(2026, 3, 5)
    assert parse_day("5/3/2026") == dt.date(2026, 3, 5)
    assert parse_day("2026-03-05") == dt.date(2026, 3, 5)
    assert parse_day("31/02/2026") is None
    assert parse_day("03-05-2026") is None
    assert parse_day("mai") is None


async def test_an_inspection_in_progress_reads_as_being_inspected_and_points_with_a_decimal_comma(
    client: Client,
) -> None:
    await load_mini_checklist()
    commune = await make_unit("X-ANBINH")
    await make_user("inspector", username="thanh")
    await login(client, "thanh")
    url = await plan_on_page(client, commune.id)
    listed = await client.get("/inspections")
    assert "Đã lập kế hoạch" in listed.text
    scored = await post_form(client, url, f"{url}/items/B.1.1", {"value": "2,5", "note": ""}, headers=HTMX)
    assert scored.status_code == 200, scored.text
    assert "<strong>2,5 / 10</strong>" in scored.text
    assert "(25 %)" in scored.text
    assert 'value="2,5"' in scored.text  # the field shows what the inspector would type
    listed = await client.get("/inspections")
    assert "Đang kiểm tra" in listed.text
    assert "Đang khắc phục" not in listed.text  # an action's state, not an inspection's
    assert "2,5 / 10 (25 %)" in listed.text
    page = await client.get(url)
    assert "Đang kiểm tra" in page.text


async def test_a_note_without_an_answer_is_refused_beside_the_answer_and_kept(client: Client) -> None:
    await load_mini_checklist()
    commune = await make_unit("X-ANBINH")
    await make_user("inspector", username="thanh")
    await login(client, "thanh")
    url = await plan_on_page(client, commune.id)
    refused = await post_form(client, url, f"{url}/items/A.1.1", {"value": "", "note": "Thiếu bảng niêm yết"})
    assert refused.status_code == 400
    assert field_error(refused.text, "value-A.1.1-yes").startswith(
        "Tiêu chí thành phần A.1.1: hãy chọn trả lời"
    )
    assert "Thiếu bảng niêm yết</textarea>" in refused.text  # the note is kept in the form
    # Through htmx, the item alone comes back the same way.
    piece = await post_form(client, url, f"{url}/items/A.1.1", {"value": "", "note": "Thiếu"}, headers=HTMX)
    assert piece.status_code == 400 and "hãy chọn trả lời cho ghi chú" in piece.text
    # An item the checklist does not have: the page, with the message on top, in Vietnamese.
    unknown = await post_form(client, url, f"{url}/items/Z.9", {"value": "yes", "note": ""})
    assert unknown.status_code == 404
    assert "Bộ tiêu chí mini phiên bản 1 không có tiêu chí thành phần Z.9" in unknown.text


async def test_the_plan_form_takes_a_day_as_dd_mm_yyyy_and_keeps_what_was_typed_when_refused(
    client: Client,
) -> None:
    await load_mini_checklist()
    commune = await make_unit("X-ANBINH")
    await make_user("inspector", username="thanh")
    await login(client, "thanh")
    form = {"unit_id": str(commune.id), "checklist_code": "mini", "title": "Kiểm tra xã An Bình"}
    refused = await post_form(
        client, "/inspections/new", "/inspections/", {**form, "planned_date": "31/02/2026"}
    )
    assert refused.status_code == 400
    assert field_error(refused.text, "planned_date") == (
        "Ngày: nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/03/2026"
    )
    assert 'value="31/02/2026"' in refused.text and 'value="Kiểm tra xã An Bình"' in refused.text
    assert "RFC3339" not in refused.text and "Invalid" not in refused.text
    planned = await post_form(
        client, "/inspections/new", "/inspections/", {**form, "planned_date": "20/11/2026"}
    )
    assert planned.status_code == 303, planned.text
    row = await Inspection.select(Inspection.planned_date).first()
    assert row == {"planned_date": dt.date(2026, 11, 20)}
    shown = await client.get(planned.headers["location"])
    assert "20/11/2026" in shown.text


async def test_the_plan_form_offers_only_the_checklists_meant_for_the_units_kind(client: Client) -> None:
    await load_mini_checklist()  # applies to communes only
    commune = await make_unit("X-ANBINH", kind="commune")
    office = await make_unit("P-NOIVU", kind="department")
    await make_user("inspector", username="thanh")
    await login(client, "thanh")
    for_commune = await client.get(f"/inspections/new?unit_id={commune.id}")
    assert 'value="mini"' in for_commune.text
    for_office = await client.get(
        f"/inspections/new?unit_id={office.id}&title=Ph%C3%B2ng+N%E1%BB%99i+v%E1%BB%A5"
    )
    assert 'value="mini"' not in for_office.text
    assert "Chưa có bộ tiêu chí nào áp dụng cho loại đơn vị này (Phòng, ban)" in for_office.text
    assert 'value="Phòng Nội vụ"' in for_office.text  # what was typed came along
    # Without script, the button asks the same address; htmx asks for the choice alone.
    assert 'formaction="/inspections/new"' in for_office.text
    piece = await client.get(f"/inspections/new?unit_id={commune.id}", headers=HTMX)
    assert piece.text.lstrip().startswith('<div id="checklist-choice">') and 'value="mini"' in piece.text
    # A hand-made post is refused beside the checklist, in Vietnamese.
    refused = await post_form(
        client,
        "/inspections/new",
        "/inspections/",
        {"unit_id": str(office.id), "checklist_code": "mini", "title": "T", "planned_date": "20/11/2026"},
    )
    assert refused.status_code == 400
    assert "Bộ tiêu chí này (mini) không áp dụng cho loại đơn vị “Phòng, ban”" in refused.text
    assert await Inspection.count() == 0


async def test_the_extension_form_comes_back_as_typed_with_the_message_at_the_field(
    client: Client, settings: Settings
) -> None:
    commune = await make_unit("X-ANBINH")
    await make_user("unit_head", commune, username="chutich")
    due = today(settings) + dt.timedelta(days=5)
    action = await make_action(commune, await make_user("inspector"), due)
    await login(client, "chutich")
    url = f"/actions/{action.id}"
    reason = "Chờ kinh phí sửa chữa"
    for headers in ({}, HTMX):
        refused = await post_form(
            client, url, f"{url}/extension", {"requested_due_date": "mai", "reason": reason}, headers=headers
        )
        assert refused.status_code == 400
        assert field_error(refused.text, "ext-date").startswith(
            "Thời hạn mới: nhập ngày theo dạng ngày/tháng/năm"
        )
        assert 'value="mai"' in refused.text and f">{reason}</textarea>" in refused.text
        assert "RFC3339" not in refused.text and "$." not in refused.text
    # A day before the deadline: the deadline named as Vietnamese write it.
    early = await post_form(
        client, url, f"{url}/extension", {"requested_due_date": due.strftime("%d/%m/%Y"), "reason": reason}
    )
    assert early.status_code == 400
    assert field_error(early.text, "ext-date") == (
        f"Thời hạn đề nghị phải sau thời hạn hiện tại ({due.strftime('%d/%m/%Y')})"
    )
    wanted = due + dt.timedelta(days=20)
    sent = await post_form(
        client, url, f"{url}/extension", {"requested_due_date": wanted.strftime("%d/%m/%Y"), "reason": reason}
    )
    assert sent.status_code == 303, sent.text
    assert await ExtensionRequest.select(ExtensionRequest.requested_due_date).first() == {
        "requested_due_date": wanted
    }


async def test_the_api_keeps_iso_dates_and_names_the_field(client: Client, settings: Settings) -> None:
    commune = await make_unit("X-ANBINH")
    head = await make_user("unit_head", commune, username="chutich")
    action = await make_action(commune, await make_user("inspector"), today(settings) + dt.timedelta(days=5))
    headers = await token_headers(head)
    refused = await client.post(
        f"/api/actions/{action.id}/extension-requests",
        json={"requested_due_date": "20/12/2026", "reason": "x"},
        headers=headers,
    )
    assert refused.status_code == 400
    assert "requested_due_date" in refused.text


async def test_a_refused_period_comes_back_as_typed_beside_its_field(
    client: Client, settings: Settings
) -> None:
    await make_unit("X-ANBINH")
    await make_user("leader", username="lanhdao")
    await login(client, "lanhdao")
    page = await client.get("/dashboard?from=01/06/2026&to=01/03/2026")
    assert page.status_code == 400
    assert (
        field_error(page.text, "from") == "Thời kỳ phải bắt đầu trước khi kết thúc và không sau ngày hôm nay"
    )
    assert 'value="01/06/2026"' in page.text and 'value="01/03/2026"' in page.text
    wrong = await client.get("/dashboard?from=2026-13-01")
    assert wrong.status_code == 400
    assert field_error(wrong.text, "from").startswith("Từ ngày: nhập ngày theo dạng ngày/tháng/năm")
    fine = await client.get("/dashboard?from=01/03/2026&to=01/06/2026")
    assert fine.status_code == 200
    assert 'value="01/03/2026"' in fine.text


async def test_the_dashboard_names_its_scope(client: Client) -> None:
    commune = await make_unit("X-ANBINH", name_vi="Xã An Bình")
    await make_unit("P-NOIVU", kind="department", name_vi="Phòng Nội vụ")
    await make_user("leader", username="lanhdao")
    await make_user("unit_head", commune, username="chutich")
    await login(client, "lanhdao")
    heading = re.compile(r'<h2 id="totals-title">(.*?)</h2>')
    whole = await client.get("/dashboard")
    assert heading.findall(whole.text) == ["Tất cả đơn vị"]
    assert "huyện" not in whole.text.lower()
    one = await client.get(f"/dashboard?unit_id={commune.id}")
    assert heading.findall(one.text) == ["Xã An Bình"]
    kind = await client.get("/dashboard?unit_kind=department")
    assert heading.findall(kind.text) == ["Tất cả đơn vị loại “Phòng, ban”"]
    # A unit head's dashboard is their unit's.
    unit = await Unit.select(Unit.name_vi).where(Unit.id == commune.id).first()
    assert unit is not None
    await client.post("/logout", data={"_csrf_token": ""})
    client.cookies.clear()
    await login(client, "chutich")
    own = await client.get("/dashboard")
    assert heading.findall(own.text) == [unit["name_vi"]]
