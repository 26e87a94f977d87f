"""Rules that allow something once hold when twenty people try it at the same moment."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest

from inspection.db.engine import write_transaction
from inspection.db.tables import (
    ActionEvent,
    Answer,
    ChecklistVersion,
    CorrectiveAction,
    ExtensionRequest,
    Finding,
    Inspection,
    InspectionMember,
    Notification,
    Unit,
    User,
)
from inspection.errors import Conflict
from tests.factories import DATA, make_user, token_headers
from tests.races import ATTEMPTS, one_wins
from tests.test_remediation_loop import World, answer, plan, ready_to_submit, submitted_inspection

Client = httpx.AsyncClient


async def test_an_action_has_one_pending_extension_request_and_it_is_decided_once(
    client: Client, world: World
) -> None:
    w = world
    _, actions = await submitted_inspection(client, w)
    action = actions[0]
    later = (dt.date.fromisoformat(action["due_date"]) + dt.timedelta(days=10)).isoformat()
    asked, refused = await one_wins(
        lambda: client.post(
            f"/api/actions/{action['id']}/extension-requests",
            json={"requested_due_date": later, "reason": "Chờ kinh phí"},
            headers=w.head,
        ),
        won=201,
    )
    assert {r.json()["detail"] for r in refused} == {
        "An extension request for this action is already waiting for a decision"
    }
    assert await ExtensionRequest.count() == 1

    await one_wins(
        lambda: client.post(
            f"/api/extension-requests/{asked.json()['id']}/decision", json={"approve": True}, headers=w.leader
        ),
        won=200,
    )
    decided = await ActionEvent.count().where(ActionEvent.kind == "extension_decided")
    assert decided == 1


async def test_a_unit_code_is_taken_once(client: Client) -> None:
    admin = await token_headers(await make_user("admin", username="quantri"))
    _, refused = await one_wins(
        lambda: client.post(
            "/api/units",
            json={"code": "X-TANTHUAN", "name_vi": "Xã Tân Thuận", "kind": "commune"},
            headers=admin,
        ),
        won=201,
    )
    assert {(r.json()["extra"][0]["key"], r.json()["detail"]) for r in refused} == {
        ("code", "A unit with this code exists already")
    }
    assert await Unit.count() == 1


async def test_a_username_is_taken_once(client: Client) -> None:
    admin = await token_headers(await make_user("admin", username="quantri"))
    _, refused = await one_wins(
        lambda: client.post(
            "/api/users",
            json={
                "username": "thanh.nv",
                "full_name": "Nguyễn Văn Thành",
                "role": "inspector",
                "password": "mật khẩu dài",
            },
            headers=admin,
        ),
        won=201,
    )
    assert {(r.json()["extra"][0]["key"], r.json()["detail"]) for r in refused} == {
        ("username", "This username is taken")
    }
    assert await User.count().where(User.username == "thanh.nv") == 1


async def test_each_move_of_an_action_happens_once(client: Client, world: World) -> None:
    w = world
    _, actions = await submitted_inspection(client, w)
    url = f"/api/actions/{actions[0]['id']}"
    for verb, body, headers in (
        ("acknowledge", {}, w.head),
        ("report-fixed", {"note": "Đã niêm yết"}, w.head),
        ("close", {"note": "Đạt"}, w.inspector),
        ("reopen", {"reason": "Còn thiếu"}, w.colleague),
    ):
        await one_wins(lambda: client.post(f"{url}/{verb}", json=body, headers=headers), won=200)  # noqa: B023
    kinds = [e["kind"] for e in (await client.get(url, headers=w.head)).json()["events"]]
    assert kinds == ["created", "acknowledge", "report_fixed", "close", "reopen"]


async def test_a_proposed_finding_is_confirmed_once(client: Client, world: World) -> None:
    w = world
    inspection = await plan(client, w)
    finding = (await answer(client, w, inspection["id"], "A.1.1", "no"))["finding"]
    confirmed, _ = await one_wins(
        lambda: client.patch(
            f"/api/findings/{finding['id']}",
            json={"confirmed": True, "version": finding["version"]},
            headers=w.inspector,
        ),
        won=200,
    )
    assert confirmed.json()["proposed"] is False and confirmed.json()["version"] == finding["version"] + 1


async def test_an_inspection_is_submitted_once(client: Client, world: World) -> None:
    w = world
    inspection = await plan(client, w)
    await answer(client, w, inspection["id"], "A.1.1", "no")
    await ready_to_submit(client, inspection["id"], w.inspector)
    await one_wins(
        lambda: client.post(
            f"/api/inspections/{inspection['id']}/submit",
            json={"conclusion": "Kết luận"},
            headers=w.inspector,
        ),
        won=200,
    )
    assert await CorrectiveAction.count() == 1


async def test_a_duplicate_of_any_other_key_is_a_conflict_naming_its_field(
    client: Client, world: World
) -> None:
    inspection = await plan(client, world)
    with pytest.raises(Conflict) as refused:
        async with write_transaction():
            await InspectionMember.insert(
                InspectionMember(inspection=inspection["id"], user=world.inspector_id)
            )
    assert refused.value.field == "user"
    assert refused.value.message == "Another record has the same inspection, user"


async def test_an_inspection_is_started_once(client: Client, world: World) -> None:
    w = world
    inspection = await plan(client, w)
    _, refused = await one_wins(
        lambda: client.post(f"/api/inspections/{inspection['id']}/start", headers=w.inspector), won=200
    )
    assert {r.json()["detail"] for r in refused} == {"The inspection has already started"}
    row = await Inspection.select(Inspection.status, Inspection.version).where(
        Inspection.id == inspection["id"]
    )
    assert row == [{"status": "in_progress", "version": inspection["version"] + 1}]


async def test_a_move_made_on_the_version_read_happens_once(client: Client, world: World) -> None:
    """Progress may be reported again and again; sent with the version the head read, twenty
    copies of one report are one report."""
    w = world
    _, actions = await submitted_inspection(client, w)
    url = f"/api/actions/{actions[0]['id']}"
    acknowledged = (await client.post(f"{url}/acknowledge", json={}, headers=w.head)).json()
    _, refused = await one_wins(
        lambda: client.post(
            f"{url}/progress",
            json={"note": "Đang in bảng niêm yết", "version": acknowledged["version"]},
            headers=w.head,
        ),
        won=200,
    )
    assert {r.json()["detail"] for r in refused} == {"The action was changed by someone else; reload it"}
    assert await ActionEvent.count().where(ActionEvent.kind == "progress") == 1


async def test_one_answer_sent_twenty_times_at_once_is_one_answer_and_one_finding(
    client: Client, world: World
) -> None:
    """An answer is saved as given, so the same answer again is no conflict: every copy is
    answered 200, and the item has one answer and one proposed finding."""
    w = world
    inspection = await plan(client, w)
    responses = await asyncio.gather(
        *(
            client.put(
                f"/api/inspections/{inspection['id']}/answers/A.1.1",
                json={"value": "no", "note": "Thiếu 12 thủ tục"},
                headers=w.inspector,
            )
            for _ in range(ATTEMPTS)
        )
    )
    assert {r.status_code for r in responses} == {200}, [r.text for r in responses if r.status_code != 200]
    assert {r.json()["finding"]["id"] for r in responses} == {responses[0].json()["finding"]["id"]}
    assert await Answer.count().where(Answer.inspection == inspection["id"]) == 1
    assert await Finding.count().where(Finding.inspection == inspection["id"]) == 1


async def test_a_finding_is_deleted_once(client: Client, world: World) -> None:
    """The copies that come after the one that deleted it find no finding (404), as they would
    one after the other. (A finding the inspector wrote: a proposed one is dismissed, not deleted.)"""
    w = world
    inspection = await plan(client, w)
    await answer(client, w, inspection["id"], "A.1.1", "yes")
    written = await client.post(
        f"/api/inspections/{inspection['id']}/findings",
        json={"title": "Sổ theo dõi ghi thiếu", "severity": "minor"},
        headers=w.inspector,
    )
    assert written.status_code == 201, written.text
    finding = written.json()
    _, refused = await one_wins(
        lambda: client.delete(f"/api/findings/{finding['id']}", headers=w.inspector), won=204, lost=404
    )
    assert {r.json()["detail"] for r in refused} == {"No such finding"}
    assert await Finding.count().where(Finding.inspection == inspection["id"]) == 0


async def test_a_new_checklist_sent_twenty_times_at_once_is_one_version(client: Client) -> None:
    admin = await token_headers(await make_user("admin", username="quantri"))
    text = (DATA / "mini.toml").read_bytes()
    created, again = await one_wins(
        lambda: client.post("/api/checklists?filename=mini.toml", content=text, headers=admin),
        won=201,
        lost=200,
    )
    assert {r.json()["number"] for r in [created, *again]} == {1}
    assert await ChecklistVersion.count() == 1


async def test_a_failed_notice_is_sent_again_once(client: Client, world: World) -> None:
    w = world
    _, actions = await submitted_inspection(client, w)
    notice = await Notification.select(Notification.id).where(Notification.action == actions[0]["id"]).first()
    assert notice is not None
    await Notification.update({Notification.status: "failed"}).where(Notification.id == notice["id"])
    admin = await token_headers(await make_user("admin", username="quantri"))
    _, refused = await one_wins(
        lambda: client.post(f"/api/notifications/{notice['id']}/retry", headers=admin), won=200
    )
    assert {r.json()["detail"] for r in refused} == {
        "Only a failed notification can be sent again; this one is pending"
    }


async def test_new_versions_of_one_checklist_sent_at_once_take_one_number_each(client: Client) -> None:
    """Ten changed files at once: ten versions, numbered 1 to 10 without a gap or a repeat."""
    admin = await token_headers(await make_user("admin", username="quantri"))
    text = (DATA / "mini.toml").read_text()
    responses = await asyncio.gather(
        *(
            client.post(
                "/api/checklists?filename=mini.toml",
                content=text.replace(
                    'title_vi = "Phiếu kiểm tra thử"', f'title_vi = "Phiếu số {n}"'
                ).encode(),
                headers=admin,
            )
            for n in range(10)
        )
    )
    assert {r.status_code for r in responses} == {201}, [r.text[:200] for r in responses]
    assert sorted(r.json()["number"] for r in responses) == list(range(1, 11))
    assert await ChecklistVersion.count() == 10
