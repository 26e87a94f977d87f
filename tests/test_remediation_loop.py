"""The remediation loop through the JSON API, as the inspection team, unit heads and leaders use it."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest

from inspection.db.tables import ActionEvent, CorrectiveAction, Finding, Inspection
from tests.factories import load_mini_checklist, make_unit, make_user, token_headers

Client = httpx.AsyncClient


class World:
    """A commune, its head, a neighbouring commune and head, the team, a leader, an observer."""

    commune: Any
    other: Any
    inspector: dict[str, str]
    colleague: dict[str, str]
    outsider_inspector: dict[str, str]
    head: dict[str, str]
    other_head: dict[str, str]
    leader: dict[str, str]
    observer: dict[str, str]
    head_id: int
    inspector_id: int
    colleague_id: int


@pytest.fixture
async def world(client: Client) -> World:
    await load_mini_checklist()
    w = World()
    w.commune = await make_unit("X-ANBINH")
    w.other = await make_unit("X-BASAO")
    inspector = await make_user("inspector", username="thanh.nv")
    colleague = await make_user("inspector", username="lan.tt")
    outsider = await make_user("inspector", username="hung.pv")
    head = await make_user("unit_head", w.commune, username="chutich.anbinh")
    other_head = await make_user("unit_head", w.other, username="chutich.basao")
    w.inspector = await token_headers(inspector)
    w.colleague = await token_headers(colleague)
    w.outsider_inspector = await token_headers(outsider)
    w.head = await token_headers(head)
    w.other_head = await token_headers(other_head)
    w.leader = await token_headers(await make_user("leader", username="pct.huyen"))
    w.observer = await token_headers(await make_user("observer", username="hdnd"))
    w.head_id, w.inspector_id, w.colleague_id = head.id, inspector.id, colleague.id
    return w


async def plan(client: Client, w: World) -> dict[str, Any]:
    response = await client.post(
        "/api/inspections",
        json={
            "unit_id": w.commune.id,
            "checklist_code": "mini",
            "title": "Kiểm tra CCHC xã An Bình",
            "planned_date": "2026-11-20",
            "member_ids": [w.colleague_id],
        },
        headers=w.inspector,
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def answer(client: Client, w: World, inspection_id: int, item: str, value: Any, **extra: Any) -> Any:
    response = await client.put(
        f"/api/inspections/{inspection_id}/answers/{item}",
        json={"value": value, **extra},
        headers=w.inspector,
    )
    assert response.status_code == 200, response.text
    return response.json()


# A passing answer to each item of the mini checklist.
PASSING: dict[str, Any] = {"A.1.1": "yes", "A.1.2": "yes", "A.1.3": 95, "B.1.1": 4, "B.1.2": "Đã kiểm tra"}


async def ready_to_submit(client: Client, inspection_id: int, headers: dict[str, str] | None = None) -> None:
    """What an inspector does before the conclusion, as the confirmation step lists it:
    the items left answered (passing), the proposed findings confirmed."""
    check = await client.get(f"/api/inspections/{inspection_id}/submission", headers=headers)
    assert check.status_code == 200, check.text
    for item in check.json()["unanswered"]:
        code = item["item_code"]
        response = await client.put(
            f"/api/inspections/{inspection_id}/answers/{code}", json={"value": PASSING[code]}, headers=headers
        )
        assert response.status_code == 200, response.text
    for finding in check.json()["proposed"]:
        response = await client.patch(
            f"/api/findings/{finding['id']}", json={"confirmed": True}, headers=headers
        )
        assert response.status_code == 200, response.text


async def submitted_inspection(client: Client, w: World) -> tuple[int, list[dict[str, Any]]]:
    inspection = await plan(client, w)
    await answer(client, w, inspection["id"], "A.1.1", "no", note="Thiếu 12 thủ tục")
    await answer(client, w, inspection["id"], "A.1.3", 85)
    await ready_to_submit(client, inspection["id"], w.inspector)
    response = await client.post(
        f"/api/inspections/{inspection['id']}/submit",
        json={"conclusion": "Thông báo kết luận"},
        headers=w.inspector,
    )
    assert response.status_code == 200, response.text
    actions = await client.get(f"/api/actions?inspection_id={inspection['id']}", headers=w.inspector)
    return inspection["id"], actions.json()


async def test_inspection_is_scored_per_item_criterion_section_and_total(
    client: Client, world: World
) -> None:
    w = world
    inspection = await plan(client, w)
    assert inspection["status"] == "planned"
    assert inspection["checklist_code"] == "mini" and inspection["checklist_version"] == 1

    first = await answer(client, w, inspection["id"], "A.1.1", "yes")
    assert first["answer"]["points"] == 2.0 and first["answer"]["passed"] is True
    assert first["finding"] is None
    assert (first["points"], first["max_points"]) == (2.0, 10.0)
    partial = await answer(client, w, inspection["id"], "A.1.2", "partial")
    assert partial["answer"]["points"] == 1.0 and partial["answer"]["passed"] is False
    assert partial["finding"]["severity"] == "minor" and partial["finding"]["proposed"] is True
    banded = await answer(client, w, inspection["id"], "A.1.3", 90)
    assert banded["answer"]["points"] == 1.0
    na = await answer(
        client, w, inspection["id"], "B.1.1", None, not_applicable=True, note="Xã chưa tổ chức khảo sát"
    )
    assert na["answer"]["points"] is None
    assert (na["points"], na["max_points"]) == (4.0, 6.0)

    score = (await client.get(f"/api/inspections/{inspection['id']}/score", headers=w.head)).json()
    assert score["points"] == 4.0 and score["max_points"] == 6.0
    sections = score["sections"]
    assert (sections["A"]["points"], sections["A"]["max_points"]) == (4.0, 6.0)
    assert sections["B"]["max_points"] == 0.0

    # Correcting an answer withdraws the finding it had proposed.
    fixed = await answer(client, w, inspection["id"], "A.1.2", "yes")
    assert fixed["finding"] is None and fixed["points"] == 5.0
    findings = (await client.get(f"/api/inspections/{inspection['id']}/findings", headers=w.inspector)).json()
    assert [f["item_code"] for f in findings] == ["A.1.3"]
    assert findings[0]["severity"] == "critical"


async def test_only_the_team_answers_an_inspection_once_started(client: Client, world: World) -> None:
    w = world
    inspection = await plan(client, w)
    iid = inspection["id"]
    await answer(client, w, iid, "A.1.1", "yes")
    refused = await client.put(
        f"/api/inspections/{iid}/answers/A.1.1", json={"value": "no"}, headers=w.outsider_inspector
    )
    assert refused.status_code == 403, refused.text
    gone = await client.put(
        "/api/inspections/999999/answers/A.1.1", json={"value": "no"}, headers=w.inspector
    )
    assert gone.status_code == 404, gone.text
    answers = (await client.get(f"/api/inspections/{iid}/answers", headers=w.inspector)).json()
    assert [(a["item_code"], a["value"]) for a in answers] == [("A.1.1", "yes")]
    assert await Finding.count() == 0


async def test_a_findings_own_deadline_is_set_kept_and_cleared(client: Client, world: World) -> None:
    w = world
    inspection = await plan(client, w)
    proposed = (await answer(client, w, inspection["id"], "A.1.2", "no"))["finding"]
    url = f"/api/findings/{proposed['id']}"

    async def patch(body: dict[str, Any]) -> Any:
        response = await client.patch(url, json=body, headers=w.inspector)
        assert response.status_code == 200, response.text
        return response.json()

    assert (await patch({"due_date": "2027-03-31"}))["due_date"] == "2027-03-31"
    assert (await patch({"title": "Niêm yết chưa đủ"}))["due_date"] == "2027-03-31"  # left out: kept
    # null: no deadline of its own any more; the severity's will apply at the conclusion.
    assert (await patch({"due_date": None}))["due_date"] is None


async def test_the_whole_loop_from_plan_to_closure(client: Client, world: World) -> None:
    w = world
    inspection = await plan(client, w)
    iid = inspection["id"]
    failing = await answer(client, w, iid, "A.1.1", "no", note="Thiếu 12 thủ tục")
    assert failing["finding"]["severity"] == "major"
    own = await client.post(
        f"/api/inspections/{iid}/findings",
        json={"title": "Sổ theo dõi hồ sơ ghi chưa đầy đủ", "severity": "minor", "due_date": "2027-01-31"},
        headers=w.colleague,
    )
    assert own.status_code == 201, own.text
    edited = await client.patch(
        f"/api/findings/{failing['finding']['id']}",
        json={"description": "Niêm yết thiếu 12 TTHC lĩnh vực đất đai", "confirmed": True},
        headers=w.inspector,
    )
    assert edited.status_code == 200 and edited.json()["proposed"] is False
    await ready_to_submit(client, iid, w.inspector)

    submitted = await client.post(
        f"/api/inspections/{iid}/submit", json={"conclusion": "Kết luận"}, headers=w.inspector
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    too_late = await client.put(
        f"/api/inspections/{iid}/answers/A.1.2", json={"value": "yes"}, headers=w.inspector
    )
    assert too_late.status_code == 409

    inbox = (await client.get("/api/actions?mine=true", headers=w.head)).json()
    assert len(inbox) == 2
    by_title = {a["title"]: a for a in inbox}
    # The finding states the shortfall (the inspector's note and the answer), not the requirement.
    major = by_title["Thiếu 12 thủ tục — trả lời: Không"]
    assert major["assignee_id"] == w.head_id and major["status"] == "open"
    conclusion_day = dt.date.fromisoformat(major["created_at"][:10])
    assert dt.date.fromisoformat(major["due_date"]) - conclusion_day in (
        dt.timedelta(days=15),
        dt.timedelta(days=16),
    )
    assert by_title["Sổ theo dõi hồ sơ ghi chưa đầy đủ"]["due_date"] == "2027-01-31"
    assert major["overdue"] is False

    aid = major["id"]
    # Out of order: the unit cannot report it fixed before acknowledging... but can after.
    early = await client.post(f"/api/actions/{aid}/close", json={}, headers=w.inspector)
    assert early.status_code == 409 and "reported_fixed" in early.json()["detail"]
    assert (await client.post(f"/api/actions/{aid}/acknowledge", json={}, headers=w.head)).json()[
        "status"
    ] == "acknowledged"
    progress = await client.post(
        f"/api/actions/{aid}/progress", json={"note": "Đã rà soát danh mục"}, headers=w.head
    )
    assert progress.json()["status"] == "in_progress"
    photo = await client.post(
        f"/api/actions/{aid}/evidence",
        files={"file": ("niem-yet.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png")},
        data={"note": "Ảnh bảng niêm yết mới"},
        headers=w.head,
    )
    assert photo.status_code == 201, photo.text
    assert photo.json()["size"] == 108 and len(photo.json()["sha256"]) == 64
    download = await client.get(f"/api/evidence/{photo.json()['id']}", headers=w.leader)
    assert download.status_code == 200 and download.content.startswith(b"\x89PNG")

    new_due = (dt.date.fromisoformat(major["due_date"]) + dt.timedelta(days=10)).isoformat()
    ask = await client.post(
        f"/api/actions/{aid}/extension-requests",
        json={"requested_due_date": new_due, "reason": "Chờ in bảng niêm yết"},
        headers=w.head,
    )
    assert ask.status_code == 201, ask.text
    not_mine = await client.post(
        f"/api/extension-requests/{ask.json()['id']}/decision", json={"approve": True}, headers=w.head
    )
    assert not_mine.status_code == 403
    decided = await client.post(
        f"/api/extension-requests/{ask.json()['id']}/decision",
        json={"approve": True, "note": "Đồng ý"},
        headers=w.leader,
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert (await client.get(f"/api/actions/{aid}", headers=w.head)).json()["action"]["due_date"] == new_due

    fixed = await client.post(
        f"/api/actions/{aid}/report-fixed", json={"note": "Đã niêm yết đủ"}, headers=w.head
    )
    assert fixed.json()["status"] == "reported_fixed"
    reopened = await client.post(
        f"/api/actions/{aid}/reopen", json={"reason": "Còn thiếu 2 thủ tục"}, headers=w.inspector
    )
    assert reopened.json()["status"] == "in_progress" and reopened.json()["reopen_count"] == 1
    await client.post(f"/api/actions/{aid}/report-fixed", json={"note": "Đã bổ sung"}, headers=w.head)
    closed = await client.post(f"/api/actions/{aid}/close", json={"note": "Đạt"}, headers=w.colleague)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"

    detail = (await client.get(f"/api/actions/{aid}", headers=w.observer)).json()
    kinds = [e["kind"] for e in detail["events"]]
    assert kinds == [
        "created",
        "acknowledge",
        "progress",
        "evidence",
        "extension_requested",
        "extension_decided",
        "report_fixed",
        "reopen",
        "report_fixed",
        "close",
    ]
    assert all(e["at"] for e in detail["events"])
    assert detail["events"][7]["note"] == "Còn thiếu 2 thủ tục" and detail["events"][7]["actor_name"]
    assert len(detail["evidence"]) == 1

    # The inspection closes when its last action does.
    other = by_title["Sổ theo dõi hồ sơ ghi chưa đầy đủ"]["id"]
    assert (await client.get(f"/api/inspections/{iid}", headers=w.leader)).json()["status"] == "submitted"
    await client.post(f"/api/actions/{other}/acknowledge", json={}, headers=w.head)
    await client.post(f"/api/actions/{other}/report-fixed", json={"note": "Đã ghi đủ"}, headers=w.head)
    await client.post(f"/api/actions/{other}/close", json={}, headers=w.inspector)
    assert (await client.get(f"/api/inspections/{iid}", headers=w.leader)).json()["status"] == "closed"


async def test_unit_heads_see_only_their_own_unit(client: Client, world: World) -> None:
    w = world
    iid, actions = await submitted_inspection(client, w)
    aid = actions[0]["id"]
    assert (await client.get(f"/api/actions/{aid}", headers=w.other_head)).status_code == 404
    assert (
        await client.post(f"/api/actions/{aid}/acknowledge", json={}, headers=w.other_head)
    ).status_code == 404
    assert (await client.get(f"/api/inspections/{iid}", headers=w.other_head)).status_code == 404
    assert (await client.get("/api/actions", headers=w.other_head)).json() == []
    assert len((await client.get("/api/actions", headers=w.head)).json()) == 2


async def test_roles_may_see_but_not_act(client: Client, world: World) -> None:
    w = world
    _, actions = await submitted_inspection(client, w)
    aid = actions[0]["id"]
    for headers in (w.observer, w.leader, w.inspector):
        assert (
            await client.post(f"/api/actions/{aid}/acknowledge", json={}, headers=headers)
        ).status_code == 403
    await client.post(f"/api/actions/{aid}/acknowledge", json={}, headers=w.head)
    await client.post(f"/api/actions/{aid}/report-fixed", json={"note": "xong"}, headers=w.head)
    # An inspector who was not on the team cannot verify.
    assert (
        await client.post(f"/api/actions/{aid}/close", json={}, headers=w.outsider_inspector)
    ).status_code == 403
    assert (await client.post(f"/api/actions/{aid}/close", json={}, headers=w.observer)).status_code == 403
    plan_as_observer = await client.post(
        "/api/inspections",
        json={"unit_id": w.commune.id, "checklist_code": "mini", "title": "x", "planned_date": "2026-12-01"},
        headers=w.observer,
    )
    assert plan_as_observer.status_code == 403
    assert (await client.get("/api/actions")).status_code == 401


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"unit_id": "one", "checklist_code": "mini", "title": "x", "planned_date": "2026-12-01"}, "unit_id"),
        (
            {"unit_id": 1, "checklist_code": "mini", "title": "x", "planned_date": "01/12/2026"},
            "planned_date",
        ),
        ({"unit_id": 1, "checklist_code": "mini", "title": "", "planned_date": "2026-12-01"}, "title"),
        (
            {"unit_id": 1, "checklist_code": "mini", "title": "x", "planned_date": "2026-12-01", "extra": 1},
            "extra",
        ),
        ({"checklist_code": "mini", "title": "x", "planned_date": "2026-12-01"}, "unit_id"),
        ({"unit_id": 999, "checklist_code": "mini", "title": "x", "planned_date": "2026-12-01"}, "unit_id"),
        (
            {"unit_id": 1, "checklist_code": "nope", "title": "x", "planned_date": "2026-12-01"},
            "checklist_code",
        ),
    ],
)
async def test_bad_bodies_name_the_field_and_write_nothing(
    client: Client, world: World, body: dict[str, Any], key: str
) -> None:
    response = await client.post("/api/inspections", json=body, headers=world.inspector)
    assert response.status_code == 400, response.text
    error = response.json()
    named = {e["key"] for e in error.get("extra", [])} | {e["message"] for e in error.get("extra", [])}
    assert any(key in text for text in named | {error["detail"]}), error
    assert await Inspection.count() == 0


async def test_bad_answers_are_refused_and_change_nothing(client: Client, world: World) -> None:
    w = world
    inspection = await plan(client, w)
    for item, body in (
        ("A.1.1", {"value": "maybe"}),
        ("A.1.3", {"value": "many"}),
        ("B.1.1", {"value": 9}),
        ("A.1.1", {"value": "yes", "colour": "red"}),
        ("A.1.1", "not json"),
    ):
        kwargs = {"json": body} if isinstance(body, dict) else {"content": body}
        response = await client.put(
            f"/api/inspections/{inspection['id']}/answers/{item}",
            headers={**w.inspector, "Content-Type": "application/json"},
            **kwargs,  # type: ignore[arg-type]
        )
        assert response.status_code == 400, (item, body, response.text)
    missing = await client.put(
        f"/api/inspections/{inspection['id']}/answers/Z.9", json={"value": "yes"}, headers=w.inspector
    )
    assert missing.status_code == 404
    assert await Finding.count() == 0
    current = (await client.get(f"/api/inspections/{inspection['id']}", headers=w.inspector)).json()
    assert current["points"] == 0 and current["status"] == "planned"


async def test_two_simultaneous_closes_one_wins(client: Client, world: World) -> None:
    w = world
    _, actions = await submitted_inspection(client, w)
    aid = actions[0]["id"]
    await client.post(f"/api/actions/{aid}/acknowledge", json={}, headers=w.head)
    await client.post(f"/api/actions/{aid}/report-fixed", json={"note": "xong"}, headers=w.head)
    results = await asyncio.gather(
        client.post(f"/api/actions/{aid}/close", json={"note": "A"}, headers=w.inspector),
        client.post(f"/api/actions/{aid}/close", json={"note": "B"}, headers=w.colleague),
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    closes = await ActionEvent.count().where((ActionEvent.action == aid) & (ActionEvent.kind == "close"))
    assert closes == 1


async def test_stale_version_is_refused(client: Client, world: World) -> None:
    w = world
    _, actions = await submitted_inspection(client, w)
    action = actions[0]
    ok = await client.post(
        f"/api/actions/{action['id']}/acknowledge", json={"version": action["version"]}, headers=w.head
    )
    assert ok.status_code == 200
    stale = await client.post(
        f"/api/actions/{action['id']}/progress",
        json={"note": "x", "version": action["version"]},
        headers=w.head,
    )
    assert stale.status_code == 409


async def test_overdue_is_visible_on_open_actions(client: Client, world: World) -> None:
    w = world
    _, actions = await submitted_inspection(client, w)
    aid = actions[0]["id"]
    await CorrectiveAction.update({CorrectiveAction.due_date: dt.date(2020, 1, 1)}).where(
        CorrectiveAction.id == aid
    )
    overdue = (await client.get("/api/actions?overdue=true", headers=w.leader)).json()
    assert [a["id"] for a in overdue] == [aid]
    assert overdue[0]["overdue"] is True and overdue[0]["days_overdue"] > 365


async def test_answers_recorded_at_once_all_count(client: Client, world: World) -> None:
    w = world
    inspection = await plan(client, w)
    url = f"/api/inspections/{inspection['id']}/answers"
    results = await asyncio.gather(
        client.put(f"{url}/A.1.1", json={"value": "yes"}, headers=w.inspector),
        client.put(f"{url}/A.1.1", json={"value": "yes"}, headers=w.colleague),
        client.put(f"{url}/A.1.2", json={"value": "yes"}, headers=w.inspector),
        client.put(f"{url}/B.1.1", json={"value": 3}, headers=w.colleague),
    )
    assert [r.status_code for r in results] == [200, 200, 200, 200]
    current = (await client.get(f"/api/inspections/{inspection['id']}", headers=w.inspector)).json()
    assert (current["points"], current["max_points"]) == (7.0, 10.0)
    assert len((await client.get(url, headers=w.inspector)).json()) == 3


async def test_answers_to_one_item_at_once_propose_one_finding(client: Client, world: World) -> None:
    w = world
    inspection = await plan(client, w)
    url = f"/api/inspections/{inspection['id']}/answers/A.1.2"
    await answer(client, w, inspection["id"], "A.1.1", "yes")  # started: the next ones race
    failing = await asyncio.gather(
        *(client.put(url, json={"value": "no"}, headers=who) for who in (w.inspector, w.colleague) * 4)
    )
    assert [r.status_code for r in failing] == [200] * 8
    findings = (await client.get(f"/api/inspections/{inspection['id']}/findings", headers=w.inspector)).json()
    assert [(f["item_code"], f["proposed"]) for f in findings] == [("A.1.2", True)]
    assert {r.json()["finding"]["id"] for r in failing} == {findings[0]["id"]}

    fixed = await answer(client, w, inspection["id"], "A.1.2", "yes")
    assert fixed["finding"] is None
    findings = (await client.get(f"/api/inspections/{inspection['id']}/findings", headers=w.inspector)).json()
    assert findings == []


async def test_answers_given_at_once_are_all_saved_and_totalled(client: Client, world: World) -> None:
    w = world
    inspection = await plan(client, w)
    iid = inspection["id"]
    await answer(client, w, iid, "A.1.1", "no")  # started: the next ones come at once
    given = [("A.1.1", "yes"), ("A.1.2", "partial"), ("A.1.3", 97), ("B.1.1", 3)] * 3
    responses = await asyncio.gather(
        *(
            client.put(f"/api/inspections/{iid}/answers/{item}", json={"value": value}, headers=who)
            for (item, value), who in zip(given, [w.inspector, w.colleague] * 6, strict=True)
        )
    )
    assert [r.status_code for r in responses] == [200] * len(given), [r.text for r in responses]
    for (item, _), response in zip(given, responses, strict=True):  # each got its own item's finding
        assert (response.json()["finding"] or {"item_code": item})["item_code"] == item
    # Every running total counts the answers saved before it, and the last is the whole.
    assert max(r.json()["points"] for r in responses) == 2.0 + 1.0 + 2.0 + 3.0
    answers = (await client.get(f"/api/inspections/{iid}/answers", headers=w.inspector)).json()
    assert {(a["item_code"], a["value"]) for a in answers} == set(given)
    score = (await client.get(f"/api/inspections/{iid}/score", headers=w.head)).json()
    assert (score["points"], score["max_points"]) == (8.0, 10.0)
    findings = (await client.get(f"/api/inspections/{iid}/findings", headers=w.inspector)).json()
    # Those short of full marks propose one finding each; A.1.1's was withdrawn.
    assert sorted(f["item_code"] for f in findings) == ["A.1.2", "B.1.1"]


@pytest.mark.parametrize(
    ("name", "content", "content_type", "reason"),
    [
        ("run.exe", b"MZ\x90\x00", "application/octet-stream", "not accepted"),
        ("photo.jpg", b"not really a jpeg", "image/jpeg", "content is not image/jpeg"),
        ("empty.pdf", b"", "application/pdf", "empty"),
    ],
)
async def test_evidence_files_are_checked_before_they_are_kept(
    client: Client, world: World, name: str, content: bytes, content_type: str, reason: str
) -> None:
    w = world
    _, actions = await submitted_inspection(client, w)
    aid = actions[0]["id"]
    await client.post(f"/api/actions/{aid}/acknowledge", json={}, headers=w.head)
    response = await client.post(
        f"/api/actions/{aid}/evidence", files={"file": (name, content, content_type)}, headers=w.head
    )
    assert response.status_code == 400, response.text
    assert reason in response.json()["detail"] and response.json()["extra"][0]["key"] == "file"
    detail = (await client.get(f"/api/actions/{aid}", headers=w.head)).json()
    assert detail["evidence"] == [] and [e["kind"] for e in detail["events"]] == ["created", "acknowledge"]


async def test_a_conclusion_with_two_thousand_findings_is_issued_whole(client: Client, world: World) -> None:
    """Its actions, their events and some ten thousand notices are written in as few
    statements as the database can bind values to (PostgreSQL: 32,767 per statement)."""
    w = world
    inspection = await plan(client, w)
    await ready_to_submit(client, inspection["id"], w.inspector)
    now = dt.datetime.now(dt.UTC)
    await Finding.insert(
        *(
            Finding(
                inspection=inspection["id"],
                title=f"Tồn tại {n}",
                severity="minor",
                created_by=w.inspector_id,
                created_at=now,
            )
            for n in range(2000)
        )
    )
    response = await client.post(
        f"/api/inspections/{inspection['id']}/submit", json={"conclusion": "Kết luận"}, headers=w.inspector
    )
    assert response.status_code == 200, response.text
    assert await CorrectiveAction.count().where(CorrectiveAction.inspection == inspection["id"]) == 2000
    assert await ActionEvent.count().where(ActionEvent.kind == "created") == 2000
