"""Notices combined at send time: one assignment e-mail per conclusion, one e-mail per person
and day for the reminders and overdue notices, one per leader and day for escalations.

Each notice keeps its own row (its key, its supersession, its retries); the job that sends
one takes along the others of its group, and every row ends ``sent`` exactly once.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt

from inspection.db.engine import write_transaction
from inspection.db.tables import CorrectiveAction, Finding, Notification, Unit, User
from inspection.queue import outbox
from inspection.schemas import FindingOut
from inspection.services.actions import create_actions_for_inspection
from inspection.settings import Settings
from tests.factories import load_mini_checklist, make_action, make_scored_inspection, make_unit, make_user
from tests.queue.conftest import Clock, Inbox, local, run_worker


def _text(message: object) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())  # type: ignore[attr-defined]


async def _conclusion(settings: Settings, clock_: Clock) -> tuple[Unit, User, int]:
    """A conclusion of three findings for UBND xã An Bình, issued now: its unit, its inspector,
    its inspection."""
    await load_mini_checklist()
    unit = await make_unit("X-ANBINH", name_vi="UBND xã An Bình")
    await make_user("unit_head", unit, username="chutich", full_name="Nguyễn Văn Hùng")
    inspector = await make_user("inspector", username="thanhtra")
    inspection = await make_scored_inspection(unit, inspector, clock_.at, {})
    confirmed: list[FindingOut] = []
    for code, title, severity in (
        ("1.1", "Chưa niêm yết thủ tục hành chính mới", "critical"),
        ("1.2", "Sổ theo dõi hồ sơ ghi thiếu", "major"),
        ("2.1", "Chưa khảo sát mức độ hài lòng", "minor"),
    ):
        finding = Finding(
            inspection=inspection.id,
            item_code=code,
            title=title,
            severity=severity,
            created_by=inspector.id,
            created_at=clock_.at,
        )
        await finding.save()
        confirmed.append(
            FindingOut(
                id=finding.id,
                inspection_id=inspection.id,
                item_code=code,
                title=title,
                description="",
                severity=severity,
                status="confirmed",
                proposed=False,
                due_date=None,
                action_id=None,
                dismissed_reason="",
                dismissed_at=None,
                created_by_id=inspector.id,
                version=1,
            )
        )
    async with write_transaction():
        await create_actions_for_inspection(inspection.id, confirmed, settings)
    return unit, inspector, inspection.id


async def test_a_conclusion_sends_its_unit_head_one_email_listing_every_action(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    settings = queue_settings
    fake_clock.set(local(2026, 12, 1, 9))
    _, inspector, inspection_id = await _conclusion(settings, fake_clock)
    other = await make_unit("X-TANTHUAN", name_vi="UBND xã Tân Thuận")
    await make_user("unit_head", other, username="chutich2")
    await make_action(other, inspector, dt.date(2026, 12, 20))  # another unit's single action
    async with write_transaction():
        for row in await CorrectiveAction.select(CorrectiveAction.id).where(
            CorrectiveAction.unit == other.id
        ):
            await outbox.reconcile(row["id"], settings)

    await run_worker(settings)

    assert sorted(inbox.summary()) == [
        ("chutich2@example.test", "[Giao nhiệm vụ khắc phục] UBND xã Tân Thuận · 1.1 · hạn 20/12/2026"),
        ("chutich@example.test", "[Giao nhiệm vụ khắc phục] UBND xã An Bình · 3 nhiệm vụ khắc phục"),
    ]
    [message] = [m for m in inbox.messages if "chutich@" in str(m["To"])]
    text = _text(message)
    actions = await CorrectiveAction.select(
        CorrectiveAction.id, CorrectiveAction.title, CorrectiveAction.due_date
    ).where(CorrectiveAction.inspection == inspection_id)
    assert len(actions) == 3
    for action in actions:
        due = action["due_date"].strftime("%d/%m/%Y")
        assert f"{action['title']} (hạn {due}): https://kiemtra.example/actions/{action['id']}" in text
    assert "đã được giao 3 nhiệm vụ khắc phục" in text
    rows = await Notification.select(Notification.status).where(Notification.kind == "assigned")
    assert [row["status"] for row in rows] == ["sent"] * 4

    await run_worker(settings)  # the other rows' jobs found them sent: nothing more
    assert len(inbox.messages) == 2


async def test_a_combined_message_refused_is_retried_whole(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    """The server refuses the message after its rows were claimed: they all wait for the
    retry, and the next try sends them in one message, once."""
    fake_clock.set(local(2026, 12, 1, 9))
    await _conclusion(queue_settings, fake_clock)
    inbox.down = True

    async def back_soon() -> None:
        await asyncio.sleep(1.5)
        inbox.down = False

    await asyncio.gather(run_worker(queue_settings), back_soon())
    assert inbox.summary() == [
        ("chutich@example.test", "[Giao nhiệm vụ khắc phục] UBND xã An Bình · 3 nhiệm vụ khắc phục")
    ]
    rows = await Notification.select(Notification.status, Notification.attempts).where(
        Notification.kind == "assigned"
    )
    assert [row["status"] for row in rows] == ["sent"] * 3
    assert all(row["attempts"] >= 2 for row in rows)


async def test_reminders_and_overdue_notices_of_one_day_arrive_in_one_email(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    settings = queue_settings
    fake_clock.set(local(2026, 12, 1, 9))
    unit = await make_unit("X-ANBINH", name_vi="UBND xã An Bình")
    await make_user("unit_head", unit, username="chutich")
    inspector = await make_user("inspector")
    later = await make_action(unit, inspector, dt.date(2026, 12, 10), item_code="1.1", title="Niêm yết TTHC")
    sooner = await make_action(unit, inspector, dt.date(2026, 12, 6), item_code="2.3", title="Sổ theo dõi")
    async with write_transaction():
        for action in (later, sooner):
            await outbox.reconcile(action.id, settings)

    async def tick(moment: dt.datetime) -> list[tuple[str, str]]:
        fake_clock.set(moment)
        await run_worker(settings)
        return sorted(inbox.take())

    head = "chutich@example.test"
    # Two conclusions (one inspection each): two assignment e-mails.
    assert len(await tick(local(2026, 12, 1, 9))) == 2
    assert await tick(local(2026, 12, 3, 8)) == [(head, "[Nhắc việc] 2 nhiệm vụ cần khắc phục")]
    assert await tick(local(2026, 12, 5, 8)) == [
        (head, "[Nhắc việc: còn 1 ngày] UBND xã An Bình · 2.3 · hạn 06/12/2026")
    ]
    fake_clock.set(local(2026, 12, 7, 8))
    await run_worker(settings)
    [message] = inbox.messages
    assert str(message["Subject"]) == "[Nhắc việc] 2 nhiệm vụ cần khắc phục"
    text = _text(message)
    assert (
        f"UBND xã An Bình · 1.1 Niêm yết TTHC (hạn 10/12/2026, còn 3 ngày): https://kiemtra.example/actions/{later.id}"
        in text
    )
    assert (
        f"UBND xã An Bình · 2.3 Sổ theo dõi (hạn 06/12/2026, quá hạn 1 ngày): https://kiemtra.example/actions/{sooner.id}"
        in text
    )
    inbox.take()
    # Every row went out once, in the e-mail of its day.
    sent = collections.Counter(
        row["kind"]
        for row in await Notification.select(Notification.kind).where(Notification.status == "sent")
    )
    assert sent == {"assigned": 2, "reminder": 4, "overdue": 1}
    assert await tick(local(2026, 12, 7, 9)) == []

    # 9 December: one day left for one, overdue by three days for the other.
    assert await tick(local(2026, 12, 9, 8)) == [(head, "[Nhắc việc] 2 nhiệm vụ cần khắc phục")]


async def test_escalations_of_one_day_reach_each_leader_in_one_email(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    settings = queue_settings
    fake_clock.set(local(2026, 12, 1, 9))
    inspector = await make_user("inspector")
    await make_user("leader", username="lanhdao")
    await make_user("leader", username="phochutich", language="en")
    for n in range(3):
        unit = await make_unit(f"X-{n}", name_vi=f"UBND xã số {n}")
        await make_user("unit_head", unit, username=f"head{n}")
        action = await make_action(unit, inspector, dt.date(2026, 12, 5), item_code=f"1.{n}")
        async with write_transaction():
            await outbox.reconcile(action.id, settings)
    fake_clock.set(local(2026, 12, 12, 8))
    await run_worker(settings)
    # (The heads' overdue notices and this week's digests come too.)
    leaders = sorted(
        (to, s) for to, s in inbox.summary() if s.startswith(("[Báo cáo vượt cấp", "[Escalation"))
    )
    assert leaders == [
        ("lanhdao@example.test", "[Báo cáo vượt cấp] 3 nhiệm vụ quá hạn"),
        ("phochutich@example.test", "[Escalation] 3 overdue corrective actions"),
    ]
    [message] = [m for m in inbox.messages if str(m["Subject"]).startswith("[Báo cáo vượt cấp")]
    text = _text(message)
    for n in range(3):
        assert f"UBND xã số {n} · 1.{n} " in text
    assert text.count("quá hạn 7 ngày") == 3
    assert (
        await Notification.count().where(
            (Notification.kind == "escalation") & (Notification.status != "sent")
        )
        == 0
    )
