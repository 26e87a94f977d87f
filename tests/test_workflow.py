"""The workflow as officials expect it, through the JSON API: submitting the conclusion only
once every item is answered and every proposed finding decided, only confirmed findings
becoming actions, dismissals kept with their reason, findings that state the shortfall."""

from __future__ import annotations

import datetime as dt

import httpx

from inspection import clock
from inspection.db.tables import CorrectiveAction, Finding, Inspection
from tests.factories import make_scored_inspection, make_user, token_headers
from tests.test_remediation_loop import World, answer, plan, ready_to_submit

Client = httpx.AsyncClient


async def submit(client: Client, w: World, iid: int) -> httpx.Response:
    return await client.post(
        f"/api/inspections/{iid}/submit", json={"conclusion": "Kết luận"}, headers=w.inspector
    )


async def test_an_inspection_with_unanswered_items_is_not_submitted_and_says_which(
    client: Client, world: World
) -> None:
    w = world
    iid = (await plan(client, w))["id"]
    empty = await submit(client, w, iid)
    assert empty.status_code == 409, empty.text
    assert empty.json()["extra"][0]["key"] == "unanswered"
    assert "Items not answered yet, 5 in all" in empty.json()["detail"]
    assert "A.1.1, A.1.2, A.1.3, B.1.1, B.1.2" in empty.json()["detail"]

    await answer(client, w, iid, "A.1.1", "yes")
    await answer(client, w, iid, "A.1.3", 96)
    await answer(client, w, iid, "B.1.1", 4)
    await answer(client, w, iid, "B.1.2", "Đã kiểm tra")
    one_left = await submit(client, w, iid)
    assert one_left.status_code == 409
    assert "Items not answered yet, 1 in all" in one_left.json()["detail"]
    assert one_left.json()["detail"].endswith(": A.1.2")
    row = (
        await Inspection.select(Inspection.status, Inspection.submitted_at)
        .where(Inspection.id == iid)
        .first()
    )
    assert row == {"status": "in_progress", "submitted_at": None}

    # Marked not applicable, with the reason, the item counts as answered and leaves the total.
    no_reason = await client.put(
        f"/api/inspections/{iid}/answers/A.1.2", json={"not_applicable": True}, headers=w.inspector
    )
    assert no_reason.status_code == 400, no_reason.text
    assert no_reason.json()["extra"][0]["key"] == "note"
    na = await answer(client, w, iid, "A.1.2", None, not_applicable=True, note="Xã không có hòm thư")
    assert (na["points"], na["max_points"]) == (8.0, 8.0)
    check = (await client.get(f"/api/inspections/{iid}/submission", headers=w.inspector)).json()
    assert check["ready"] is True and check["unanswered"] == [] and check["findings"] == []

    issued = await submit(client, w, iid)
    assert issued.status_code == 200, issued.text
    # Nothing was found: no action, and the inspection is closed at once with its score.
    assert issued.json()["percent"] == 100.0
    assert (await client.get(f"/api/inspections/{iid}", headers=w.inspector)).json()["status"] == "closed"


async def test_only_confirmed_findings_become_actions_and_dismissals_keep_their_reason(
    client: Client, world: World
) -> None:
    w = world
    iid = (await plan(client, w))["id"]
    kept = (await answer(client, w, iid, "A.1.1", "no", note="Không niêm yết bảng TTHC mới"))["finding"]
    turned_down = (await answer(client, w, iid, "A.1.2", "partial"))["finding"]
    await ready_to_submit(client, iid, w.inspector)  # answers the rest, confirms both...
    # ...so make the second a proposal again, as if the inspector had not looked at it.
    await client.patch(f"/api/findings/{turned_down['id']}", json={"confirmed": False}, headers=w.inspector)

    refused = await submit(client, w, iid)
    assert refused.status_code == 409, refused.text
    assert refused.json()["extra"][0]["key"] == "proposed"
    assert "Proposed findings neither confirmed nor dismissed, 1 in all" in refused.json()["detail"]
    assert "A.1.2" in refused.json()["detail"]
    check = (await client.get(f"/api/inspections/{iid}/submission", headers=w.inspector)).json()
    assert [f["id"] for f in check["proposed"]] == [turned_down["id"]] and check["ready"] is False

    url = f"/api/findings/{turned_down['id']}"
    deleted = await client.delete(url, headers=w.inspector)
    assert deleted.status_code == 409, deleted.text  # a proposal is dismissed, not deleted
    blank = await client.post(f"{url}/dismiss", json={"reason": "  "}, headers=w.inspector)
    assert blank.status_code == 400 and blank.json()["extra"][0]["key"] == "reason"
    missing = await client.post(f"{url}/dismiss", json={}, headers=w.inspector)
    assert missing.status_code == 400, missing.text
    dismissed = await client.post(
        f"{url}/dismiss", json={"reason": "Đã khắc phục ngay tại buổi kiểm tra"}, headers=w.inspector
    )
    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json()["status"] == "dismissed" and dismissed.json()["dismissed_at"]

    issued = await submit(client, w, iid)
    assert issued.status_code == 200, issued.text
    actions = (await client.get(f"/api/actions?inspection_id={iid}", headers=w.head)).json()
    assert [(a["finding_id"], a["title"]) for a in actions] == [
        (kept["id"], "Không niêm yết bảng TTHC mới — trả lời: Không")
    ]
    findings = {
        f["id"]: f for f in (await client.get(f"/api/inspections/{iid}/findings", headers=w.head)).json()
    }
    assert findings[turned_down["id"]]["dismissed_reason"] == "Đã khắc phục ngay tại buổi kiểm tra"
    assert findings[turned_down["id"]]["action_id"] is None
    row = await Finding.select(Finding.dismissed_by).where(Finding.id == turned_down["id"]).first()
    assert row == {"dismissed_by": w.inspector_id}
    assert await CorrectiveAction.count() == 1


