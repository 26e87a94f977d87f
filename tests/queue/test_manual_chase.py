"""A leader reminds a unit or escalates an overdue action by hand: one event and one e-mail
through the outbox per action, kind and day, however many times (and by whom) the click
arrives; and the unit's head working on the action at that moment is not disturbed."""

from __future__ import annotations

import datetime as dt
import re

import httpx

from inspection import clock
from inspection.db.tables import ActionEvent, CorrectiveAction
from inspection.settings import Settings
from tests.factories import make_user, token_headers
from tests.queue.conftest import Clock, Inbox, local, run_worker
from tests.races import one_wins
from tests.test_remediation_loop import World, submitted_inspection
from tests.web.conftest import csrf, login, post_form

Client = httpx.AsyncClient


async def test_a_reminder_by_hand_is_sent_once_a_day_whoever_clicks(
    client: Client,
    world: World,
    quiet_redis: object,
    inbox: Inbox,
    fake_clock: Clock,
    queue_settings: Settings,
) -> None:
    w = world
    _, actions = await submitted_inspection(client, w)
    action = actions[0]
    await run_worker(queue_settings)
    inbox.take()  # the assignment

    fake_clock.set(local(2026, 12, 1, 9, 41))
    winner, losers = await one_wins(
        lambda: client.post(
            f"/api/actions/{action['id']}/remind",
            json={"note": "Đề nghị báo cáo trước thứ Sáu"},
            headers=w.leader,
        ),
        won=200,
    )
    # The action itself is left as it was: nobody working on it is told it changed.
    assert winner.json()["version"] == action["version"]
    assert {loser.json()["detail"] for loser in losers} == {"A reminder was sent today at 09:41 by Pct.Huyen"}
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

    # Another leader, later the same day, is told who reminded the unit and when.
    chairman = await make_user("leader", username="chutich.huyen", full_name="Lê Minh Tâm")
    fake_clock.set(local(2026, 12, 1, 16, 5))
    other = await client.post(
        f"/api/actions/{action['id']}/remind", json={}, headers=await token_headers(chairman)
    )
    assert (other.status_code, other.json()["detail"]) == (
        409,
        "A reminder was sent today at 09:41 by Pct.Huyen",
    )

    # The next day, a reminder may be sent again.
    fake_clock.set(local(2026, 12, 2, 8, 30))
    tomorrow = await client.post(f"/api/actions/{action['id']}/remind", json={}, headers=w.leader)
    assert tomorrow.status_code == 200
    await run_worker(queue_settings)
    assert [subject.split("]")[0] for _, subject in inbox.take()] == ["[Lãnh đạo nhắc việc"] * 2
    assert await ActionEvent.count().where(ActionEvent.kind == "reminded") == 2

    # Only a leader chases by hand; escalation waits for the deadline to pass; the body has
    # no version (the chase changes nothing of the action), and one sent is refused by name.
    inspector = await client.post(f"/api/actions/{action['id']}/remind", json={}, headers=w.inspector)
    assert inspector.status_code == 403
    early = await client.post(f"/api/actions/{action['id']}/escalate", json={}, headers=w.leader)
    assert (early.status_code, early.json()["detail"]) == (409, "Only an overdue action can be escalated")
    versioned = await client.post(
        f"/api/actions/{action['id']}/escalate", json={"version": action["version"]}, headers=w.leader
    )
    assert (
        versioned.status_code == 400 and "unknown field `version`" in versioned.json()["extra"][0]["message"]
    )


async def test_a_reminder_does_not_disturb_the_unit_head_at_work(
    client: Client, world: World, quiet_redis: object, inbox: Inbox, queue_settings: Settings
) -> None:
    """The unit head opened the progress form; a leader's reminder arrives before they send it."""
    w = world
    _, actions = await submitted_inspection(client, w)
    acknowledged = await client.post(
        f"/api/actions/{actions[0]['id']}/acknowledge",
        json={"version": actions[0]["version"]},
        headers=w.head,
    )
    read = acknowledged.json()
    reminded = await client.post(
        f"/api/actions/{read['id']}/remind", json={"note": "Báo cáo tiến độ"}, headers=w.leader
    )
    assert reminded.status_code == 200
    progress = await client.post(
        f"/api/actions/{read['id']}/progress",
        json={"note": "Đã rà soát 12 thủ tục", "version": read["version"]},
        headers=w.head,
    )
    assert progress.status_code == 200, progress.text
    assert progress.json()["status"] == "in_progress"

    # The same on the pages: the head's form, loaded before the reminder, goes through.
    second = actions[1]
    await login(client, "chutich.anbinh")
    page = await client.get(f"/actions/{second['id']}")
    assert f'name="version" value="{second["version"]}"' in page.text
    assert (
        await client.post(f"/api/actions/{second['id']}/remind", json={}, headers=w.leader)
    ).status_code == 200
    sent = await client.post(
        f"/actions/{second['id']}/acknowledge",
        data={"note": "", "version": str(second["version"]), "_csrf_token": csrf(page)},
    )
    assert sent.status_code == 303
    detail = (await client.get(f"/api/actions/{second['id']}", headers=w.head)).json()
    assert detail["action"]["status"] == "acknowledged"


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
            f"/api/actions/{action['id']}/escalate", json={"note": "Quá hạn 4 ngày"}, headers=w.leader
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
    # The page says so in place of the escalation's button; a reminder may still be sent today.
    await login(client, "pct.huyen")
    page = (await client.get(f"/actions/{action['id']}")).text
    assert re.search(r"Đã báo cáo vượt cấp hôm nay lúc \d{2}:\d{2}, do Pct\.Huyen gửi", page)
    assert "Báo cáo vượt cấp lên lãnh đạo" not in page and "Gửi nhắc việc ngay" in page


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
        client, f"/actions/{action['id']}", f"/actions/{action['id']}/remind", {"note": "Khẩn trương"}
    )
    assert sent.status_code == 303
    # Once sent, the page says who sent it and when, in place of the button...
    history = (await client.get(f"/actions/{action['id']}")).text
    said = re.search(r"Đã nhắc việc hôm nay lúc \d{2}:\d{2}, do Pct\.Huyen gửi", history)
    assert said and "Gửi nhắc việc ngay" not in history
    assert history.count("Lãnh đạo nhắc việc") == 1
    # ... and a click from a page opened before gets the same words.
    again = await client.post(f"/actions/{action['id']}/remind", data={"_csrf_token": csrf(page)})
    assert again.status_code == 409 and said[0] in again.text
    assert await ActionEvent.count().where(ActionEvent.kind == "reminded") == 1
    # An inspector gets no such button.
    client.cookies.clear()
    await login(client, "thanh.nv")
    assert "Gửi nhắc việc ngay" not in (await client.get(f"/actions/{action['id']}")).text
