"""The conclusion and the findings on the pages, in Vietnamese: the confirmation step, and
refused forms that come back with what was typed and the message beside the field."""

from __future__ import annotations

import re

import httpx

from inspection.db.tables import CorrectiveAction, Finding, Inspection
from tests.factories import load_mini_checklist, make_unit, make_user
from tests.web.conftest import csrf, login, plan_on_page

Client = httpx.AsyncClient
HTMX = {"HX-Request": "true"}


async def _inspection(client: Client) -> tuple[str, int]:
    await load_mini_checklist()
    commune = await make_unit("X-ANBINH")
    await make_user("unit_head", commune, username="chutich")
    await make_user("inspector", username="thanh")
    await login(client, "thanh")
    url = await plan_on_page(client, commune.id)
    return url, int(url.rsplit("/", 1)[-1])


async def _answer(client: Client, url: str, code: str, **fields: str) -> httpx.Response:
    page = await client.get(url)
    return await client.post(f"{url}/items/{code}", data={**fields, "_csrf_token": csrf(page)}, headers=HTMX)


def _field_marked(page: str, field_id: str, message: str) -> None:
    """The field is marked invalid, described by an element that holds ``message``."""
    tag = re.search(rf"<(?:input|textarea|select)[^>]*id=\"{re.escape(field_id)}\"[^>]*>", page)
    assert tag, f"no field {field_id}"
    assert 'aria-invalid="true"' in tag.group(0), tag.group(0)
    described = re.search(r'aria-describedby="([^"]+)"', tag.group(0))
    assert described, tag.group(0)
    said = re.search(rf'id="{described.group(1)}"[^>]*>(.*?)</', page, re.S)
    assert said and message in said.group(1), (message, said and said.group(1))


async def test_the_confirmation_step_lists_what_is_left_and_a_refused_submit_keeps_the_conclusion(
    client: Client,
) -> None:
    url, iid = await _inspection(client)
    await _answer(client, url, "A.1.1", value="no", note="Không niêm yết bảng TTHC mới")
    step = await client.get(f"{url}/submit")
    assert step.status_code == 200
    assert "Còn 4 tiêu chí thành phần chưa trả lời" in step.text
    for code in ("A.1.2", "A.1.3", "B.1.1", "B.1.2"):
        assert f"#item-{code}" in step.text
    assert "Còn 1 tồn tại, hạn chế chưa xác nhận cũng chưa bỏ" in step.text
    assert "Không niêm yết bảng TTHC mới — trả lời: Không" in step.text
    assert re.search(r"<button type=\"submit\" disabled>Xác nhận và ban hành kết luận", step.text)

    # Sent all the same (a stale page, a script): the same step again, the conclusion kept.
    refused = await client.post(
        f"{url}/submit", data={"conclusion": "Cơ bản đạt yêu cầu", "_csrf_token": csrf(step)}
    )
    assert refused.status_code == 409
    assert "Cơ bản đạt yêu cầu</textarea>" in refused.text
    assert "Còn 4 tiêu chí thành phần chưa trả lời (hãy trả lời" in refused.text
    assert "A.1.2, A.1.3, B.1.1, B.1.2" in refused.text
    row = await Inspection.select(Inspection.status).where(Inspection.id == iid).first()
    assert row == {"status": "in_progress"}

    for code, value in (("A.1.2", "yes"), ("A.1.3", "96"), ("B.1.1", "4"), ("B.1.2", "Đã kiểm tra")):
        assert (await _answer(client, url, code, value=value)).status_code == 200
    finding = await Finding.select(Finding.id, Finding.version).first()
    assert finding is not None
    findings = await client.get(f"{url}/findings")
    confirmed = await client.post(
        f"{url}/findings/{finding['id']}",
        data={"confirmed": "true", "version": str(finding["version"]), "_csrf_token": csrf(findings)},
    )
    assert confirmed.status_code == 303
    ready = await client.get(f"{url}/submit")
    assert "chưa trả lời" not in ready.text and "disabled" not in ready.text
    assert "Không niêm yết bảng TTHC mới — trả lời: Không" in ready.text  # will become an action
    issued = await client.post(f"{url}/submit", data={"conclusion": "Kết luận", "_csrf_token": csrf(ready)})
    assert issued.status_code == 303, issued.text
    assert await CorrectiveAction.count() == 1

    # The action's page shows what the item asks, the answer given and the inspector's note.
    action = await CorrectiveAction.select(CorrectiveAction.id).first()
    assert action is not None
    await login(client, "chutich")
    page = (await client.get(f"/actions/{action['id']}")).text
    assert re.search(r"Yêu cầu</dt><dd[^>]*>Niêm yết đầy đủ thủ tục hành chính", page)
    assert re.search(r"Câu trả lời</dt><dd[^>]*>Không", page)
    assert re.search(r"Ghi chú của đoàn kiểm tra</dt><dd[^>]*>Không niêm yết bảng TTHC mới", page)


