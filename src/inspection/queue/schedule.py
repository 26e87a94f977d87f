"""When each notice of a corrective action is due: pure rules, no I/O.

A deadline is a calendar day in ``settings.timezone``; the unit has until the end of it.
Every scheduled notice goes out at ``settings.notify_hour`` (08:00) local time:

- ``assigned`` — at once, to the assignee;
- ``reminder`` — N days before the deadline for each N in ``settings.reminder_days``
  (only those still ahead when the action is scheduled);
- ``overdue`` — the morning after the deadline (the first day the action is overdue), then
  every ``overdue_repeat_days`` while the unit still owes work; only the next one exists as
  a row, and sending it writes the one after;
- ``escalation`` — to every active leader on the morning the action has been overdue
  ``escalation_after_days`` days.

Each notice has an idempotency key naming the action, kind, recipient, reopen round,
deadline and slot, so scheduling twice writes nothing new and a moved deadline or a new
assignee makes fresh keys while the old rows no longer match the plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from inspection.domain.actions import UNIT_OWES, Status

if TYPE_CHECKING:
    from inspection.settings import Settings

SCHEDULED_KINDS = ("assigned", "reminder", "overdue", "escalation")


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_moment(day: dt.date, settings: Settings) -> dt.datetime:
    """``settings.notify_hour`` o'clock on ``day`` in the administration's zone, as UTC."""
    local = dt.datetime.combine(day, dt.time(settings.notify_hour), tzinfo=zone(settings.timezone))
    return local.astimezone(dt.UTC)


@dataclass(frozen=True)
class ActionFacts:
    """What the schedule depends on: change any of these and the plan changes."""

    id: int
    status: str
    due_date: dt.date
    assignee_id: int | None
    reopen_count: int


@dataclass(frozen=True)
class Slot:
    """One notice the plan wants to exist."""

    kind: str
    recipient_id: int
    due_at: dt.datetime
    key: str
    days: int


@dataclass(frozen=True)
class Plan:
    """The notices to write now, and the key prefixes any still-valid row starts with."""

    slots: tuple[Slot, ...]
    valid_prefixes: tuple[str, ...] = field(default=())

    def is_valid(self, key: str) -> bool:
        """Whether a scheduled notice with this key still belongs to the action's schedule."""
        return key.startswith(self.valid_prefixes) if self.valid_prefixes else False


def assigned_key(action_id: int, recipient_id: int) -> str:
    # One assignment notice per person and action: a reopen or a new deadline is not a new assignment.
    return f"a{action_id}:assigned:u{recipient_id}"


def _chain(facts: ActionFacts, kind: str, recipient_id: int) -> str:
    return f"a{facts.id}:{kind}:u{recipient_id}:r{facts.reopen_count}:d{facts.due_date.isoformat()}:"


def plan(
    facts: ActionFacts,
    leader_ids: list[int],
    settings: Settings,
    now: dt.datetime,
    done: frozenset[str] = frozenset(),
) -> Plan:
    """The schedule of one action as seen at ``now``; ``done`` are keys already sent or on their way."""
    if Status(facts.status) not in UNIT_OWES:
        return Plan(slots=())
    slots: list[Slot] = []
    prefixes: list[str] = []
    due = facts.due_date
    head = facts.assignee_id
    if head is not None:
        key = assigned_key(facts.id, head)
        prefixes.append(key)
        slots.append(Slot("assigned", head, now, key, 0))
        reminders = _chain(facts, "reminder", head)
        prefixes.append(reminders)
        for days in settings.reminder_days:
            at = local_moment(due - dt.timedelta(days=days), settings)
            if at >= now:
                slots.append(Slot("reminder", head, at, f"{reminders}{days}", days))
        overdue = _chain(facts, "overdue", head)
        prefixes.append(overdue)
        days = 1
        while local_moment(due + dt.timedelta(days=days), settings) < now or f"{overdue}{days}" in done:
            days += settings.overdue_repeat_days
        at = local_moment(due + dt.timedelta(days=days), settings)
        slots.append(Slot("overdue", head, at, f"{overdue}{days}", days))
    escalate_at = local_moment(due + dt.timedelta(days=settings.escalation_after_days), settings)
    for leader in leader_ids:
        chain = _chain(facts, "escalation", leader)
        prefixes.append(chain)
        if escalate_at >= now:
            slots.append(
                Slot(
                    "escalation",
                    leader,
                    escalate_at,
                    f"{chain}{settings.escalation_after_days}",
                    settings.escalation_after_days,
                )
            )
    return Plan(slots=tuple(slots), valid_prefixes=tuple(prefixes))


def event_key(kind: str, action_id: int, recipient_id: int, ref: str) -> str:
    """The key of an immediate notice (closed, reopened, ...): one per event and recipient."""
    return f"a{action_id}:{kind}:u{recipient_id}:{ref}"


def digest_week(now: dt.datetime, settings: Settings) -> tuple[str, dt.datetime]:
    """This ISO week's label (``2026-W48``) and the moment its digest is due."""
    today = now.astimezone(zone(settings.timezone)).date()
    year, week, weekday = today.isocalendar()
    day = today + dt.timedelta(days=settings.digest_weekday - weekday)
    return f"{year}-W{week:02d}", local_moment(day, settings)


def digest_key(leader_id: int, week: str) -> str:
    return f"digest:u{leader_id}:{week}"
