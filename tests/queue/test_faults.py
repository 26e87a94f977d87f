"""Faults the queue must survive: each expected e-mail arrives exactly once (or is counted in doubt)."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt

from inspection.db.engine import write_transaction
from inspection.db.tables import Notification
from inspection.queue import admin, outbox
from inspection.queue.sweep import claim_due
from inspection.settings import Settings
from tests.factories import make_action, make_unit, make_user
from tests.queue.conftest import Clock, Inbox, local, run_worker


async def _three_actions(settings: Settings, clock_: Clock) -> list[int]:
    clock_.set(local(2026, 12, 1, 9))
    inspector = await make_user("inspector")
    await make_user("leader", username="lanhdao")
    ids = []
    for n in range(3):
        unit = await make_unit(f"X-{n}")
        await make_user("unit_head", unit, username=f"head{n}")
        action = await make_action(unit, inspector, dt.date(2026, 12, 4 + n), item_code=f"1.{n}")
        ids.append(action.id)
        async with write_transaction():
            await outbox.reconcile(action.id, settings)
    return ids


def _exactly_once(inbox: Inbox) -> collections.Counter[str]:
    counts = collections.Counter(str(m["Message-ID"]) for m in inbox.messages)
    assert counts and set(counts.values()) == {1}, counts
    return counts


async def _due_count() -> int:
    return await Notification.count().where(Notification.status != "cancelled")


async def test_no_worker_for_days_then_started(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    await _three_actions(queue_settings, fake_clock)  # deadlines 4, 5 and 6 December
    # Nobody ran a worker for two weeks: every sweep time in between was missed.
    fake_clock.set(local(2026, 12, 15, 9))
    await run_worker(queue_settings)
    await run_worker(queue_settings)
    counts = _exactly_once(inbox)
    assert len(counts) == await Notification.count().where(Notification.status == "sent")
    subjects = collections.Counter(str(m["Subject"]).split("]")[0] + "]" for m in inbox.messages)
    # What is true today arrives once: the assignments, how overdue each action is now (the
    # numbers counted on the day they are sent), the escalations and this week's digest. No
    # "N days left" for deadlines long past.
    assert subjects == {
        "[Giao nhiệm vụ khắc phục]": 3,
        "[Quá hạn 11 ngày]": 1,  # deadline 4 December
        "[Quá hạn 10 ngày]": 1,  # deadline 5 December: its notice of 14 December, sent on the 15th
        "[Quá hạn 9 ngày]": 1,  # deadline 6 December
        "[Báo cáo vượt cấp: quá hạn 11 ngày]": 1,
        "[Báo cáo vượt cấp: quá hạn 10 ngày]": 1,
        "[Báo cáo vượt cấp: quá hạn 9 ngày]": 1,
        "[Tổng hợp tuần]": 1,
    }
    # The notices that went stale meanwhile are cancelled, and admins see why.
    cancelled = await admin.list_notifications("cancelled")
    assert collections.Counter(row["kind"] for row in cancelled) == {"reminder": 5, "overdue": 3}
    assert {row["last_error"] for row in cancelled} == {outbox.SUPERSEDED}

    await run_worker(queue_settings)
    assert len(inbox.messages) == len(counts)  # nothing more until the next notice falls due


async def test_redis_flushed_between_sweeps(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    await _three_actions(queue_settings, fake_clock)
    fake_clock.set(local(2026, 12, 3, 9))
    claimed = await claim_due(queue_settings)  # a sweep claimed rows and enqueued them ...
    assert claimed
    await quiet_redis.flushdb()  # ... then Redis lost everything (this database: others share the server).
    await run_worker(queue_settings)
    assert inbox.messages == []  # the rows are queued and not yet stale: nothing is guessed
    fake_clock.advance(seconds=queue_settings.queue_stale_seconds + 60)
    await run_worker(queue_settings)
    counts = _exactly_once(inbox)
    assert len(counts) == len(claimed)
    report = await admin.queue_report()
    assert report["queued"] == 0 and report["in_doubt"] == 0


async def test_two_workers_at_once(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    await _three_actions(queue_settings, fake_clock)
    fake_clock.set(local(2026, 12, 20, 9))
    await asyncio.gather(run_worker(queue_settings), run_worker(queue_settings))
    await asyncio.gather(run_worker(queue_settings), run_worker(queue_settings))
    counts = _exactly_once(inbox)
    assert len(counts) == await Notification.count().where(Notification.status == "sent")


async def test_smtp_down_for_several_sweeps_then_back(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    await _three_actions(queue_settings, fake_clock)
    inbox.down = True
    await run_worker(queue_settings)  # tries 1 s apart, then gives up: the rows are failed
    failed = await admin.list_notifications("failed")
    assert len(failed) == 3
    assert all("451" in row["last_error"] for row in failed)
    for minutes in (1, 2, 3):  # more sweeps while the server is down send nothing twice
        fake_clock.advance(minutes=minutes)
        await run_worker(queue_settings)
    assert inbox.messages == []

    inbox.down = False
    for row in failed:
        assert await admin.retry_notification(row["id"])
    assert not await admin.retry_notification(failed[0]["id"])  # already waiting
    await run_worker(queue_settings)
    counts = _exactly_once(inbox)
    assert len(counts) == 3


async def test_smtp_back_before_the_retries_run_out(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    await _three_actions(queue_settings, fake_clock)
    inbox.down = True

    async def back_soon() -> None:
        await asyncio.sleep(1.5)
        inbox.down = False

    await asyncio.gather(run_worker(queue_settings), back_soon())
    counts = _exactly_once(inbox)
    assert len(counts) == 3
    rows = await Notification.select(Notification.attempts).where(Notification.status == "sent")
    assert all(row["attempts"] >= 2 for row in rows)