async def test_refused_finding_forms_come_back_with_what_was_typed_and_the_message_at_the_field(
    client: Client,
) -> None:
    url, _ = await _inspection(client)
    await _answer(client, url, "A.1.1", value="no")
    finding = await Finding.select(Finding.id, Finding.version).first()
    assert finding is not None
    fid = finding["id"]
    findings = await client.get(f"{url}/findings")
    token = csrf(findings)

    emptied = await client.post(
        f"{url}/findings/{fid}",
        data={"title": "", "description": "Thiếu 12 thủ tục", "version": "1", "_csrf_token": token},
    )
    assert emptied.status_code == 400
    _field_marked(emptied.text, f"title-{fid}", "Nhập nội dung tồn tại, hạn chế")
    assert "Thiếu 12 thủ tục</textarea>" in emptied.text

    for typed, message in (("31/02/2027", "nhập ngày theo dạng ngày/tháng/năm"), ("01/01/2020", "quá khứ")):
        dated = await client.post(
            f"{url}/findings/{fid}", data={"due_date": typed, "version": "1", "_csrf_token": token}
        )
        assert dated.status_code == 400
        _field_marked(dated.text, f"due-{fid}", message)
        assert f'value="{typed}"' in dated.text

    unexplained = await client.post(
        f"{url}/findings/{fid}/dismiss", data={"reason": " ", "version": "1", "_csrf_token": token}
    )
    assert unexplained.status_code == 400
    _field_marked(unexplained.text, f"reason-{fid}", "Nhập lý do bỏ tồn tại, hạn chế này")
    assert '<details class="dismiss" open>' in unexplained.text

    added = await client.post(
        f"{url}/findings",
        data={"title": "Sổ theo dõi", "item_code": "Z.9", "severity": "minor", "_csrf_token": token},
    )
    assert added.status_code == 400
    _field_marked(added.text, "new-item", "Z.9")
    assert 'value="Sổ theo dõi"' in added.text

    row = await Finding.select(Finding.title, Finding.due_date, Finding.dismissed_at, Finding.version).first()
    assert row is not None and row["version"] == 1 and row["dismissed_at"] is None and row["due_date"] is None
    assert await Finding.count() == 1

    deleted = await client.post(f"{url}/findings/{fid}/delete", data={"_csrf_token": token})
    assert deleted.status_code == 409
    assert "Tồn tại, hạn chế được đề xuất thì bỏ kèm lý do, không xóa" in deleted.text

    dismissed = await client.post(
        f"{url}/findings/{fid}/dismiss",
        data={"reason": "Trùng tồn tại khác", "version": "1", "_csrf_token": token},
    )
    assert dismissed.status_code == 303
    shown = (await client.get(f"{url}/findings")).text
    assert "Đã bỏ" in shown and "Trùng tồn tại khác" in shown


async def test_not_applicable_without_a_reason_is_refused_at_the_note(client: Client) -> None:
    url, _ = await _inspection(client)
    page = await client.get(url)
    refused = await client.post(
        f"{url}/items/B.1.1", data={"value": "", "na": "1", "_csrf_token": csrf(page)}
    )
    assert refused.status_code == 400
    _field_marked(refused.text, "note-B.1.1", "Nhập lý do không áp dụng vào phần ghi chú")
    piece = await _answer(client, url, "B.1.1", na="1", note="")
    assert piece.status_code == 400
    _field_marked(piece.text, "note-B.1.1", "Nhập lý do không áp dụng vào phần ghi chú")
    saved = await _answer(client, url, "B.1.1", na="1", note="Xã chưa tổ chức khảo sát")
    assert saved.status_code == 200 and "aria-invalid" not in saved.text
