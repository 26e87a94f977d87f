"""One corrective action from assignment to closure: the e-mails people receive, in order."""

from __future__ import annotations

import datetime as dt

from inspection.db.engine import write_transaction
from inspection.db.tables import CorrectiveAction, Notification
from inspection.queue import outbox
from inspection.settings import Settings
from tests.factories import make_action, make_unit, make_user
from tests.queue.conftest import Clock, Inbox, local, run_worker


async def test_one_action_from_assignment_to_closure(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    settings = queue_settings
    unit = await make_unit("X-ANBINH", name_vi="UBND xã An Bình")
    head = await make_user("unit_head", unit, username="chutich", full_name="Nguyễn Văn Hùng")
    inspector = await make_user("inspector", username="thanhtra", full_name="Trần Thị Mai", language="en")
    await make_user("leader", username="lanhdao", full_name="Lê Minh Tâm")
    await make_user("leader", username="phochutich", full_name="Phạm Thu", language="en")
    await make_user("leader", username="nghihuu", active=False)

    fake_clock.set(local(2026, 12, 1, 9))
    action = await make_action(unit, inspector, dt.date(2026, 12, 10), item_code="2.3.1")
    async with write_transaction():
        await outbox.reconcile(action.id, settings)
        await outbox.reconcile(action.id, settings)  # twice: nothing new

    subject = "UBND xã An Bình · 2.3.1 · hạn 10/12/2026"
    subject_en = "X-ANBINH commune · 2.3.1 · deadline 10/12/2026"
    head_to, inspector_to = "chutich@example.test", "thanhtra@example.test"

    async def tick(moment: dt.datetime) -> list[tuple[str, str]]:
        fake_clock.set(moment)
        await run_worker(settings)
        return sorted(inbox.take())

    assert await tick(local(2026, 12, 1, 9)) == [(head_to, f"[Giao nhiệm vụ khắc phục] {subject}")]
    assert await tick(local(2026, 12, 2, 8)) == []
    assert await tick(local(2026, 12, 3, 8)) == [(head_to, f"[Nhắc việc: còn 7 ngày] {subject}")]
    # Monday 7 December: the leaders' digest is due, but nothing is overdue yet, so none is sent.
    assert await tick(local(2026, 12, 7, 8)) == [(head_to, f"[Nhắc việc: còn 3 ngày] {subject}")]
    assert await tick(local(2026, 12, 9, 8)) == [(head_to, f"[Nhắc việc: còn 1 ngày] {subject}")]
    assert await tick(local(2026, 12, 10, 23, 59)) == []
    assert await tick(local(2026, 12, 11, 8)) == [(head_to, f"[Quá hạn 1 ngày] {subject}")]
    assert await tick(local(2026, 12, 12, 8)) == []
    assert await tick(local(2026, 12, 13, 8)) == [(head_to, f"[Quá hạn 3 ngày] {subject}")]
    assert await tick(local(2026, 12, 14, 8)) == sorted(
        [
            ("lanhdao@example.test", "[Tổng hợp tuần] 1 nhiệm vụ quá hạn, tuần 2026-W51"),
            ("phochutich@example.test", "[Weekly digest] 1 overdue corrective actions, week 2026-W51"),
        ]
    )
    assert await tick(local(2026, 12, 15, 8)) == [(head_to, f"[Quá hạn 5 ngày] {subject}")]
    assert await tick(local(2026, 12, 17, 8)) == sorted(
        [
            (head_to, f"[Quá hạn 7 ngày] {subject}"),
            ("lanhdao@example.test", f"[Báo cáo vượt cấp: quá hạn 7 ngày] {subject}"),
            ("phochutich@example.test", f"[Escalation: overdue 7 days] {subject_en}"),
        ]
    )

    fake_clock.set(local(2026, 12, 18, 10))
    async with write_transaction():
        await CorrectiveAction.update({CorrectiveAction.status: "reported_fixed"}).where(
            CorrectiveAction.id == action.id
        )
        await outbox.notify("reported_fixed", action.id, inspector.id, {"note": "Đã niêm yết"})
    assert await tick(local(2026, 12, 18, 10)) == [(inspector_to, f"[Reported fixed] {subject_en}")]

    fake_clock.set(local(2026, 12, 19, 15))
    async with write_transaction():
        await CorrectiveAction.update({CorrectiveAction.status: "closed"}).where(
            CorrectiveAction.id == action.id
        )
        await outbox.notify("closed", action.id, head.id)
        await outbox.cancel_for_action(action.id)
    assert await tick(local(2026, 12, 19, 15)) == [(head_to, f"[Đã hoàn thành] {subject}")]
    # Nothing more: no overdue repeat, no escalation, and next Monday's digest has nothing to list.
    assert await tick(local(2026, 12, 21, 8)) == []
    assert await tick(local(2027, 1, 5, 8)) == []

    statuses = {row["status"] for row in await Notification.select(Notification.status)}
    assert statuses <= {"sent", "cancelled"}


async def test_the_message_a_unit_head_reads(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    unit = await make_unit("X-TANNGHIA", name_vi="UBND xã Tân Nghĩa")
    await make_user("unit_head", unit, username="chutich", full_name="Võ Văn Ba")
    inspector = await make_user("inspector")
    action = await make_action(
        unit, inspector, dt.date(2026, 12, 20), item_code="4.1", title="Sổ theo dõi <thiếu>"
    )
    async with write_transaction():
        await outbox.reconcile(action.id, queue_settings)
    await run_worker(queue_settings)

    [message] = inbox.messages
    assert message["From"].addresses[0].addr_spec == "kiemtra@caolanh.example"
    assert message["Message-ID"].endswith("@caolanh.example>")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Kính gửi Võ Văn Ba," in text
    assert "hoàn thành khắc phục trước hết ngày 20/12/2026" in text
    assert f"https://kiemtra.example/actions/{action.id}" in text
    assert f'href="https://kiemtra.example/actions/{action.id}"' in html
    assert "Sổ theo dõi &lt;thiếu&gt;" in html
    assert "Mức độ: nghiêm trọng" in text


async def test_an_extension_moves_the_reminders(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    unit = await make_unit("X-BINHHANG", name_vi="UBND xã Bình Hàng Trung")
    head = await make_user("unit_head", unit, username="chutich", language="en")
    inspector = await make_user("inspector")
    fake_clock.set(local(2026, 12, 1, 9))
    action = await make_action(unit, inspector, dt.date(2026, 12, 5), item_code="1.2")
    async with write_transaction():
        await outbox.reconcile(action.id, queue_settings)
    await run_worker(queue_settings)
    assert [s for _, s in inbox.take()] == [
        "[New corrective action] X-BINHHANG commune · 1.2 · deadline 05/12/2026"
    ]

    fake_clock.set(local(2026, 12, 3, 10))
    async with write_transaction():
        await CorrectiveAction.update({CorrectiveAction.due_date: dt.date(2026, 12, 20)}).where(
            CorrectiveAction.id == action.id
        )
        await outbox.notify("extension_decided", action.id, head.id, {"approved": True}, ref=1)
        await outbox.reconcile(action.id, queue_settings)
    subject = "X-BINHHANG commune · 1.2 · deadline 20/12/2026"
    got = []
    for day in (3, 4, 6, 13, 17, 19, 21):
        fake_clock.set(local(2026, 12, day, 10))
        await run_worker(queue_settings)
        got += [s for _, s in inbox.take()]
    assert got == [
        f"[Extension approved] {subject}",
        f"[Reminder: 7 days left] {subject}",
        f"[Reminder: 3 days left] {subject}",
        f"[Reminder: 1 day left] {subject}",
        f"[Overdue by 1 day] {subject}",
    ]


async def test_a_new_unit_head_takes_over_the_reminders(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    unit = await make_unit("X-MYHIEP", name_vi="UBND xã Mỹ Hiệp")
    await make_user("unit_head", unit, username="cu")
    inspector = await make_user("inspector")
    fake_clock.set(local(2026, 12, 1, 9))
    action = await make_action(unit, inspector, dt.date(2026, 12, 10), item_code="3.3")
    async with write_transaction():
        await outbox.reconcile(action.id, queue_settings)
    await run_worker(queue_settings)
    assert [to for to, _ in inbox.take()] == ["cu@example.test"]

    fake_clock.set(local(2026, 12, 2, 9))
    new = await make_user("unit_head", unit, username="moi")
    async with write_transaction():
        await outbox.move_unit_actions_to_head(unit.id, new.id, queue_settings)
    got = []
    for day in (2, 3, 7, 9, 11):
        fake_clock.set(local(2026, 12, day, 9))
        await run_worker(queue_settings)
        got += inbox.take()
    assert [to for to, _ in got] == ["moi@example.test"] * 5
    assert [s.split("]")[0] for _, s in got] == [
        "[Giao nhiệm vụ khắc phục",
        "[Nhắc việc: còn 7 ngày",
        "[Nhắc việc: còn 3 ngày",
        "[Nhắc việc: còn 1 ngày",
        "[Quá hạn 1 ngày",
    ]


async def test_an_address_that_is_not_one_fails_the_notice_for_admins_to_see(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    unit = await make_unit("X-MYTHO")
    await make_user("unit_head", unit, username="chutich", email="chu tich@example.test")
    inspector = await make_user("inspector")
    action = await make_action(unit, inspector, dt.date(2026, 12, 20))
    async with write_transaction():
        await outbox.reconcile(action.id, queue_settings)
    await run_worker(queue_settings)

    assert inbox.messages == []
    [failed] = await Notification.select(Notification.last_error).where(Notification.status == "failed")
    assert failed["last_error"].startswith("recipient's e-mail address is not one")
