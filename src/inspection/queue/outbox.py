"""The outbox hooks: write the notification rows a change causes, in the caller's transaction.

The services call these inside their ``write_transaction()``; nothing here talks to Redis or
SMTP. The sweep (``inspection.queue.sweep``) later hands due rows to the send job.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from inspection import clock
from inspection.db.engine import insert_batches, write_transaction
from inspection.db.tables import CorrectiveAction, Notification, User
from inspection.domain import schedule
from inspection.domain.actions import UNIT_OWES, Status
from inspection.domain.schedule import SCHEDULED_KINDS, ActionFacts, Plan

if TYPE_CHECKING:
    import datetime as dt

    from inspection.settings import Settings

# Immediate notices of events; ``manual_*`` are a leader's reminder or escalation by hand.
EVENT_KINDS = (
    "reported_fixed",
    "closed",
    "reopened",
    "extension_decided",
    "manual_reminder",
    "manual_escalation",
)
# Rows not yet handed to SMTP: these may still be cancelled or moved.
UNSENT = ("pending", "queued")
HAD_ITS_TURN = ("queued", "sending", "sent", "failed")
SUPERSEDED = "superseded: a later notice of the same chase is due"


def decode_data(value: object) -> dict[str, Any]:
    """A row's ``data``: JSON columns come back decoded on some engines and as text on others."""
    if isinstance(value, str):
        decoded: dict[str, Any] = json.loads(value or "{}")
        return decoded
    return dict(value) if isinstance(value, dict) else {}


def is_superseded(row: Mapping[str, Any], settings: Settings, now: dt.datetime) -> bool:
    """Whether a notification row (kind, due_at, data) went stale before it was sent (see schedule)."""
    days = int(decode_data(row["data"]).get("days", 0))
    limit = schedule.superseded_at(row["kind"], days, row["due_at"], settings)
    return limit is not None and now >= limit


async def action_facts(action_id: int) -> ActionFacts | None:
    """The fields of an action its schedule depends on, or None if it is gone."""
    row = (
        await CorrectiveAction.select(
            CorrectiveAction.id,
            CorrectiveAction.status,
            CorrectiveAction.due_date,
            CorrectiveAction.assignee,
            CorrectiveAction.reopen_count,
        )
        .where(CorrectiveAction.id == action_id)
        .first()
    )
    if row is None:
        return None
    return ActionFacts(row["id"], row["status"], row["due_date"], row["assignee"], row["reopen_count"])


async def active_leader_ids() -> list[int]:
    rows = await User.select(User.id).where((User.role == "leader") & (User.active == True))
    return [row["id"] for row in rows]


async def current_plan(
    action_id: int,
    settings: Settings,
    leader_ids: list[int] | None = None,
    done: frozenset[str] = frozenset(),
) -> Plan:
    """The action's schedule as of now (empty if the action is gone or no longer owed)."""
    facts = await action_facts(action_id)
    if facts is None:
        return Plan(slots=())
    leaders = await active_leader_ids() if leader_ids is None else leader_ids
    return schedule.plan(facts, leaders, settings, clock.now(), done)


async def reconcile(action_id: int, settings: Settings, leader_ids: list[int] | None = None) -> None:
    """Make the action's unsent scheduled rows match its plan: cancel strays, write what is missing.

    Called when an action is created and assigned (the assignment notice, reminders, overdue,
    escalation), and when its deadline, assignee or round (a reopen) changes.

    Rows already sent stay sent, so a deadline moved back and forth never repeats a notice;
    a cancelled row whose key the plan wants again is revived rather than duplicated.
    """
    now = clock.now()
    rows = await Notification.select(
        Notification.id,
        Notification.kind,
        Notification.idempotency_key,
        Notification.status,
        Notification.due_at,
        Notification.data,
    ).where((Notification.action == action_id) & Notification.kind.is_in(list(SCHEDULED_KINDS)))
    existing = {row["idempotency_key"]: row for row in rows}
    # A notice that went out, is on its way, or failed for good has had its turn: the plan
    # moves on to the next one of the chase, so a failed notice never ends the chase.
    done = frozenset(key for key, row in existing.items() if row["status"] in HAD_ITS_TURN)
    plan = await current_plan(action_id, settings, leader_ids, done)
    unsent = [row for row in rows if row["status"] in UNSENT]
    stray = [row["id"] for row in unsent if not plan.is_valid(row["idempotency_key"])]
    superseded = [row["id"] for row in unsent if row["id"] not in stray and is_superseded(row, settings, now)]
    for ids, reason in ((stray, "no longer scheduled"), (superseded, SUPERSEDED)):
        if ids:
            await Notification.update(
                {Notification.status: "cancelled", Notification.last_error: reason}
            ).where(Notification.id.is_in(ids) & Notification.status.is_in(list(UNSENT)))
    revive = [slot for slot in plan.slots if existing.get(slot.key, {}).get("status") == "cancelled"]
    for slot in revive:
        await Notification.update(
            {Notification.status: "pending", Notification.due_at: slot.due_at, Notification.last_error: ""}
        ).where(Notification.id == existing[slot.key]["id"])
    fresh = [
        _row(slot.kind, action_id, slot.recipient_id, slot.due_at, slot.key, {"days": slot.days}, now)
        for slot in plan.slots
        if slot.key not in existing
    ]
    for batch in insert_batches(fresh):
        await Notification.insert(*batch).on_conflict(target=Notification.idempotency_key)


