"""A leader reminds a unit or escalates an overdue action by hand: one click, one event, one
e-mail through the outbox, however many times the click arrives."""

from __future__ import annotations

import datetime as dt

import httpx

from inspection import clock
from inspection.db.tables import ActionEvent, CorrectiveAction
from inspection.settings import Settings
from tests.factories import make_user
from tests.queue.conftest import Inbox, run_worker
from tests.races import one_wins
from tests.test_remediation_loop import World, submitted_inspection
from tests.web.conftest import login, post_form

Client = httpx.AsyncClient


async def test_a_reminder_by_hand_is_sent_once_per_click(
    client: Client, world: World, quiet_redis: object, inbox: Inbox, queue_settings: Settings
) -> None:
    w = world
    _, actions = await submitted_inspection(client, w)
    action = actions[0]
    await run_worker(queue_settings)
    inbox.take()  # the assignment

    winner, _ = await one_wins(
        lambda: client.post(
            f"/api/actions/{action['id']}/remind",
            json={"version": action["version"], "note": "Đề nghị báo cáo trước thứ Sáu"},
            headers=w.leader,
        ),
        won=200,
    )
    assert winner.json()["version"] == action["version"] + 1
    await run_worker(queue_settings)
    due = dt.date.fromisoformat(action["due_date"])
    [message] = inbox.messages
    assert str(message["To"].addresses[0].addr_spec) == "chutich.anbinh@example.test"
    assert (
        str(message["Subject"])
        == f"[Lãnh đạo nhắc việc] Xã X-ANBINH · {action['item_code']} · hạn {due:%d/%m/%Y}"
    )
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert (
        f"Pct.Huyen nhắc đơn vị Xã X-ANBINH: nhiệm vụ khắc phục dưới đây có hạn đến hết ngày {due:%d/%m/%Y}"
        in text
    )
    assert "Đề nghị báo cáo trước thứ Sáu" in text
    events = await ActionEvent.select(ActionEvent.kind, ActionEvent.note).where(
        (ActionEvent.action == action["id"]) & (ActionEvent.kind == "reminded")
    )
    assert events == [{"kind": "reminded", "note": "Đề nghị báo cáo trước thứ Sáu"}]

    # Only a leader chases by hand; escalation waits for the deadline to pass.
    inspector = await client.post(
        f"/api/actions/{action['id']}/remind", json={"version": action["version"] + 1}, headers=w.inspector
    )
    assert inspector.status_code == 403
    early = await client.post(
        f"/api/actions/{action['id']}/escalate", json={"version": action["version"] + 1}, headers=w.leader
    )
    assert (early.status_code, early.json()["detail"]) == (409, "Only an overdue action can be escalated")
    unversioned = await client.post(f"/api/actions/{action['id']}/remind", json={}, headers=w.leader)
    assert unversioned.status_code == 400 and unversioned.json()["extra"][0]["key"] == "version"


async def test_an_overdue_action_escalated_by_hand_reaches_the_other_leaders_and_the_head_once(
    client: Client, world: World, quiet_redis: object, inbox: Inbox, queue_settings: Settings
) -> None:
    w = world
    await make_user("leader", username="chutich.huyen", full_name="Lê Minh Tâm")
    _, actions = await submitted_inspection(client, w)
    action = actions[0]
    late = clock.today(queue_settings) - dt.timedelta(days=4)
    await CorrectiveAction.update({CorrectiveAction.due_date: late}).where(
        CorrectiveAction.id == action["id"]
    )
    await run_worker(queue_settings)
    inbox.take()

    await one_wins(
        lambda: client.post(
            f"/api/actions/{action['id']}/escalate", json={"version": action["version"]}, headers=w.leader
        ),
        won=200,
    )
    await run_worker(queue_settings)
    subject = f"[Báo cáo vượt cấp: quá hạn 4 ngày] Xã X-ANBINH · {action['item_code']} · hạn {late:%d/%m/%Y}"
    assert sorted(inbox.summary()) == [
        ("chutich.anbinh@example.test", subject),
        ("chutich.huyen@example.test", subject),
    ]
    assert await ActionEvent.count().where(ActionEvent.kind == "escalated") == 1


async def test_the_action_page_gives_a_leader_the_reminder_button(
    client: Client, world: World, quiet_redis: object, inbox: Inbox, queue_settings: Settings
) -> None:
    w = world
    _, actions = await submitted_inspection(client, w)
    action = actions[0]
    await login(client, "pct.huyen")
    page = await client.get(f"/actions/{action['id']}")
    assert "Gửi nhắc việc ngay" in page.text and "Báo cáo vượt cấp lên lãnh đạo" not in page.text
    sent = await post_form(
        client, f"/actions/{action['id']}", f"/actions/{action['id']}/remind", {"version": action["version"]}
    )
    assert sent.status_code == 303
    again = await post_form(
        client, f"/actions/{action['id']}", f"/actions/{action['id']}/remind", {"version": action["version"]}
    )
    assert again.status_code == 409
    history = (await client.get(f"/actions/{action['id']}")).text
    assert history.count("Lãnh đạo nhắc việc") == 1
    assert await ActionEvent.count().where(ActionEvent.kind == "reminded") == 1
    # An inspector gets no such button.
    client.cookies.clear()
    await login(client, "thanh.nv")
    assert "Gửi nhắc việc ngay" not in (await client.get(f"/actions/{action['id']}")).text
