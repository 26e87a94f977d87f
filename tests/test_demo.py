"""The demo data a new user meets with `inspection serve --demo`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from piccolo.engine.base import Engine

from inspection import clock
from inspection.checklists.loader import load_checklists
from inspection.db.engine import write_transaction
from inspection.db.tables import CorrectiveAction, ExtensionRequest, Inspection, Notification, Unit, User
from inspection.demo import load_demo
from inspection.paths import CHECKLISTS
from inspection.queue import outbox
from inspection.settings import Settings


async def test_demo_has_the_district_its_people_and_actions_in_every_state(
    db: Engine, tmp_path: Path
) -> None:
    await load_checklists(CHECKLISTS)
    settings = Settings(data_dir=str(tmp_path))
    lines = await load_demo(settings)
    assert any("demo12345" in line for line in lines)

    assert await Unit.count().where(Unit.kind == "commune") == 17
    assert await Unit.count().where(Unit.kind == "town") == 1
    assert await Unit.count().where(Unit.kind == "department") == 12
    roles = {row["role"] for row in await User.select(User.role)}
    assert roles == {"admin", "inspector", "unit_head", "leader", "observer"}
    head = await User.select(User.full_name).where(User.username == "truong.x-anbinh").first()
    assert head is not None and head["full_name"] == "Chủ tịch UBND Xã An Bình"

    statuses = {row["status"] for row in await CorrectiveAction.select(CorrectiveAction.status)}
    assert statuses == {"open", "acknowledged", "in_progress", "reported_fixed", "closed"}
    inspection_states = {row["status"] for row in await Inspection.select(Inspection.status)}
    assert {"planned", "in_progress", "submitted", "closed"} <= inspection_states
    assert await ExtensionRequest.count().where(ExtensionRequest.status == "pending") >= 1
    assert await CorrectiveAction.count().where(CorrectiveAction.reopen_count > 0) >= 1

    # The made-up past's assignments are history: the queue does not mail them now (it did
    # while the demo cancelled them: a chase's next step reconciles its action, which
    # revived them).
    for row in await CorrectiveAction.select(CorrectiveAction.id).where(CorrectiveAction.status != "closed"):
        async with write_transaction():
            await outbox.reconcile(row["id"], settings)
    stale = Notification.created_at < clock.now() - dt.timedelta(days=1)
    assert await Notification.count().where(stale & (Notification.kind == "assigned")) > 0
    assert (
        await Notification.count().where(
            stale & (Notification.kind == "assigned") & Notification.status.is_in(["pending", "queued"])
        )
        == 0
    )

    again = await load_demo(settings)
    assert again == ["Demo data: the database already has users; nothing added."]
    assert await Unit.count() == 32