# Open actions with an assignee and no chase notice still to send: the last one went out,
# failed for good or was cancelled, and the next one has not been written yet.
_WITHOUT_NEXT = """
SELECT a.id FROM corrective_action a
WHERE a.status IN ({owes}) AND a.assignee IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM notification n
      WHERE n.action = a.id AND n.kind IN ('reminder', 'overdue')
        AND n.status IN ('pending', 'queued', 'sending')
  )
ORDER BY a.id
LIMIT {{}}
"""


async def resume_chases(settings: Settings, limit: int = 500) -> int:
    """Write the next notice of every open action whose chase has none waiting; the count.

    The chase is derived, not chained: whatever happened to an action's last notice (sent,
    failed for good, cancelled), its next one comes from the action's state and the clock.
    The sweep calls this each minute, so an open action is never left unchased for longer.
    """
    owes = ", ".join(f"'{status.value}'" for status in sorted(UNIT_OWES))
    rows = await CorrectiveAction.raw(_WITHOUT_NEXT.format(owes=owes), limit)
    if not rows:
        return 0
    leaders = await active_leader_ids()
    for row in rows:
        async with write_transaction():
            await reconcile(row["id"], settings, leaders)
    return len(rows)


def _row(
    kind: str,
    action_id: int | None,
    recipient_id: int,
    due_at: dt.datetime,
    key: str,
    data: dict[str, Any],
    now: dt.datetime,
) -> Notification:
    return Notification(
        kind=kind,
        action=action_id,
        recipient=recipient_id,
        due_at=due_at,
        status="pending",
        idempotency_key=key,
        created_at=now,
        data=data,
    )


async def schedule_new_actions(actions: list[ActionFacts], settings: Settings) -> None:
    """Actions were just created and assigned: write each one's schedule (the assignment
    notice, reminders, overdue, escalation), in one statement whatever their number (up to
    what one statement can bind)."""
    now = clock.now()
    leaders = await active_leader_ids()
    rows = [
        _row(slot.kind, facts.id, slot.recipient_id, slot.due_at, slot.key, {"days": slot.days}, now)
        for facts in actions
        for slot in schedule.plan(facts, leaders, settings, now).slots
    ]
    for batch in insert_batches(rows):
        await Notification.insert(*batch).on_conflict(target=Notification.idempotency_key)


async def cancel_for_action(action_id: int) -> None:
    """The action closed (or no longer needs chasing): cancel its unsent scheduled notices.

    Immediate notices (closed, reopened, ...) written in the same transaction stay.
    """
    await Notification.update(
        {Notification.status: "cancelled", Notification.last_error: "action closed"}
    ).where(
        (Notification.action == action_id)
        & Notification.kind.is_in(list(SCHEDULED_KINDS))
        & Notification.status.is_in(list(UNSENT))
    )


async def notify(
    kind: str,
    action_id: int,
    recipient_id: int,
    data: dict[str, object] | None = None,
    *,
    ref: str | int | None = None,
) -> None:
    """An immediate notice of an event on an action, due now.

    ``ref`` names the event so the key is deterministic (e.g. the extension request id);
    by default it is the action's reopen round, one such event per round. Writing the
    same event twice writes one row.
    """
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown notice kind {kind!r}; expected one of {', '.join(EVENT_KINDS)}")
    if ref is None:
        facts = await action_facts(action_id)
        ref = f"r{facts.reopen_count if facts else 0}"
    now = clock.now()
    key = schedule.event_key(kind, action_id, recipient_id, str(ref))
    row = _row(kind, action_id, recipient_id, now, key, dict(data or {}), now)
    await Notification.insert(row).on_conflict(target=Notification.idempotency_key)


async def move_unit_actions_to_head(unit_id: int, new_head_id: int | None, settings: Settings) -> None:
    """A unit's head changed: its open actions, and their unsent notices, go to the new head."""
    rows = await CorrectiveAction.select(CorrectiveAction.id, CorrectiveAction.assignee).where(
        (CorrectiveAction.unit == unit_id) & (CorrectiveAction.status != Status.CLOSED.value)
    )
    moving = [row for row in rows if row["assignee"] != new_head_id]
    if not moving:
        return
    ids = [row["id"] for row in moving]
    await CorrectiveAction.update({CorrectiveAction.assignee: new_head_id}).where(
        CorrectiveAction.id.is_in(ids)
    )
    if new_head_id is not None:
        # Unsent event notices (closed, extension decided...) were meant for whoever answers for the unit.
        for row in moving:
            if row["assignee"] is None:
                continue
            await Notification.update({Notification.recipient: new_head_id}).where(
                (Notification.action == row["id"])
                & (Notification.recipient == row["assignee"])
                & Notification.kind.is_in(["closed", "reopened", "extension_decided", "manual_reminder"])
                & Notification.status.is_in(list(UNSENT))
            )
    leaders = await active_leader_ids()
    for action_id in ids:
        await reconcile(action_id, settings, leaders)
