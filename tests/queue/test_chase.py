"""The chase never stops before closure: whatever happens to one notice, the next one comes,
and what it says is counted on the day it is sent.

A real SMTP server (aiosmtpd) counts every message while the test clock walks day by day.
"""

from __future__ import annotations

import collections
import datetime as dt

from inspection.db.engine import write_transaction
from inspection.db.tables import Notification
from inspection.queue import admin, outbox
from inspection.settings import Settings
from tests.factories import make_action, make_unit, make_user
from tests.queue.conftest import Clock, Inbox, local, run_worker
from tests.queue.test_faults import _three_actions


def _subjects(inbox: Inbox) -> list[str]:
    """The messages' subjects since the last look, without the action's title."""
    return [subject.split("]")[0] + "]" for _, subject in inbox.take()]


async def _one_action(settings: Settings, clock_: Clock, deadline: dt.date) -> int:
    clock_.set(local(2026, 12, 1, 9))
    unit = await make_unit("X-MYHIEP")
    await make_user("unit_head", unit, username="chutich.myhiep")
    action = await make_action(unit, await make_user("inspector"), deadline)
    async with write_transaction():
        await outbox.reconcile(action.id, settings)
    return action.id


async def test_a_failed_overdue_notice_does_not_end_the_chase(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    await _one_action(queue_settings, fake_clock, dt.date(2026, 12, 4))
    await run_worker(queue_settings)
    assert _subjects(inbox) == ["[Giao nhiệm vụ khắc phục]"]

    fake_clock.set(local(2026, 12, 5, 9))  # the first overdue notice falls due, and SMTP is down
    inbox.down = True
    await run_worker(queue_settings)
    [failed] = await admin.list_notifications("failed")
    assert failed["kind"] == "overdue"
    inbox.down = False

    # Nobody retries it, and the chase goes on all the same, on its days.
    for day, expected in ((6, []), (7, ["[Quá hạn 3 ngày]"]), (8, []), (9, ["[Quá hạn 5 ngày]"])):
        fake_clock.set(local(2026, 12, day, 9))
        await run_worker(queue_settings)
        assert _subjects(inbox) == expected, day


async def test_an_admin_retry_of_a_superseded_notice_sends_what_is_true_now(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    await _one_action(queue_settings, fake_clock, dt.date(2026, 12, 4))
    await run_worker(queue_settings)
    inbox.take()
    fake_clock.set(local(2026, 12, 5, 9))
    inbox.down = True
    await run_worker(queue_settings)  # "overdue by 1 day" fails for good
    inbox.down = False

    fake_clock.set(local(2026, 12, 15, 9))  # no worker ran since; an admin retries the failed one
    [failed] = await admin.list_notifications("failed")
    assert await admin.retry_notification(failed["id"])
    await run_worker(queue_settings)
    await run_worker(queue_settings)
    assert _subjects(inbox) == ["[Quá hạn 11 ngày]"]  # today's count, once; not "1 day"

    await run_worker(queue_settings)
    assert _subjects(inbox) == []


async def test_catching_up_after_three_days_counts_on_the_day_of_sending(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    await _three_actions(queue_settings, fake_clock)  # deadlines 4, 5 and 6 December
    await run_worker(queue_settings)
    assert collections.Counter(_subjects(inbox)) == {"[Giao nhiệm vụ khắc phục]": 3}

    fake_clock.set(local(2026, 12, 5, 9))  # no worker from the 2nd to the 4th
    await run_worker(queue_settings)
    await run_worker(queue_settings)
    # One notice per action, each true today: a day past the first deadline, the second
    # deadline today, one day left before the third.
    assert sorted(_subjects(inbox)) == [
        "[Nhắc việc: còn 1 ngày]",
        "[Nhắc việc: hôm nay là hạn cuối]",
        "[Quá hạn 1 ngày]",
    ]


async def test_a_missed_digest_is_sent_once_and_the_next_one_does_not_repeat_it(
    db: object, quiet_redis: object, inbox: Inbox, fake_clock: Clock, queue_settings: Settings
) -> None:
    await _three_actions(queue_settings, fake_clock)
    fake_clock.set(local(2026, 12, 6, 9))  # Sunday, after a week without a worker
    await run_worker(queue_settings)
    await run_worker(queue_settings)
    digests = [s for s in _subjects(inbox) if s == "[Tổng hợp tuần]"]
    assert digests == ["[Tổng hợp tuần]"]  # the missed Monday digest, late, once

    fake_clock.set(local(2026, 12, 7, 9))  # Monday: the regular digest would repeat yesterday's
    await run_worker(queue_settings)
    assert "[Tổng hợp tuần]" not in _subjects(inbox)
    [skipped] = await Notification.select(Notification.last_error).where(
        (Notification.kind == "digest") & (Notification.status == "cancelled")
    )
    assert skipped["last_error"] == "covered by the digest sent on 06/12/2026"

    fake_clock.set(local(2026, 12, 14, 9))  # and the Monday after, as usual
    await run_worker(queue_settings)
    assert "[Tổng hợp tuần]" in _subjects(inbox)
