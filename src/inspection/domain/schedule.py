"""When each notice of a corrective action is due: pure rules, no I/O.

A deadline is a calendar day in ``settings.timezone``; the unit has until the end of it.
Every scheduled notice goes out at ``settings.notify_hour`` (08:00) local time:

- ``assigned`` — at once, to the assignee;
- ``reminder`` — N days before the deadline for each N in ``settings.reminder_days``
  (only those still ahead when the action is scheduled);
- ``overdue`` — the morning after the deadline (the first day the action is overdue), then
  every ``overdue_repeat_days`` while the unit still owes work; only one exists as a row
  (the latest one already due, else the next), and sending it writes the one after;
- ``escalation`` — to every active leader on the morning the action has been overdue
  ``escalation_after_days`` days.

Late notices. The reminders and overdue notices of one action, for one assignee, round and
deadline, form one chase: reminder 7, 3, 1 days before, overdue 1, 3, 5... days after.
Each says something only until the next one of its chase falls due; from that moment
(:func:`superseded_at`) it is *superseded*: cancelled, with that reason, instead of being
sent late. So when no worker ran for a while, the unit head gets the one notice that is
true now (say "overdue by 11 days"), not the "3 days left" written for a day long past,
and admins see the skipped ones as cancelled. The weekly digest is likewise superseded by
the next week's. Assignment notices, escalations and event notices (closed, reopened...)
are never superseded: late, they still tell their reader something true and new.

Each notice has an idempotency key naming the action, kind, recipient, reopen round,
deadline and slot, so scheduling twice writes nothing new and a moved deadline or a new
assignee makes fresh keys while the old rows no longer match the plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from inspection import clock
from inspection.domain.actions import UNIT_OWES, Status

SCHEDULED_KINDS = ("assigned", "reminder", "overdue", "escalation")


class ScheduleSettings(Protocol):
    """What the schedule reads of the settings (:class:`inspection.settings.Settings`)."""

    @property
    def timezone(self) -> str: ...
    @property
    def notify_hour(self) -> int: ...
    @property
    def reminder_days(self) -> tuple[int, ...]: ...
    @property
    def overdue_repeat_days(self) -> int: ...
    @property
    def escalation_after_days(self) -> int: ...
    @property
    def digest_weekday(self) -> int: ...


def local_moment(day: dt.date, settings: ScheduleSettings) -> dt.datetime:
    """``settings.notify_hour`` o'clock on ``day`` in the administration's zone, as UTC."""
    return clock.start_of_day(day, settings, settings.notify_hour)


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
    settings: ScheduleSettings,
    now: dt.datetime,
    done: frozenset[str] = frozenset(),
) -> Plan:
    """The schedule of one action as seen at ``now``; ``done`` are keys already sent or on their way."""
    prefixes = valid_prefixes(facts, leader_ids)
    if not prefixes:
        return Plan(slots=())
    slots: list[Slot] = []
    due = facts.due_date
    head = facts.assignee_id
    if head is not None:
        key = assigned_key(facts.id, head)
        slots.append(Slot("assigned", head, now, key, 0))
        reminders = _chain(facts, "reminder", head)
        for days in settings.reminder_days:
            at = local_moment(due - dt.timedelta(days=days), settings)
            if at >= now:
                slots.append(Slot("reminder", head, at, f"{reminders}{days}", days))
        overdue = _chain(facts, "overdue", head)
        repeat = settings.overdue_repeat_days
        days = 1
        # The latest overdue notice already due (its predecessors are superseded) ...
        while local_moment(due + dt.timedelta(days=days + repeat), settings) <= now:
            days += repeat
        # ... unless it has gone out: then the next one.
        while f"{overdue}{days}" in done:
            days += repeat
        at = local_moment(due + dt.timedelta(days=days), settings)
        slots.append(Slot("overdue", head, at, f"{overdue}{days}", days))
    escalate_at = local_moment(due + dt.timedelta(days=settings.escalation_after_days), settings)
    for leader in leader_ids:
        chain = _chain(facts, "escalation", leader)
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
    return Plan(slots=tuple(slots), valid_prefixes=prefixes)


def valid_prefixes(facts: ActionFacts, leader_ids: list[int]) -> tuple[str, ...]:
    """The key prefixes of the notices the action's schedule has now; none once the unit owes nothing.

    A notice whose key starts with none of these was written for a deadline, round or
    assignee that no longer holds, or for an action that was closed.
    """
    if Status(facts.status) not in UNIT_OWES:
        return ()
    prefixes: list[str] = []
    if facts.assignee_id is not None:
        prefixes.append(assigned_key(facts.id, facts.assignee_id))
        prefixes.append(_chain(facts, "reminder", facts.assignee_id))
        prefixes.append(_chain(facts, "overdue", facts.assignee_id))
    prefixes += [_chain(facts, "escalation", leader) for leader in leader_ids]
    return tuple(prefixes)


def superseded_at(
    kind: str, days: int, due_at: dt.datetime, settings: ScheduleSettings
) -> dt.datetime | None:
    """When a notice stops being worth sending: the next notice of its chase falls due (see above).

    ``days`` is the notice's own (the N of "N days left" or "overdue by N days"); ``None``
    for the kinds that never go stale.
    """
    day = clock.local_day(due_at, settings)
    if kind == "reminder":
        deadline = day + dt.timedelta(days=days)
        closer = [d for d in settings.reminder_days if d < days]
        if closer:
            return local_moment(deadline - dt.timedelta(days=max(closer)), settings)
        return local_moment(deadline + dt.timedelta(days=1), settings)
    if kind == "overdue":
        return local_moment(day + dt.timedelta(days=settings.overdue_repeat_days), settings)
    if kind == "digest":
        return local_moment(day + dt.timedelta(days=7), settings)
    return None


def event_key(kind: str, action_id: int, recipient_id: int, ref: str) -> str:
    """The key of an immediate notice (closed, reopened, ...): one per event and recipient."""
    return f"a{action_id}:{kind}:u{recipient_id}:{ref}"


def digest_week(now: dt.datetime, settings: ScheduleSettings) -> tuple[str, dt.datetime]:
    """This ISO week's label (``2026-W48``) and the moment its digest is due."""
    today = clock.local_day(now, settings)
    year, week, weekday = today.isocalendar()
    day = today + dt.timedelta(days=settings.digest_weekday - weekday)
    return f"{year}-W{week:02d}", local_moment(day, settings)


def digest_key(leader_id: int, week: str) -> str:
    return f"digest:u{leader_id}:{week}"
