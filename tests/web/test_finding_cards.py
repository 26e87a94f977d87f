"""A finding's forms through htmx (as the page's queue sends them): the card alone comes back,
saved or refused; a change made against an older version shows what is saved now beside
what was typed, and saves nothing until the inspector chooses."""

from __future__ import annotations

import re

import httpx

from inspection.db.tables import Finding
from tests.web.conftest import csrf
from tests.web.test_workflow_pages import HTMX, _answer, _field_marked, _inspection

Client = httpx.AsyncClient


async def test_a_finding_form_sent_through_htmx_gets_its_card_back(client: Client) -> None:
    url, _ = await _inspection(client)
    await _answer(client, url, "A.1.1", value="no", note="Không niêm yết bảng TTHC mới")
    finding = await Finding.select(Finding.id).first()
    assert finding is not None
    fid = finding["id"]
    token = csrf(await client.get(f"{url}/findings"))

    confirmed = await client.post(
        f"{url}/findings/{fid}",
        data={"confirmed": "true", "version": "1", "due_date": "", "_csrf_token": token},
        headers=HTMX,
    )
    assert confirmed.status_code == 200
    assert confirmed.text.lstrip().startswith(f'<section class="card finding" id="finding-{fid}"')
    assert (
        "Đã xác nhận" in confirmed.text and '<input type="hidden" name="version" value="2">' in confirmed.text
    )

    refused = await client.post(
        f"{url}/findings/{fid}",
        data={"due_date": "31/02/2027", "version": "2", "_csrf_token": token},
        headers=HTMX,
    )
    assert refused.status_code == 400
    _field_marked(refused.text, f"due-{fid}", "nhập ngày theo dạng ngày/tháng/năm")
    assert 'value="31/02/2027"' in refused.text


async def test_a_change_made_on_an_older_version_shows_both_and_saves_nothing(client: Client) -> None:
    url, _ = await _inspection(client)
    await _answer(client, url, "A.1.1", value="no", note="Không niêm yết bảng TTHC mới")
    finding = await Finding.select(Finding.id).first()
    assert finding is not None
    fid = finding["id"]
    token = csrf(await client.get(f"{url}/findings"))
    # A colleague confirms it first; this phone then sends the dismissal it kept, on version 1.
    await client.post(
        f"{url}/findings/{fid}", data={"confirmed": "true", "version": "1", "_csrf_token": token}
    )
    late = await client.post(
        f"{url}/findings/{fid}/dismiss",
        data={"reason": "Đơn vị đã khắc phục ngay", "version": "1", "_csrf_token": token},
        headers=HTMX,
    )
    assert late.status_code == 409
    alert = re.search(
        r'<div class="field-error" id="error-dismiss-\d+" role="alert">(.*?)</div>', late.text, re.S
    )
    assert alert, late.text
    said = " ".join(re.sub(r"<[^>]+>", " ", alert[1]).split())
    assert "Người khác đã sửa tồn tại, hạn chế này sau khi bạn thay đổi." in said
    assert "Đang lưu trên hệ thống: Đã xác nhận Không niêm yết bảng TTHC mới — trả lời: Không" in said
    assert "Của bạn, chưa lưu: Bỏ: Đơn vị đã khắc phục ngay" in said
    assert "Đơn vị đã khắc phục ngay</textarea>" in late.text  # what was typed stays in its form
    assert f'form="dismiss-{fid}-form"' in late.text  # "save mine" sends it, now on version 2
    assert late.text.count('<input type="hidden" name="version" value="2">') == 2
    row = await Finding.select(Finding.proposed, Finding.dismissed_at, Finding.version).first()
    assert row == {"proposed": False, "dismissed_at": None, "version": 2}

    mine = await client.post(
        f"{url}/findings/{fid}/dismiss",
        data={"reason": "Đơn vị đã khắc phục ngay", "version": "2", "_csrf_token": token},
        headers=HTMX,
    )
    assert mine.status_code == 200 and "Đã bỏ" in mine.text


async def test_a_change_to_a_finding_of_a_submitted_inspection_is_said_in_the_message_area(
    client: Client,
) -> None:
    url, _ = await _inspection(client)
    await _answer(client, url, "A.1.1", value="no")
    for code, value in (("A.1.2", "yes"), ("A.1.3", "96"), ("B.1.1", "4"), ("B.1.2", "Đã kiểm tra")):
        assert (await _answer(client, url, code, value=value)).status_code == 200
    finding = await Finding.select(Finding.id).first()
    assert finding is not None
    fid = finding["id"]
    token = csrf(await client.get(f"{url}/findings"))
    await client.post(
        f"{url}/findings/{fid}", data={"confirmed": "true", "version": "1", "_csrf_token": token}
    )
    issued = await client.post(f"{url}/submit", data={"conclusion": "Kết luận", "_csrf_token": token})
    assert issued.status_code == 303
    # A phone sends an edit it kept: the card has no form left to say it in.
    late = await client.post(
        f"{url}/findings/{fid}",
        data={"severity": "major", "version": "2", "_csrf_token": token},
        headers=HTMX,
    )
    assert late.status_code == 409
    assert late.headers["HX-Retarget"] == "#messages"
    assert "không thể thay đổi nữa" in late.text