async def test_a_dismissal_is_taken_back_by_confirming_and_answers_leave_it_alone(
    client: Client, world: World
) -> None:
    w = world
    iid = (await plan(client, w))["id"]
    finding = (await answer(client, w, iid, "A.1.1", "no"))["finding"]
    url = f"/api/findings/{finding['id']}"
    await client.post(f"{url}/dismiss", json={"reason": "Trùng với tồn tại khác"}, headers=w.inspector)
    # A passing answer withdraws proposals only; the dismissal stays on record.
    await answer(client, w, iid, "A.1.1", "yes")
    await answer(client, w, iid, "A.1.1", "no")
    [kept] = (await client.get(f"/api/inspections/{iid}/findings", headers=w.inspector)).json()
    assert (kept["id"], kept["status"]) == (finding["id"], "dismissed")
    confirmed = await client.patch(url, json={"confirmed": True}, headers=w.inspector)
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["dismissed_reason"] == ""


async def test_a_findings_text_states_the_shortfall_and_follows_its_answer_until_edited(
    client: Client, world: World
) -> None:
    w = world
    iid = (await plan(client, w))["id"]
    bare = (await answer(client, w, iid, "A.1.1", "no"))["finding"]
    assert bare["title"] == "Chưa đạt: Niêm yết đầy đủ thủ tục hành chính — trả lời: Không"
    noted = (await answer(client, w, iid, "A.1.1", "no", note="Không niêm yết bảng TTHC mới\nchi tiết"))[
        "finding"
    ]
    assert noted["title"] == "Không niêm yết bảng TTHC mới — trả lời: Không"
    assert noted["description"] == "Không niêm yết bảng TTHC mới\nchi tiết"
    banded = (await answer(client, w, iid, "A.1.3", 82.5, note="Trễ hạn nhiều"))["finding"]
    assert banded["title"] == "Trễ hạn nhiều — trả lời: 82,5 %"
    # Once the inspector edits it, the text is theirs.
    await client.patch(f"/api/findings/{noted['id']}", json={"title": "Viết lại"}, headers=w.inspector)
    again = (await answer(client, w, iid, "A.1.1", "no", note="Ghi chú khác"))["finding"]
    assert again["title"] == "Viết lại"

    # An inspector reading English gets the checklist's English text where it has one.
    english = await make_user("inspector", username="john", language="en")
    headers = await token_headers(english)
    other = await client.post(
        "/api/inspections",
        json={
            "unit_id": w.commune.id,
            "checklist_code": "mini",
            "title": "Inspection",
            "planned_date": clock.now().date().isoformat(),
        },
        headers=headers,
    )
    put = await client.put(
        f"/api/inspections/{other.json()['id']}/answers/A.1.1", json={"value": "no"}, headers=headers
    )
    assert put.json()["finding"]["title"] == "Not met: All procedures posted — answer: No"


async def test_the_action_shows_the_requirement_the_answer_and_the_note(client: Client, world: World) -> None:
    w = world
    iid = (await plan(client, w))["id"]
    await answer(client, w, iid, "A.1.1", "no", note="Không niêm yết bảng TTHC mới")
    await ready_to_submit(client, iid, w.inspector)
    assert (await submit(client, w, iid)).status_code == 200
    [action] = (await client.get(f"/api/actions?inspection_id={iid}", headers=w.head)).json()
    detail = (await client.get(f"/api/actions/{action['id']}", headers=w.head)).json()
    assert detail["item_text_vi"] == "Niêm yết đầy đủ thủ tục hành chính"
    assert detail["item_text_en"] == "All procedures posted"
    assert detail["answer"]["value"] == "no" and detail["answer"]["note"] == "Không niêm yết bảng TTHC mới"


async def test_an_inspection_without_answers_never_is_a_units_latest_score(
    client: Client, world: World
) -> None:
    """Submitted before the rule (or written by hand): the unit's score is the inspection
    before it that had answers."""
    w = world
    inspector = await make_user("inspector")
    now = clock.now()
    await make_scored_inspection(
        w.commune, inspector, now.replace(microsecond=0) - dt.timedelta(days=3), {"A.1.1": 2.0, "A.1.2": 1.0}
    )
    await make_scored_inspection(w.commune, inspector, now - dt.timedelta(days=1), {})
    board = (await client.get("/api/dashboard", headers=w.leader)).json()
    [row] = [r for r in board["units"] if r["unit_id"] == w.commune.id]
    assert row["figures"]["latest_score"]["value"] == 75.0
