"""The rule for late notices: each reminder or overdue notice says something until the next one is due."""

from __future__ import annotations

import datetime as dt

from inspection.domain.schedule import ActionFacts, local_moment, plan, superseded_at
from inspection.settings import Settings
from tests.queue.conftest import local

SETTINGS = Settings()  # reminders 7, 3 and 1 days before; overdue every 2 days; notices at 08:00
DEADLINE = dt.date(2026, 12, 10)


def _due(days_from_deadline: int) -> dt.datetime:
    return local_moment(DEADLINE + dt.timedelta(days=days_from_deadline), SETTINGS)


def test_each_notice_of_the_chase_is_superseded_when_the_next_falls_due() -> None:
    assert superseded_at("reminder", 7, _due(-7), SETTINGS) == _due(-3)
    assert superseded_at("reminder", 3, _due(-3), SETTINGS) == _due(-1)
    # The last reminder gives way to the first overdue notice, the morning after the deadline.
    assert superseded_at("reminder", 1, _due(-1), SETTINGS) == _due(1)
    assert superseded_at("overdue", 1, _due(1), SETTINGS) == _due(3)
    assert superseded_at("overdue", 11, _due(11), SETTINGS) == _due(13)
    digest_due = local(2026, 12, 14).astimezone(dt.UTC)
    assert superseded_at("digest", 0, digest_due, SETTINGS) == digest_due + dt.timedelta(days=7)


def test_assignments_escalations_and_events_never_go_stale() -> None:
    for kind in ("assigned", "escalation", "closed", "reopened", "reported_fixed", "extension_decided"):
        assert superseded_at(kind, 7, _due(-30), SETTINGS) is None


def test_the_overdue_notice_planned_is_the_latest_already_due() -> None:
    facts = ActionFacts(id=1, status="open", due_date=DEADLINE, assignee_id=5, reopen_count=0)

    def overdue_days(now: dt.datetime, done: frozenset[str] = frozenset()) -> int:
        [slot] = [s for s in plan(facts, [], SETTINGS, now, done).slots if s.kind == "overdue"]
        return slot.days

    assert overdue_days(local(2026, 12, 5, 9)) == 1  # none due yet: the first
    assert overdue_days(local(2026, 12, 11, 8)) == 1
    assert overdue_days(local(2026, 12, 20, 9)) == 9  # 11, 13, ..., 19 December: the 19th's
    sent = frozenset({"a1:overdue:u5:r0:d2026-12-10:9"})
    assert overdue_days(local(2026, 12, 20, 9), sent) == 11  # once it went out: the next
