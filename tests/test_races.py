"""Rules that allow something once hold when twenty people try it at the same moment."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from inspection.db.engine import write_transaction
from inspection.db.tables import ActionEvent, CorrectiveAction, ExtensionRequest, InspectionMember, Unit, User
from inspection.errors import Conflict
from tests.factories import make_user, token_headers
from tests.races import one_wins
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
