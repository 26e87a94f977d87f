"""Each role's main flow through the pages (forms with CSRF, htmx where the browser uses it),
and forms tampered with by hand changing nothing they should not."""

from __future__ import annotations

import datetime as dt

import httpx

from inspection.auth.sessions import COOKIE
from inspection.clock import today
from inspection.db.tables import ActionEvent, CorrectiveAction, Evidence, Finding, Inspection, User
from inspection.settings import Settings
from tests.factories import load_mini_checklist, make_action, make_unit, make_user
from tests.web.conftest import csrf, login, plan_on_page, post_form

Client = httpx.AsyncClient
HTMX = {"HX-Request": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_unit_head_inbox_lists_the_units_actions_by_deadline_with_overdue_marked(
    client: Client, settings: Settings
) -> None:
    commune = await make_unit("X-ANBINH")
    other = await make_unit("X-BASAO")
    await make_user("unit_head", commune, username="chutich")
    await make_user("unit_head", other, username="chutich2")
    inspector = await make_user("inspector", username="thanh")
    on = today(settings)
    await make_action(commune, inspector, on + dt.timedelta(days=10), title="Niêm yết thủ tục")
    await make_action(commune, inspector, on - dt.timedelta(days=3), title="Hòm thư góp ý")
    await make_action(other, inspector, on, title="Việc của xã khác")
    await login(client, "chutich")
    page = await client.get("/actions")
    assert page.status_code == 200
    assert page.text.index("Hòm thư góp ý") < page.text.index("Niêm yết thủ tục")
    assert "quá hạn 3 ngày" in page.text
    assert "Việc của xã khác" not in page.text
    assert "Nhiệm vụ của đơn vị" in page.text  # the unit head's menu


async def test_the_inbox_kept_in_memory_shows_every_change_and_each_language(
    client: Client, settings: Settings
) -> None:
    commune = await make_unit("X-ANBINH")
    await make_user("unit_head", commune, username="chutich")
    action = await make_action(commune, await make_user("inspector"), today(settings), title="Trước")
    await login(client, "chutich")
    assert "Trước" in (await client.get("/actions")).text
    assert "Trước" in (await client.get("/actions")).text  # now kept
    # A change by another process (here a plain UPDATE) shows at once.
    await CorrectiveAction.update({CorrectiveAction.title: "Sau"}).where(CorrectiveAction.id == action.id)
    page = await client.get("/actions")
    assert "Sau" in page.text and "Trước" not in page.text
    # So does a move made through the pages themselves.
    moved = await post_form(
        client, f"/actions/{action.id}", f"/actions/{action.id}/acknowledge", {"note": ""}
    )
    assert moved.status_code in (200, 303), moved.text
    assert "Đã tiếp nhận" in (await client.get("/actions")).text
    # Each language, and each htmx piece, is a page of its own.
    switched = await post_form(client, "/actions", "/language", {"language": "en", "next": "/actions"})
    assert switched.status_code == 303
    english = await client.get("/actions")
    assert "Acknowledged" in english.text and "<html" in english.text
    piece = await client.get("/actions", headers=HTMX)
    assert "<html" not in piece.text and "Acknowledged" in piece.text


async def test_unit_head_acknowledges_reports_progress_with_evidence_asks_for_time_and_reports_fixed(
    client: Client, settings: Settings
) -> None:
    commune = await make_unit("X-ANBINH")
    await make_user("unit_head", commune, username="chutich")
    inspector = await make_user("inspector", username="thanh")
    action = await make_action(commune, inspector, today(settings) + dt.timedelta(days=5))
    await login(client, "chutich")
    url = f"/actions/{action.id}"

    done = await post_form(client, url, f"{url}/acknowledge", {"note": "Đã nhận", "version": "1"})
    assert done.status_code == 303
    page = await client.get(url)
    token = csrf(page)
    # htmx gets the action's panel back, not a whole page.
    panel = await client.post(
        f"{url}/progress", data={"note": "Đang in bảng niêm yết", "_csrf_token": token}, headers=HTMX
    )
    assert panel.status_code == 200
    assert panel.text.lstrip().startswith("<article")
    assert "Đang khắc phục" in panel.text
    uploaded = await client.post(
        f"{url}/evidence",
        data={"note": "Ảnh bảng niêm yết", "_csrf_token": token},
        files={"file": ("bang-niem-yet.png", PNG, "image/png")},
    )
    assert uploaded.status_code == 303
    asked = await client.post(
        f"{url}/extension",
        data={
            "requested_due_date": (today(settings) + dt.timedelta(days=20)).isoformat(),
            "reason": "Chờ kinh phí",
            "_csrf_token": token,
        },
    )
    assert asked.status_code == 303
    fixed = await client.post(f"{url}/report_fixed", data={"note": "Đã niêm yết", "_csrf_token": token})
    assert fixed.status_code == 303
    page = await client.get(url)
    assert "bang-niem-yet.png" in page.text
    assert "Chờ kinh phí" in page.text
    assert "Do Chutich đề nghị ngày" in page.text  # who asked for more time
    assert "Đã báo cáo kết quả" in page.text
    assert await Evidence.count().where(Evidence.action == action.id) == 1
    row = (
        await CorrectiveAction.select(CorrectiveAction.status).where(CorrectiveAction.id == action.id).first()
    )
    assert row == {"status": "reported_fixed"}


async def test_a_tampered_action_id_changes_nothing_in_another_unit(
    client: Client, settings: Settings
) -> None:
    commune = await make_unit("X-ANBINH")
    other = await make_unit("X-BASAO")
    await make_user("unit_head", commune, username="chutich")
    await make_user("unit_head", other, username="chutich2")
    inspector = await make_user("inspector", username="thanh")
    theirs = await make_action(other, inspector, today(settings) + dt.timedelta(days=5))
    await login(client, "chutich")
    assert (await client.get(f"/actions/{theirs.id}", headers={"accept": "text/html"})).status_code == 404
    response = await post_form(client, "/actions", f"/actions/{theirs.id}/acknowledge", {"note": "x"})
    assert response.status_code == 404
    assert "Không có nhiệm vụ này" in response.text
    row = (
        await CorrectiveAction.select(CorrectiveAction.status).where(CorrectiveAction.id == theirs.id).first()
    )
    assert row == {"status": "open"}


async def test_pages_a_role_may_not_use_answer_403_and_role_fields_are_ignored(client: Client) -> None:
    head = await make_user("unit_head", await make_unit("X-ANBINH"), username="chutich")
    await login(client, "chutich")
    assert (await client.get("/admin/users", headers={"accept": "text/html"})).status_code == 403
    assert (await client.get("/inspections/new", headers={"accept": "text/html"})).status_code == 403
    response = await post_form(
        client,
        "/actions",
        "/language",
        {"language": "en", "role": "admin", "unit_id": "999", "next": "/actions"},
    )
    assert response.status_code == 303
    row = await User.select(User.role, User.unit, User.language).where(User.id == head.id).first()
    assert row is not None
    assert (row["role"], row["unit"], row["language"]) == ("unit_head", head.unit, "en")
    nope = await post_form(client, "/actions", "/admin/users/new", {"username": "x", "role": "admin"})
    assert nope.status_code == 403


async def test_inspector_plans_fills_reviews_submits_and_verifies(client: Client) -> None:
    await load_mini_checklist()
    commune = await make_unit("X-ANBINH")
    await make_user("unit_head", commune, username="chutich")
    colleague = await make_user("inspector", username="lan")
    await make_user("inspector", username="thanh")
    await login(client, "thanh")
    url = await plan_on_page(client, commune.id, member_ids=[str(colleague.id)])
    inspection_id = int(url.rsplit("/", 1)[-1])
    page = await client.get(url)
    assert "<details" in page.text
    token = csrf(page)
    item = await client.post(
        f"{url}/items/A.1.1",
        data={"value": "no", "note": "Thiếu 3 thủ tục", "_csrf_token": token},
        headers=HTMX,
    )
    assert item.status_code == 200
    assert 'id="item-A.1.1"' in item.text
    assert 'id="total" class="total" role="status" hx-swap-oob="true"' in item.text
    assert "Nghiêm trọng" in item.text  # the proposed finding's severity
    number = await client.post(
        f"{url}/items/A.1.3", data={"value": "96,5", "_csrf_token": token}, headers=HTMX
    )
    assert "2 / 2" in number.text
    assert "<strong>2 / 10</strong>" in number.text
    photo = await client.post(
        f"{url}/items/A.1.1/evidence",
        data={"_csrf_token": token},
        files={"file": ("quay.png", PNG, "image/png")},
        headers=HTMX,
    )
    assert "quay.png" in photo.text

    findings = await client.get(f"{url}/findings")
    finding = (
        await Finding.select(Finding.id, Finding.version).where(Finding.inspection == inspection_id).first()
    )
    assert finding is not None
    # A deadline typed in the form is kept; emptying the field takes it away again.
    for typed, kept in (("2027-03-31", dt.date(2027, 3, 31)), ("", None)):
        edited = await client.post(
            f"{url}/findings/{finding['id']}", data={"due_date": typed, "_csrf_token": csrf(findings)}
        )
        assert edited.status_code == 303, edited.text
        row = (
            await Finding.select(Finding.due_date, Finding.version).where(Finding.id == finding["id"]).first()
        )
        assert row is not None and row["due_date"] == kept
    finding["version"] = row["version"]
    confirmed = await client.post(
        f"{url}/findings/{finding['id']}",
        data={
            "confirmed": "true",
            "severity": "critical",
            "version": str(finding["version"]),
            "_csrf_token": csrf(findings),
        },
    )
    assert confirmed.status_code == 303
    for code, value in (("A.1.2", "yes"), ("B.1.1", "4"), ("B.1.2", "Đã kiểm tra")):
        answered = await client.post(
            f"{url}/items/{code}", data={"value": value, "_csrf_token": token}, headers=HTMX
        )
        assert answered.status_code == 200, answered.text
    submitted = await post_form(
        client, f"{url}/submit", f"{url}/submit", {"conclusion": "Cơ bản đạt yêu cầu"}
    )
    assert submitted.status_code == 303, submitted.text
    actions = await client.get(submitted.headers["location"])
    # The action states the shortfall, as noted with the answer, not the item's requirement.
    assert "Thiếu 3 thủ tục — trả lời: Không" in actions.text
    assert "Niêm yết đầy đủ thủ tục hành chính" not in actions.text
    assert await Inspection.select(Inspection.status).where(Inspection.id == inspection_id).first() == {
        "status": "submitted"
    }
    action = await CorrectiveAction.select(CorrectiveAction.id, CorrectiveAction.severity).first()
    assert action is not None and action["severity"] == "critical"

    # The unit reports it fixed; the inspector sends it back, then closes it.
    await CorrectiveAction.update({CorrectiveAction.status: "reported_fixed"}).where(
        CorrectiveAction.id == action["id"]
    )
    action_url = f"/actions/{action['id']}"
    reopened = await post_form(client, action_url, f"{action_url}/reopen", {"reason": "Ảnh chưa rõ"})
    assert reopened.status_code == 303
    await CorrectiveAction.update({CorrectiveAction.status: "reported_fixed"}).where(
        CorrectiveAction.id == action["id"]
    )
    closed = await post_form(client, action_url, f"{action_url}/close", {"note": "Đã kiểm tra thực tế"})
    assert closed.status_code == 303
    page = await client.get(action_url)
    assert "Yêu cầu khắc phục lại" in page.text and "Ảnh chưa rõ" in page.text
    assert "Đã hoàn thành" in page.text


async def test_observer_sees_everything_and_can_change_nothing(client: Client, settings: Settings) -> None:
    commune = await make_unit("X-ANBINH")
    await make_user("unit_head", commune, username="chutich")
    inspector = await make_user("inspector", username="thanh")
    action = await make_action(commune, inspector, today(settings) + dt.timedelta(days=5))
    await make_user("observer", username="giamsat")
    await login(client, "giamsat")
    listed = await client.get("/actions")
    assert "· Xã X-ANBINH · Tiêu chí thành phần 1.1" in " ".join(listed.text.split())
    page = await client.get(f"/actions/{action.id}")
    assert page.status_code == 200
    assert f'action="/actions/{action.id}/' not in page.text
    response = await post_form(client, f"/actions/{action.id}", f"/actions/{action.id}/acknowledge", {})
    assert response.status_code == 403


async def test_admin_manages_units_and_users_and_a_changed_user_is_signed_out(client: Client) -> None:
    await make_user("admin", username="quantri")
    await login(client, "quantri")
    created = await post_form(
        client,
        "/admin/units/new",
        "/admin/units/new",
        {"code": "X-MYLONG", "name_vi": "Xã Mỹ Long", "kind": "commune"},
    )
    assert created.status_code == 303
    # A refusal reads in Vietnamese.
    again = await post_form(
        client,
        "/admin/units/new",
        "/admin/units/new",
        {"code": "X-MYLONG", "name_vi": "Xã khác", "kind": "commune"},
    )
    assert again.status_code == 409 and "Đã có đơn vị mang mã này" in again.text
    unit_url = created.headers["location"]
    unit_id = int(unit_url.rsplit("/", 1)[-1])
    user = await post_form(
        client,
        "/admin/users/new",
        "/admin/users/new",
        {
            "username": "truong.mylong",
            "full_name": "Võ Văn Tám",
            "role": "unit_head",
            "unit_id": str(unit_id),
            "password": "mat-khau-dai",
            "language": "vi",
        },
    )
    assert user.status_code == 303
    units = await client.get("/admin/units")
    assert "Xã Mỹ Long" in units.text and "Võ Văn Tám" in units.text

    other = httpx.AsyncClient(transport=client._transport, base_url="http://testserver.local")
    await login(other, "truong.mylong", "mat-khau-dai")
    assert (await other.get("/actions")).status_code == 200
    head = await User.select(User.id).where(User.username == "truong.mylong").first()
    assert head is not None
    deactivated = await post_form(
        client, f"/admin/users/{head['id']}", f"/admin/users/{head['id']}", {"active": "false"}
    )
    assert deactivated.status_code == 303
    assert (await other.get("/actions")).status_code == 303  # signed out: back to the login form
    assert other.cookies.get(COOKIE)
    await other.aclose()
    for page in ("/admin/checklists", "/admin/notifications", "/admin/users", unit_url):
        assert (await client.get(page)).status_code == 200, page


async def test_a_form_holding_nul_is_refused_at_its_field_and_writes_nothing(client: Client) -> None:
    """PostgreSQL cannot store U+0000: a page's form holding it was a 500 there (the API's
    bodies were already refused); now a message in Vietnamese names the field."""
    commune = await make_unit("X-ANBINH")
    await make_user("unit_head", commune, username="chutich")
    inspector = await make_user("inspector", username="thanh")
    action = await make_action(commune, inspector, dt.date(2026, 12, 31))
    await login(client, "chutich")
    page = f"/actions/{action.id}"
    response = await post_form(client, page, f"{page}/comment", {"note": "Đã\x00làm"})
    assert response.status_code == 400, response.text
    assert "không được chứa ký tự NUL" in response.text
    assert await ActionEvent.count().where(ActionEvent.kind == "comment") == 0
